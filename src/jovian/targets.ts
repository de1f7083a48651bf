// iSCSI endpoints below /pools/<pool>/san/iscsi/targets (targets, LUNs, CHAP incoming users,
// sessions) and the global LUN search /api/v4/san/iscsi/luns; src/simulator/README.md lists them.
import type { RestClient } from './client';
import { asArray, asObject, optNum, orUndefined, str } from './values';

export interface TargetRecord {
  name: string;
  active: boolean;
  chap: boolean;
  /** VIP names the target is reachable on (vip_allowed_portals). */
  vips: string[];
}

export interface LunRecord {
  name: string;
  lun: number;
  scsiId?: string;
}

export interface LunLocation {
  pool: string;
  target: string;
  lun: number;
  scsiId?: string;
}

export interface SessionRecord {
  initiator: string;
  address: string;
}

const T = '/san/iscsi/targets';

function parseTarget(raw: unknown): TargetRecord {
  const t = asObject(raw, 'target');
  const portals = (t.vip_allowed_portals ?? {}) as { assigned_vips?: unknown };
  return {
    name: str(t, 'name') ?? '',
    active: t.active !== false,
    chap: t.incoming_users_active === true,
    vips: Array.isArray(portals.assigned_vips) ? portals.assigned_vips.map(String) : [],
  };
}

function parseLun(raw: unknown): LunRecord {
  const l = asObject(raw, 'LUN');
  return { name: str(l, 'name') ?? '', lun: optNum(l, 'lun') ?? -1, scsiId: str(l, 'scsi_id') };
}

/** Where a volume is attached, across every pool of the appliance (global endpoint). */
export async function findLuns(c: RestClient, volume: string): Promise<LunLocation[]> {
  const { data } = await c.get('/san/iscsi/luns', { scope: 'global', query: { where: `name==${volume}` } });
  return asArray(data, 'LUN search').map((e) => {
    const lun = asObject(e.lun ?? {}, 'LUN');
    const target = asObject(e.iscsi_target ?? {}, 'target');
    return { pool: String(e.pool ?? ''), target: str(target, 'name') ?? '', lun: optNum(lun, 'lun') ?? -1, scsiId: str(lun, 'scsi_id') };
  });
}

export async function listTargets(c: RestClient): Promise<TargetRecord[]> {
  return asArray((await c.get(T)).data, 'target list').map(parseTarget);
}

export async function findTarget(c: RestClient, name: string): Promise<TargetRecord | undefined> {
  return orUndefined(c.get(`${T}/${name}`).then((r) => parseTarget(r.data)));
}

export async function createTarget(c: RestClient, name: string, opts: { vips: string[]; chap: boolean }): Promise<void> {
  await c.request({
    method: 'POST',
    path: T,
    body: { name, active: true, incoming_users_active: opts.chap, vip_allowed_portals: { enabled: true, assigned_vips: opts.vips } },
    verify: async () => (await findTarget(c, name)) !== undefined,
  });
}

export async function updateTarget(c: RestClient, name: string, change: { vips?: string[]; chap?: boolean }): Promise<void> {
  const body: Record<string, unknown> = { name };
  if (change.vips) body.vip_allowed_portals = { enabled: true, assigned_vips: change.vips };
  if (change.chap !== undefined) body.incoming_users_active = change.chap;
  await c.request({
    method: 'PUT',
    path: `${T}/${name}`,
    body,
    verify: async () => {
      const t = await findTarget(c, name);
      if (!t) return false;
      const vipsOk = !change.vips || (t.vips.length === change.vips.length && change.vips.every((v) => t.vips.includes(v)));
      return vipsOk && (change.chap === undefined || t.chap === change.chap);
    },
  });
}

/**
 * Deletes a target; a target that is already gone counts as deleted. A lost answer is checked
 * before any resend: a blind second DELETE could remove a target of that name made meanwhile.
 */
export async function deleteTarget(c: RestClient, name: string): Promise<void> {
  await orUndefined(c.request({ method: 'DELETE', path: `${T}/${name}`, verify: async () => (await findTarget(c, name)) === undefined }));
}

/** LUNs of a target, or undefined when the target does not exist (any more). */
export async function listLuns(c: RestClient, target: string): Promise<LunRecord[] | undefined> {
  return orUndefined(c.get(`${T}/${target}/luns`).then((r) => asArray(r.data, 'LUN list').map(parseLun)));
}

export async function attachLun(c: RestClient, target: string, volume: string, lun: number): Promise<LunRecord> {
  const r = await c.request({
    method: 'POST',
    path: `${T}/${target}/luns`,
    body: { name: volume, lun },
    verify: async () => (await listLuns(c, target))?.some((l) => l.name === volume && l.lun === lun) === true,
  });
  return r.verified ? { name: volume, lun } : parseLun(r.data);
}

/** Detaches a volume from a target; not attached (or no such target) counts as detached. */
export async function detachLun(c: RestClient, target: string, volume: string): Promise<void> {
  await orUndefined(
    c.request({
      method: 'DELETE',
      path: `${T}/${target}/luns/${volume}`,
      verify: async () => (await listLuns(c, target))?.some((l) => l.name === volume) !== true,
    }),
  );
}

export async function listIncomingUsers(c: RestClient, target: string): Promise<string[]> {
  const users = await orUndefined(c.get(`${T}/${target}/incoming-users`));
  return users ? asArray(users.data, 'incoming users').map((u) => str(u, 'name') ?? '') : [];
}

export async function addIncomingUser(c: RestClient, target: string, user: string, secret: string): Promise<void> {
  await c.request({
    method: 'POST',
    path: `${T}/${target}/incoming-users`,
    body: { name: user, password: secret },
    verify: async () => (await listIncomingUsers(c, target)).includes(user),
  });
}

export async function deleteIncomingUser(c: RestClient, target: string, user: string): Promise<void> {
  await orUndefined(
    c.request({
      method: 'DELETE',
      path: `${T}/${target}/incoming-users/${user}`,
      verify: async () => !(await listIncomingUsers(c, target)).includes(user),
    }),
  );
}

/** Live iSCSI sessions on a target, as the appliance sees them cluster-wide. */
export async function listSessions(c: RestClient, target: string): Promise<SessionRecord[]> {
  const { data } = await c.get(`${T}/${target}/sessions`);
  return asArray(data, 'sessions').map((s) => ({ initiator: str(s, 'initiator_name') ?? '', address: str(s, 'ip') ?? '' }));
}

/** Sessions on a target, or undefined when the target does not exist (any more). */
export async function findSessions(c: RestClient, target: string): Promise<SessionRecord[] | undefined> {
  return orUndefined(listSessions(c, target));
}
