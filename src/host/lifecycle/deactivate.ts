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
import { findRecord, removeRecord, sameVolume, type LunRecord } from '../state/records';
import { BusyError } from '../../errors';
import { samePortal, uniquePortals } from '../iscsi/portal';
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
  map: 'absent' | 'removed' | 'deferred';
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

export async function deactivateLocked(env: HostEnv, rec: LunRecord): Promise<DeactivateResult> {
  // 1. In use? A map (even one multipathd made on its own) must be idle before any path goes.
  await waitMapUnused(env, rec.wwid);
  const sessions = await listSessions(env);
  const disks = lunPathDevices(env, rec, sessions);
  await waitPathsUnused(env, rec, disks);
  const extra = portalsCarrying(env, rec.target, sessions, disks).filter((p) => !rec.portals.some((q) => samePortal(p, q)));

  // 2. SCSI disks first, so multipathd cannot rebuild the map from them.
  const left = await deletePaths(env, disks);
  const devicesDeleted = disks.filter((d) => !left.includes(d));

  // 3. The map of this WWID only.
  const map = await removeMap(env, rec.wwid);
  if (rec.multipath && map !== 'deferred' && !(await removeWwid(env, rec.wwid))) {
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
