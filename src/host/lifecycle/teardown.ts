// Teardown steps shared by deactivation and by the undo of a failed activation. Each acts on
// one LUN (its WWID, its by-path devices, its exact sessions) and is safe to repeat.
import { BusyError, HostError } from '../../errors';
import { tuning } from '../core/defaults';
import { blockDir, byPathLink, deleteDevice, holders, mapDevice, resolveBlock, slaves } from '../devices/links';
import { dmOpenCount, dmRemove } from '../multipath/dmsetup';
import { logout, nodeDelete, sessionsFor } from '../iscsi/iscsiadm';
import type { Session } from '../iscsi/parse';
import { daemonDelMap, flushMap } from '../multipath/tool';
import { pollUntil } from '../core/poll';
import { formatPortal, sameTarget } from '../iscsi/portal';
import { otherLunsOnTarget } from '../state/records';
import { sessionDisks } from '../iscsi/scsiHosts';
import { exists } from '../core/sysfs';
import { describeUsers, diskUsers, inUse } from '../devices/openers';
import type { HostEnv, Portal } from '../core/types';

/** How long deletePaths waits for the kernel to drop the deleted disks. */
const DELETE_WAIT_MS = 10_000;

export interface LunRef {
  storageId: string;
  target: string;
  lun: number;
  wwid: string;
  portals: Portal[];
}

export interface MapUsers {
  dm: string;
  /** Openers per `dmsetup info` (0 when dmsetup cannot tell). */
  open: number;
  /** Devices stacked on the map (LVM, partitions…) per sysfs. */
  holders: string[];
}

/** Who keeps the map open: open count from dmsetup plus stacked devices from sysfs. */
export async function mapUsers(env: HostEnv, wwid: string): Promise<MapUsers | null> {
  const dm = mapDevice(env, wwid);
  if (!dm) return null;
  return { dm, open: (await dmOpenCount(env, wwid)) ?? 0, holders: holders(env, dm) };
}

/** Something keeps the map: an opener or a device stacked on it. */
export function mapInUse(u: MapUsers | null): boolean {
  return u !== null && (u.open > 0 || u.holders.length > 0);
}

/** Wait (bounded) until nothing holds the map; BusyError naming the users otherwise. */
export async function waitMapUnused(env: HostEnv, wwid: string): Promise<void> {
  let last: MapUsers | null = null;
  const r = await pollUntil(env, {
    budgetMs: tuning(env).unusedWaitMs,
    check: async () => {
      last = await mapUsers(env, wwid);
      return mapInUse(last) ? undefined : true;
    },
  });
  const u = last as MapUsers | null;
  if (!r.ok && u) {
    throw new BusyError(
      `multipath map ${wwid} (${u.dm}) is still in use after ${Math.round(r.elapsedMs / 1000)} s (open count ${u.open}${u.holders.length ? `, holders ${u.holders.join(', ')}` : ''}); not tearing it down`,
      { wwid, dm: u.dm, open: u.open, holders: u.holders },
    );
  }
}

/**
 * The SCSI disks of this LUN: by-path per portal, our sessions' disks with this LUN, and (unless
 * `withMapSlaves` is false: the map is shared with another record) the slaves of its map.
 */
export function lunPathDevices(env: HostEnv, ref: LunRef, sessions: Session[], withMapSlaves = true): string[] {
  const names = new Set<string>();
  for (const p of ref.portals) {
    const n = resolveBlock(env, byPathLink(env, p, ref.target, ref.lun));
    if (n?.startsWith('sd')) names.add(n);
    for (const s of sessionsFor(sessions, ref.target, p)) {
      for (const d of sessionDisks(env, s.sid)) if (d.lun === ref.lun && d.name) names.add(d.name);
    }
  }
  const dm = withMapSlaves ? mapDevice(env, ref.wwid) : null;
  if (dm) for (const s of slaves(env, dm)) if (s.startsWith('sd')) names.add(s);
  return [...names].sort();
}

/**
 * Portals of this target whose sessions carry any of `disks`. Login scans every LUN of a target
 * and multipathd takes every path of an allowed WWID, so a LUN can run over a session whose
 * portal its record does not name; deactivation releases those sessions too (same target only).
 */
export function portalsCarrying(env: HostEnv, target: string, sessions: Session[], disks: string[]): Portal[] {
  const want = new Set(disks);
  return sessions
    .filter((s) => sameTarget(s.target, target) && sessionDisks(env, s.sid).some((d) => d.name !== undefined && want.has(d.name)))
    .map((s) => s.portal);
}

/**
 * Waits (bounded) until no path of the LUN is used by anything but its own map: no other holder,
 * no process holding it open (QEMU opens a single-path disk directly), no mount. Then, and only
 * then, may its devices go.
 */
