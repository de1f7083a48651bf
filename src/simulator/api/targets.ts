// /pools/<pool>/san/iscsi/targets… : list, create, get, update, delete.
import { isIP } from 'node:net';
import { errors } from './errors';
import type { TargetRec } from '../model/model';
import {
  createTarget,
  deleteTarget,
  renameTarget,
  requireTarget,
  resolveVipNames,
  validateChapUser,
  validateTargetName,
} from '../model/san';
import { targetShape } from './shapes';
import {
  created,
  noContent,
  objectBody,
  ok,
  optionalBoolean,
  rejectUnknownKeys,
  requiredString,
  type HandlerContext,
  type Reply,
} from './context';
import { backendSettings } from '../model/targetBackend';

// The appliance validates target bodies with a strict schema (unknown keys are refused with
// "Additional properties are not allowed"); old firmware has no vip_allowed_portals in it.
const TARGET_KEYS = ['name', 'active', 'incoming_users_active', 'vip_allowed_portals', 'allow_ip', 'deny_ip', 'outgoing_user'] as const;

function ipList(value: unknown): string[] {
  if (!Array.isArray(value)) throw errors.validation(`${JSON.stringify(value)} is not of type 'array'`);
  return value.map((entry) => {
    const [ip, prefix, ...rest] = typeof entry === 'string' ? entry.split('/') : [];
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(ip) === 6 ? 128 : 32));
    if (!ip || !isIP(ip) || !prefixOk || rest.length > 0)
      throw errors.validation(`${JSON.stringify(entry)} is not a valid IP address or network`);
    return entry as string;
  });
}

/** The target as the body would leave it; validates everything and mutates nothing. */
function withBody(ctx: HandlerContext, target: TargetRec, body: Record<string, unknown>): TargetRec {
  const oldFirmware = 'vip_allowed_portals' in body && (ctx.pool.oldFirmware || ctx.fault('oldFirmware') !== undefined);
  if (oldFirmware) throw errors.unexpectedProperty('vip_allowed_portals');
  rejectUnknownKeys(body, TARGET_KEYS);
  const next = { ...target };
  next.active = optionalBoolean(body, 'active', target.active);
  next.incomingUsersActive = optionalBoolean(body, 'incoming_users_active', target.incomingUsersActive);
  if (body.vip_allowed_portals !== undefined) {
    const portals = body.vip_allowed_portals as Record<string, unknown>;
    if (typeof portals !== 'object' || portals === null || Array.isArray(portals))
      throw errors.validation("'vip_allowed_portals' is not of type 'object'");
    rejectUnknownKeys(portals, ['enabled', 'assigned_vips']);
    next.vipsEnabled = optionalBoolean(portals, 'enabled', true);
    const names = portals.assigned_vips ?? [];
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw errors.validation("'assigned_vips' must be an array of VIP names");
    resolveVipNames(ctx.pool, names as string[]);
    next.assignedVips = [...(names as string[])];
  }
  if (body.allow_ip !== undefined) next.allowIp = ipList(body.allow_ip);
  if (body.deny_ip !== undefined) next.denyIp = ipList(body.deny_ip);
  if (body.outgoing_user !== undefined) {
    const user = body.outgoing_user as Record<string, unknown> | null;
    next.outgoingUser = user === null ? null : validateChapUser(user?.name, user?.password);
  }
  return next;
}

/** The appliance does not page this list: page/per_page are ignored, the answer is always the plain array. */
export function listTargets(ctx: HandlerContext): Reply {
  return ok([...ctx.pool.targets.values()].map((t) => targetShape(ctx.pool, t)));
}

export async function createTargetHandler(ctx: HandlerContext): Promise<Reply> {
  const body = objectBody(ctx);
  const name = validateTargetName(requiredString(body, 'name'));
  const target: TargetRec = {
    name,
    active: true,
    incomingUsersActive: false,
    vipsEnabled: false,
    assignedVips: [],
    allowIp: [],
    denyIp: [],
    outgoingUser: null,
    luns: new Map(),
    users: new Map(),
    sessions: [],
  };
  Object.assign(target, withBody(ctx, target, body));
  createTarget(ctx.state, ctx.pool, target);
  await ctx.backend.onTargetCreated(ctx.pool.name, name, backendSettings(ctx.pool, target));
  return created(targetShape(ctx.pool, target));
}

export function getTarget(ctx: HandlerContext): Reply {
  return ok(targetShape(ctx.pool, requireTarget(ctx.pool, ctx.params.target)));
}

/** PUT answers 201; a different `name` renames the target. */
export async function updateTarget(ctx: HandlerContext): Promise<Reply> {
  const target = requireTarget(ctx.pool, ctx.params.target);
  const body = objectBody(ctx);
  const oldName = target.name;
  const newName = body.name === undefined ? oldName : validateTargetName(body.name);
  const { name: _unchanged, ...fields } = withBody(ctx, target, body);
  renameTarget(ctx.state, ctx.pool, target, newName);
  Object.assign(target, fields);
  ctx.state.changed(ctx.pool);
  await ctx.backend.onTargetUpdated(
    ctx.pool.name,
    target.name,
    backendSettings(ctx.pool, target),
    newName !== oldName ? oldName : undefined,
  );
  return created(targetShape(ctx.pool, target));
}

/** DELETE answers 204; LUNs are detached and sessions dropped with the target. */
export async function deleteTargetHandler(ctx: HandlerContext): Promise<Reply> {
  const target = deleteTarget(ctx.state, ctx.pool, ctx.params.target);
  for (const lun of target.luns.values()) await ctx.backend.onLunDetached(ctx.pool.name, target.name, lun.lun);
  await ctx.backend.onTargetDeleted(ctx.pool.name, target.name);
  return noContent();
}
