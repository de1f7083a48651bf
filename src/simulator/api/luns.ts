// Target children: LUNs, CHAP incoming users, sessions; plus the global LUN search.
import { errors } from './errors';
import { volumeByName } from '../model/model';
import { addUser, attachLun, detachLun, findLunByVolumeName, MAX_LUN, removeUser, requireTarget, validateChapUser } from '../model/san';
import { globalLunEntry, lunShape, lunShapeOf } from './shapes';
import { created, noContent, objectBody, ok, requiredString, requireVolume, type HandlerContext, type Reply } from './context';
import { lunExport } from '../model/targetBackend';

const LUN_MODES = ['wt', 'wb', 'ro'];

export function listLuns(ctx: HandlerContext): Reply {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const luns = [...target.luns.values()].sort((a, b) => a.lun - b.lun);
  return ok(luns.map((l) => lunShapeOf(ctx.pool, l)));
}

/** POST answers 201 with the LUN; the lowest free number when none is given. */
export async function attachLunHandler(ctx: HandlerContext): Promise<Reply> {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const body = objectBody(ctx);
  const vol = requireVolume(ctx, requiredString(body, 'name'));
  const lun = body.lun;
  if (lun !== undefined && (!Number.isInteger(lun) || (lun as number) < 0 || (lun as number) > MAX_LUN)) {
    throw errors.validation(`${JSON.stringify(lun)} is not a valid LUN number (0-${MAX_LUN})`);
  }
  const mode = body.mode ?? 'wt';
  if (typeof mode !== 'string' || !LUN_MODES.includes(mode))
    throw errors.validation(`${JSON.stringify(mode)} is not one of ['wt', 'wb', 'ro']`);
  const number = attachLun(ctx.state, ctx.pool, target, vol, lun as number | undefined, mode);
  const rec = target.luns.get(number)!;
  await ctx.backend.onLunAttached(ctx.pool.name, target.name, lunExport(ctx.pool, vol, rec));
  return created(lunShape(vol, rec));
}

export function getLun(ctx: HandlerContext): Reply {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const lun = findLunByVolumeName(ctx.pool, target, ctx.params.volume);
  if (!lun) throw errors.lunNotAttached(ctx.params.volume, target.name);
  return ok(lunShapeOf(ctx.pool, lun));
}

export async function detachLunHandler(ctx: HandlerContext): Promise<Reply> {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const number = detachLun(ctx.state, ctx.pool, target, ctx.params.volume);
  await ctx.backend.onLunDetached(ctx.pool.name, target.name, number);
  return noContent();
}

export function listUsers(ctx: HandlerContext): Reply {
  const target = requireTarget(ctx.pool, ctx.params.target);
  return ok([...target.users.values()].map((u) => ({ name: u.name })));
}

export function getUser(ctx: HandlerContext): Reply {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const user = target.users.get(ctx.params.user);
  if (!user) throw errors.userNotFound(ctx.params.user);
  return ok({ name: user.name });
}

/** POST answers 201 with {name}; the password is never echoed. */
export async function addUserHandler(ctx: HandlerContext): Promise<Reply> {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const body = objectBody(ctx);
  const user = validateChapUser(requiredString(body, 'name'), body.password);
  addUser(ctx.state, ctx.pool, target, user);
  await ctx.backend.onUsersChanged(ctx.pool.name, target.name, [...target.users.values()]);
  return created({ name: user.name });
}

export async function removeUserHandler(ctx: HandlerContext): Promise<Reply> {
  const target = requireTarget(ctx.pool, ctx.params.target);
  removeUser(ctx.state, ctx.pool, target, ctx.params.user);
  await ctx.backend.onUsersChanged(ctx.pool.name, target.name, [...target.users.values()]);
  return noContent();
}

export async function targetSessions(ctx: HandlerContext): Promise<Reply> {
  const target = requireTarget(ctx.pool, ctx.params.target);
  return ok((await ctx.backend.listSessions(ctx.pool.name, target.name)) ?? target.sessions);
}

export async function poolSessions(ctx: HandlerContext): Promise<Reply> {
  const all = [];
  for (const t of ctx.pool.targets.values()) all.push(...((await ctx.backend.listSessions(ctx.pool.name, t.name)) ?? t.sessions));
  return ok(all);
}

/** GET /api/v4/san/iscsi/luns?where=name==<v>: attachments of that zvol name in every pool. */
export function searchLuns(ctx: HandlerContext): Reply {
  const where = ctx.query.get('where');
  let name: string | undefined;
  if (where !== null) {
    const m = /^name==(.+)$/.exec(where);
    if (!m) throw errors.validation(`Unsupported filter: '${where}'.`);
    name = m[1];
  }
  const out: unknown[] = [];
  for (const pool of ctx.state.pools.values()) {
    const vols = name === undefined ? [...pool.volumes.values()] : [volumeByName(pool, name)].filter((v) => v !== undefined);
    for (const vol of vols) {
      const entry = globalLunEntry(pool, vol);
      if (entry) out.push(entry);
    }
  }
  return ok(out);
}