export async function waitPathsUnused(env: HostEnv, ref: LunRef, disks: string[]): Promise<void> {
  const own = mapDevice(env, ref.wwid);
  const busy = () =>
    disks
      .map((d) => ({ d, holders: holders(env, d).filter((h) => h !== own), users: diskUsers(env, d) }))
      .filter((x) => x.holders.length > 0 || inUse(x.users));
  let last = busy();
  if (last.length === 0) return;
  const r = await pollUntil(env, {
    budgetMs: tuning(env).unusedWaitMs,
    check: async () => ((last = busy()).length === 0 ? true : undefined),
  });
  if (r.ok) return;
  const what = last.map(
    (x) => `${x.d} (${[x.holders.length ? `held by ${x.holders.join(', ')}` : '', describeUsers(x.users)].filter(Boolean).join(', ')})`,
  );
  throw new BusyError(
    `LUN ${ref.lun} of ${ref.target} is still in use after ${Math.round(r.elapsedMs / 1000)} s: ${what.join('; ')}; not removing it`,
    {
      devices: last.map((x) => x.d),
    },
  );
}

export async function deletePaths(env: HostEnv, disks: string[]): Promise<string[]> {
  for (const d of disks) {
    env.log.info(`deleting SCSI device ${d}`);
    deleteDevice(env, d);
  }
  const present = () => disks.filter((d) => exists(blockDir(env, d)));
  const r = await pollUntil(env, { budgetMs: DELETE_WAIT_MS, check: () => (present().length === 0 ? true : undefined) });
  const left = present();
  if (!r.ok) env.log.warn(`SCSI devices still present after delete: ${left.join(', ')}`);
  return left;
}

/**
 * Remove the map of `wwid` (which the caller found unused): `multipath -f`, then `multipathd del
 * map`, retried until flushWaitMs; then `dmsetup remove`; `--deferred` only as the last resort.
 */
export async function removeMap(env: HostEnv, wwid: string): Promise<'absent' | 'removed' | 'deferred'> {
  if (!mapDevice(env, wwid)) return 'absent';
  const r = await pollUntil(env, {
    budgetMs: tuning(env).flushWaitMs,
    check: async () => {
      if (!mapDevice(env, wwid)) return true;
      if ((await flushMap(env, wwid)) && !mapDevice(env, wwid)) return true;
      if ((await daemonDelMap(env, wwid)) && !mapDevice(env, wwid)) return true;
      return undefined;
    },
  });
  if (r.ok) return 'removed';
  env.log.warn(`multipath map ${wwid} survived flush attempts for ${Math.round(r.elapsedMs / 1000)} s; trying dmsetup remove`);
  if ((await dmRemove(env, wwid)) && !mapDevice(env, wwid)) return 'removed';
  if (await dmRemove(env, wwid, 'deferred')) {
    env.log.warn(`multipath map ${wwid}: deferred removal scheduled (it goes when its last user closes it)`);
    return 'deferred';
  }
  throw new HostError(`cannot remove multipath map ${wwid}: flush, multipathd del map and dmsetup remove all failed`, { wwid });
}

export type PortalRelease = { portal: Portal; action: 'logged-out' | 'no-session' | 'kept'; reason?: string };

/**
 * Log out of one portal of the LUN's target — only when no other LUN record (of any storage)
 * on this target uses the portal and the session carries no disk something still sits on.
 * Then delete the node record.
 */
export async function releasePortal(env: HostEnv, ref: LunRef, p: Portal, sessions: Session[]): Promise<PortalRelease> {
  const others = otherLunsOnTarget(env, ref, p);
  if (others.length) {
    const what = others.map((o) => (o.record ? `LUN ${o.record.lun} (${o.record.volume})` : o.path)).join(', ');
    return { portal: p, action: 'kept', reason: `still used by ${what}` };
  }
  for (const s of sessionsFor(sessions, ref.target, p)) {
    const busy = sessionDisks(env, s.sid).filter((d) => d.name && (holders(env, d.name).length > 0 || inUse(diskUsers(env, d.name))));
    if (busy.length) {
      return {
        portal: p,
        action: 'kept',
        reason: `session ${s.sid} still carries ${busy.map((d) => `${d.name} (LUN ${d.lun})`).join(', ')} in use`,
      };
    }
  }
  const out = await logout(env, ref.target, p);
  await nodeDelete(env, ref.target, p);
  env.log.info(`${out === 'logged-out' ? 'logged out of' : 'no session on'} ${formatPortal(p)} for ${ref.target}`);
  return { portal: p, action: out };
}
