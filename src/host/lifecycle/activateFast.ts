// The common case on a busy host: the LUN is already active exactly as requested (same
// record, a session on every portal, every path and the map usable). Then activation only
// looks — one session listing and one map check — and changes nothing.
//
// The same look serves the activation answered from the host alone (activateKnown.ts), before
// any REST request: there nothing from the array confirms the record, so it also asks `strict`
// proof that the devices still carry the recorded LUN (see checkActive).
import { blockDir, mapDevice, mapperLink, slaves } from '../devices/links';
import { readText } from '../core/sysfs';
import { listSessions, sessionsFor } from '../iscsi/iscsiadm';
import { inspectMap, mapReady } from '../multipath/mapStage';
import { formatPortal, samePortal } from '../iscsi/portal';
import { recordPath, type LunRecord } from '../state/records';
import { inspectLun, linkState, usable } from '../devices/waitDevice';
import { join } from 'node:path';
import type { HostEnv, Portal } from '../core/types';
import type { ActivateResult } from './activateTypes';

export function samePortalSet(a: Portal[], b: Portal[]): boolean {
  return a.length === b.length && a.every((p) => b.some((q) => samePortal(p, q))) && b.every((p) => a.some((q) => samePortal(p, q)));
}

/** Active as recorded (the result to answer with), or why not (for the log). */
export type ActiveCheck = { ok: true; result: ActivateResult } | { ok: false; why: string };

/**
 * Is the LUN of `rec` active here as asked? Without `strict`: a session on every portal, the
 * by-id link and every by-path link usable, the map (with multipath) ready, size > 0.
 * `strict` adds what only matters when the array was not asked: every path device is still in
 * the kernel's `running` state; with multipath every path is in the map named by the recorded
 * WWID and every map path is active (multipathd's checker keeps testing the LUN itself, so a LUN
 * the array no longer serves shows as a failed path); without multipath the by-id link (udev
 * names it by the WWID the device reports) is one of the recorded LUN's by-path devices.
 */
export async function checkActive(
  env: HostEnv,
  rec: LunRecord,
  portals: Portal[],
  multipath: boolean,
  strict = false,
): Promise<ActiveCheck> {
  const no = (why: string): ActiveCheck => ({ ok: false, why });
  if (rec.multipath !== multipath) return no(`recorded with multipath ${rec.multipath ? 'on' : 'off'}`);
  if (!samePortalSet(rec.portals, portals))
    return no(`recorded portals ${rec.portals.map(formatPortal).join(', ')} are not the configured ones`);
  const sessions = await listSessions(env);
  const missing = portals.filter((p) => sessionsFor(sessions, rec.target, p).length === 0);
  if (missing.length) return no(`no session on ${missing.map(formatPortal).join(', ')}`);
  const d = inspectLun(env, { target: rec.target, lun: rec.lun, wwid: rec.wwid, portals });
  if (!usable(d.byId)) return no(`the by-id link of ${rec.wwid} is missing or has size 0`);
  const bad = d.paths.filter((p) => !usable(p));
  if (bad.length) return no(`no usable path on ${bad.map((p) => formatPortal(p.portal)).join(', ')}`);
  if (strict) {
    const names = d.paths.map((p) => p.name as string);
    const stopped = names.filter((n) => {
      const state = readText(join(blockDir(env, n), 'device', 'state'));
      return state !== null && state !== 'running';
    });
    if (stopped.length) return no(`path device ${stopped.join(', ')} is not running`);
    if (multipath) {
      const dm = mapDevice(env, rec.wwid);
      const inMap = dm ? slaves(env, dm) : [];
      const outside = names.filter((n) => !inMap.includes(n));
      if (outside.length) return no(`path device ${outside.join(', ')} is not in the map of ${rec.wwid}`);
    } else if (!names.includes(d.byId.name as string)) {
      return no(`the by-id link of ${rec.wwid} is not a device of LUN ${rec.lun} of ${rec.target}`);
    }
  }
  if (multipath) {
    if (rec.device !== mapperLink(env, rec.wwid)) return no(`the recorded device ${rec.device} is not the map`);
    const m = await inspectMap(env, rec.wwid);
    if (!mapReady(m)) return no(`the map of ${rec.wwid} is not ready`);
    if (strict && (m.activePaths !== portals.length || m.totalPaths !== portals.length))
      return no(`the map of ${rec.wwid} has ${m.activePaths} active of ${m.totalPaths} paths, ${portals.length} expected`);
  }
  const size = linkState(env, rec.device).sizeBytes ?? 0;
  if (size === 0) return no(`${rec.device} is missing or has size 0`);
  return {
    ok: true,
    result: {
      device: rec.device,
      wwid: rec.wwid,
      sizeBytes: size,
      multipath,
      portals: portals.map((p) => ({ address: p.address, port: p.port, ok: true })),
      degraded: false,
      recordPath: recordPath(env, rec.storageId, rec.target, rec.lun),
    },
  };
}

export async function alreadyActive(env: HostEnv, rec: LunRecord, portals: Portal[], multipath: boolean): Promise<ActivateResult | null> {
  const c = await checkActive(env, rec, portals, multipath);
  if (!c.ok) return null;
  env.log.debug(`LUN ${rec.lun} of ${rec.target} is already active as ${rec.device}`);
  return c.result;
}
