// The common case on a busy host: the LUN is already active exactly as requested (same
// record, a session on every portal, every path and the map usable). Then activation only
// looks — one session listing and one map check — and changes nothing.
import { mapperLink } from '../devices/links';
import { listSessions, sessionsFor } from '../iscsi/iscsiadm';
import { inspectMap, mapReady } from '../multipath/mapStage';
import { samePortal } from '../iscsi/portal';
import { recordPath, type LunRecord } from '../state/records';
import { inspectLun, linkState, usable } from '../devices/waitDevice';
import type { HostEnv, Portal } from '../core/types';
import type { ActivateResult } from './activateTypes';

function samePortalSet(a: Portal[], b: Portal[]): boolean {
  return a.length === b.length && a.every((p) => b.some((q) => samePortal(p, q)));
}

export async function alreadyActive(env: HostEnv, rec: LunRecord, portals: Portal[], multipath: boolean): Promise<ActivateResult | null> {
  if (rec.multipath !== multipath || !samePortalSet(rec.portals, portals)) return null;
  const sessions = await listSessions(env);
  if (!portals.every((p) => sessionsFor(sessions, rec.target, p).length > 0)) return null;
  const d = inspectLun(env, { target: rec.target, lun: rec.lun, wwid: rec.wwid, portals });
  if (!usable(d.byId) || !d.paths.every(usable)) return null;
  if (multipath && (rec.device !== mapperLink(env, rec.wwid) || !mapReady(await inspectMap(env, rec.wwid)))) return null;
  const size = linkState(env, rec.device).sizeBytes ?? 0;
  if (size === 0) return null;
  env.log.debug(`LUN ${rec.lun} of ${rec.target} is already active as ${rec.device}`);
  return {
    device: rec.device,
    wwid: rec.wwid,
    sizeBytes: size,
    multipath,
    portals: portals.map((p) => ({ address: p.address, port: p.port, ok: true })),
    degraded: false,
    recordPath: recordPath(env, rec.storageId, rec.target, rec.lun),
  };
}
