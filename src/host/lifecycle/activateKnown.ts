// Activation answered from this host alone: a volume (or snapshot) this host already activated,
// and whose LUN is still healthy here, needs nothing from the array. VM start on the same node,
// a live migration's second start, HA recovery and vzdump then work while the control plane
// (REST) is down and iSCSI data still flows.
//
// What the array's publish would have settled, and what stands in for it here:
// - the LUN is on its target at that number: the record names target, LUN and WWID; every
//   recorded portal has a session, every by-path link of (portal, target, LUN) resolves to a
//   running SCSI disk, and that disk carries the recorded WWID (it is in the map named by the
//   WWID — multipathd groups paths by the WWID each disk reports — or, single path, it is the
//   device udev linked as scsi-<WWID>). With multipath, every path of the map is active:
//   multipathd's checker keeps testing the LUN itself.
// - the portals are this storage's data addresses: only when the record's portals are exactly
//   the configured ones (data_addresses with data_port); any change goes to the array.
// - CHAP: the node record of every portal holds exactly the configured CHAP settings (user and
//   secret, or none) and our login settings; a change in the storage's CHAP goes to the array.
//   A secret changed on the array only is invisible here: the live sessions keep working, and
//   the next login (after a deactivation) goes through the array as before.
// - the pool and multipath setting: as recorded.
// Anything else (no record, several, another storage on the target, any check failing) returns
// null with a log line, and the caller takes the normal path through the array. Under the
// target's node lock, so a deactivation cannot tear the LUN down between the look and the answer.
import { formatPortal } from '../iscsi/portal';
import { nodeRecordProven } from '../iscsi/nodeRecord';
import { findByVolume, findRecord, otherStoragesOnTarget, sameVolume, type LunRecord } from '../state/records';
import { targetLockKey, withLock } from '../state/lock';
import { checkActive, samePortalSet } from './activateFast';
import type { ChapCredentials, HostEnv, Portal } from '../core/types';
import type { ActivateResult } from './activateTypes';

export interface KnownActivationRequest {
  storageId: string;
  /** The configured pool: a record of another pool is not this volume. */
  pool: string;
  volume: string;
  snapshot: string | null;
  multipath: boolean;
  /** The configured data portals (data_addresses with data_port). */
  portals: Portal[];
  /** The configured CHAP credentials; null when CHAP is off. */
  chap: ChapCredentials | null;
}

export interface KnownActivation extends ActivateResult {
  target: string;
  lun: number;
}

/** Why a record cannot answer without the array, or null when it may (checked again under the lock). */
function recordMismatch(rec: LunRecord, req: KnownActivationRequest): string | null {
  if (rec.pool !== req.pool) return `recorded for pool ${rec.pool}`;
  if (rec.multipath !== req.multipath) return `recorded with multipath ${rec.multipath ? 'on' : 'off'}`;
  if (!samePortalSet(rec.portals, req.portals))
    return `recorded portals ${rec.portals.map(formatPortal).join(', ')} differ from the configured ${req.portals.map(formatPortal).join(', ') || 'none'}`;
  return null;
}

/**
 * The activation of `req.volume` (or its snapshot) from this host's LUN record, when the LUN is
 * active and healthy as recorded and configured; null when the array has to be asked. Sends no
 * REST request (the host side never does); changes nothing on the host.
 */
export async function activateIfHealthy(env: HostEnv, req: KnownActivationRequest): Promise<KnownActivation | null> {
  const what = req.snapshot === null ? req.volume : `${req.volume} snapshot ${req.snapshot}`;
  const decline = (why: string): null => {
    env.log.info(`${what}: not answered from this host's record (${why}); asking the array`);
    return null;
  };
  const found = findByVolume(env, req.storageId, req.volume, req.snapshot);
  if (found.length === 0) return null; // not active here: the normal path, nothing to say
  if (found.length > 1) return decline(`${found.length} LUN records name it`);
  const first = found[0];
  const early = recordMismatch(first, req);
  if (early) return decline(early);
  return withLock(env, targetLockKey(first.target), `activate ${req.volume} (from the host record)`, async () => {
    // Read again under the lock: a deactivation may have removed or replaced it meanwhile.
    const rec = findRecord(env, first.storageId, first.target, first.lun);
    if (!rec || !sameVolume(rec, first)) return decline('its record changed meanwhile');
    const mismatch = recordMismatch(rec, req);
    if (mismatch) return decline(mismatch);
    const others = otherStoragesOnTarget(env, req.storageId, rec.target);
    if (others.length) return decline(`target ${rec.target} is also used here by storage ${others.join(', ')}`);
    const unproven = rec.portals.filter((p) => !nodeRecordProven(env, rec.target, p, req.chap));
    if (unproven.length)
      return decline(`the node record on ${unproven.map(formatPortal).join(', ')} does not hold the configured CHAP and login settings`);
    const c = await checkActive(env, rec, rec.portals, req.multipath, true);
    if (!c.ok) return decline(c.why);
    env.log.info(`${what} is active and healthy here as ${rec.device} (LUN ${rec.lun} of ${rec.target}); answered without the array`);
    return { ...c.result, target: rec.target, lun: rec.lun };
  });
}
