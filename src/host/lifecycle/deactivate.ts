// Deactivation of one recorded LUN, under the target's node lock, in the order that keeps
// multipath from resurrecting anything and never disturbs another LUN:
//   1. refuse while the map (or a disk) is in use — waited for, bounded — before touching anything;
//   2. delete this LUN's SCSI disks (by-path per portal, map slaves, our sessions' disks);
//   3. remove the map (multipath -f, multipathd del map, dmsetup remove, deferred last);
//   4. per portal, log out only if no other LUN record on this target uses it, then drop the node record;
//   5. remove the LUN record.
// Targets without a record are never touched. Running it twice is fine.
import { listSessions } from '../iscsi/iscsiadm';
import { withLock, targetLockKey } from '../state/lock';
import { removeWwid } from '../multipath/tool';
import { findRecord, listRecords, removeRecord, sameVolume, type LunRecord } from '../state/records';
import { BusyError } from '../../errors';
import { samePortal, sameTarget, uniquePortals } from '../iscsi/portal';
import {
  deletePaths,
  lunPathDevices,
  portalsCarrying,
  releasePortal,
  removeMap,
  waitMapUnused,
  type PortalRelease,
  waitPathsUnused,
} from './teardown';
import type { HostEnv } from '../core/types';

export interface DeactivateResult {
  /** The record file existed and was removed. */
  recordRemoved: boolean;
  devicesDeleted: string[];
  /** `kept`: another record of this host has the same WWID and uses the map. */
  map: 'absent' | 'removed' | 'deferred' | 'kept';
  portals: Array<{ address: string; port: number; action: PortalRelease['action']; reason?: string }>;
}

export async function deactivate(env: HostEnv, rec: LunRecord): Promise<DeactivateResult> {
  return withLock(env, targetLockKey(rec.target), `deactivate ${rec.volume}`, () => {
    // The record was read before the lock: while we waited, another run may have put another
    // volume on this LUN number. Tearing down the old picture would pull that volume's disks.
    const now = findRecord(env, rec.storageId, rec.target, rec.lun);
    if (now && !sameVolume(now, rec)) {
      throw new BusyError(
        `LUN ${rec.lun} of ${rec.target} now holds ${now.volume}${now.snapshot ? `@${now.snapshot}` : ''} (WWID ${now.wwid}), not ${rec.volume}: it changed while waiting for the lock; nothing was torn down`,
        { target: rec.target, lun: rec.lun, volume: now.volume, wwid: now.wwid },
      );
    }
    return deactivateLocked(env, now ?? rec);
  });
}

/**
 * Other records of the same WWID: a volume renamed (or made a template) on another node keeps its
 * WWID, so this host can hold a record of the old name and one of the new, whose paths are in
 * the same multipath map.
 */
function recordsSharingWwid(env: HostEnv, rec: LunRecord): LunRecord[] {
  return listRecords(env).filter(
    (r) => r.wwid === rec.wwid && !(r.storageId === rec.storageId && sameTarget(r.target, rec.target) && r.lun === rec.lun),
  );
}

export async function deactivateLocked(env: HostEnv, rec: LunRecord): Promise<DeactivateResult> {
  // With a sharer only this LUN's own disks go; the map (maybe open by a VM) and the WWID stay.
  const sharers = recordsSharingWwid(env, rec);
  if (sharers.length)
    env.log.info(`WWID ${rec.wwid} is also recorded for ${sharers.map((r) => r.volume).join(', ')}: keeping its multipath map`);
  // 1. In use? A map (even one multipathd made on its own) must be idle before any path goes.
  if (!sharers.length) await waitMapUnused(env, rec.wwid);
  const sessions = await listSessions(env);
  const disks = lunPathDevices(env, rec, sessions, sharers.length === 0);
  await waitPathsUnused(env, rec, disks);
  const extra = portalsCarrying(env, rec.target, sessions, disks).filter((p) => !rec.portals.some((q) => samePortal(p, q)));

  // 2. SCSI disks first, so multipathd cannot rebuild the map from them.
  const left = await deletePaths(env, disks);
  const devicesDeleted = disks.filter((d) => !left.includes(d));

  // 3. The map of this WWID only, unless another record uses it.
  const map = sharers.length ? 'kept' : await removeMap(env, rec.wwid);
  if (rec.multipath && map !== 'deferred' && map !== 'kept' && !(await removeWwid(env, rec.wwid))) {
    env.log.warn(`could not remove WWID ${rec.wwid} from the multipath wwids file`);
  }

  // 4. Sessions: per portal, exact target, only when nothing else of ours uses them.
  const portals: DeactivateResult['portals'] = [];
  for (const p of uniquePortals([...rec.portals, ...extra])) {
    const r = await releasePortal(env, rec, p, sessions);
    if (r.action === 'kept') env.log.info(`keeping session ${p.address}:${p.port} of ${rec.target}: ${r.reason}`);
    portals.push({ address: p.address, port: p.port, action: r.action, reason: r.reason });
  }

  // 5. The record goes last: if anything above threw, the record still says what to clean.
  const recordRemoved = removeRecord(env, rec);
  env.log.info(`deactivated LUN ${rec.lun} of ${rec.target} (${rec.volume}${rec.snapshot ? `@${rec.snapshot}` : ''})`);
  return { recordRemoved, devicesDeleted, map, portals };
}
