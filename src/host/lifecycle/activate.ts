// Activation: a published LUN becomes a block device on this host. Under the target's node
// lock: refuse a target another storage uses here; per portal a node record (exact target and
// portal) with our settings and CHAP set or cleared — only what differs is written, nothing when
// a live session and the record file prove it right — and a login; wait for the devices (targeted rescans only); the
// multipath map when enabled; finally the LUN record. A partial start (one portal of two) is
// reported, never hidden; a failure undoes what this call created and leaves no record.
import { BusyError, HostError, UsageError } from '../../errors';
import { validateChap } from '../iscsi/chap';
import { lunDevice, mapDevice } from '../devices/links';
import { listSessions, login, nodeDelete, nodeNew, nodeShow, sessionsFor } from '../iscsi/iscsiadm';
import { applyNodeSettings, nodeRecordProven } from '../iscsi/nodeRecord';
import type { Session } from '../iscsi/parse';
import { withLock, targetLockKey } from '../state/lock';
import { tuning } from '../core/defaults';
import { ensureMap } from '../multipath/mapStage';
import { assertWwid } from '../multipath/tool';
import { MAX_HOST_LUN, formatPortal, portal as makePortal, samePortal, uniquePortals } from '../iscsi/portal';
import {
  assertStorageId,
  assertTarget,
  findRecord,
  otherStoragesOnTarget,
  sameVolume,
  writeRecord,
  type LunRecord,
} from '../state/records';
import { undoActivation, type ActivationProgress } from './activateUndo';
import { alreadyActive } from './activateFast';
import { deactivateLocked } from './deactivate';
import { linkState, usable, waitForLun } from '../devices/waitDevice';
import type { HostEnv, Portal } from '../core/types';

import type { ActivateRequest, ActivateResult, PortalOutcome } from './activateTypes';
export type { ActivateRequest, ActivateResult, PortalOutcome } from './activateTypes';

function validate(req: ActivateRequest): Portal[] {
  assertStorageId(req.storageId);
  assertTarget(req.target);
  assertWwid(req.wwid);
  if (!Number.isInteger(req.lun) || req.lun < 0 || req.lun > MAX_HOST_LUN)
    throw new UsageError(`LUN must be an integer 0-${MAX_HOST_LUN}, got ${req.lun}`);
  if (!req.volume) throw new UsageError('volume name is required');
  if (req.chap) validateChap(req.chap);
  const portals = uniquePortals(req.portals.map((p) => makePortal(p.address, p.port)));
  if (portals.length === 0) throw new UsageError('at least one iSCSI portal is required');
  return portals;
}

export async function activate(env: HostEnv, req: ActivateRequest): Promise<ActivateResult> {
  const portals = validate(req);
  const withSecret: HostEnv = req.chap ? { ...env, secrets: [...(env.secrets ?? []), req.chap.secret] } : env;
  if (req.chap) env.log.addSecret(req.chap.secret);
  // The lock wait and the bring-up stop early enough that an undo still fits in the caller's
  // time (measured: 16 activations at once under load spent the whole deadline, and an undo
  // begun after it was killed with the process, leaving sessions and maps behind).
  const scoped: HostEnv = { ...withSecret, deadline: env.deadline.reserving(undoReserveMs(env)) };
  return withLock(scoped, targetLockKey(req.target), `activate ${req.volume}`, () => activateLocked(scoped, withSecret, req, portals));
}

/** A quarter of what is left, at least 10 s (never more than half), at most the cleanup budget. */
function undoReserveMs(env: HostEnv): number {
  const left = env.deadline.remaining();
  return Math.min(tuning(env).cleanupBudgetMs, Math.max(left / 4, Math.min(10_000, left / 2)));
}

async function prepareRecord(env: HostEnv, req: ActivateRequest, p: Portal, live: boolean, progress: ActivationProgress): Promise<void> {
  const chap = req.chap ?? null;
  if (live && nodeRecordProven(env, req.target, p, chap)) return;
  const shown = await nodeShow(env, req.target, p);
  if (shown === null) {
    await nodeNew(env, req.target, p);
    progress.createdNodes.push(p);
  }
  await applyNodeSettings(env, req.target, p, chap, shown);
}

/** A portal that failed keeps no node record this call created (a later activation starts clean). */
async function forgetCreatedNode(env: HostEnv, target: string, p: Portal, progress: ActivationProgress): Promise<void> {
  const i = progress.createdNodes.findIndex((q) => samePortal(q, p));
  if (i < 0) return;
  try {
    await nodeDelete(env, target, p);
    progress.createdNodes.splice(i, 1);
  } catch (e) {
    env.log.warn(`cannot delete node record of failed portal ${formatPortal(p)}: ${(e as Error).message}`);
  }
}

/** Node record and login on one portal; failures become the portal's outcome. */
async function bringUpPortal(
  env: HostEnv,
  req: ActivateRequest,
  p: Portal,
  existing: Session[],
  progress: ActivationProgress,
): Promise<PortalOutcome> {
  const base = { address: p.address, port: p.port };
  const live = sessionsFor(existing, req.target, p).length > 0;
  try {
    await prepareRecord(env, req, p, live, progress);
  } catch (e) {
    if (!(e instanceof HostError)) throw e;
    await forgetCreatedNode(env, req.target, p, progress);
    return { ...base, ok: false, errorKind: 'record', error: e.message };
  }
  if (live) return { ...base, ok: true };
  const out = await login(env, req.target, p);
  if (out.ok) {
    if (!out.already) progress.createdSessions.push(p);
    env.log.info(`logged in to ${formatPortal(p)} for ${req.target}`);
    return { ...base, ok: true };
  }
  env.log.warn(`login to ${formatPortal(p)} for ${req.target} failed: ${out.message}`);
  await forgetCreatedNode(env, req.target, p, progress);
  return { ...base, ok: false, errorKind: out.kind, error: out.message };
}

async function activateLocked(env: HostEnv, outer: HostEnv, req: ActivateRequest, portals: Portal[]): Promise<ActivateResult> {
  const others = otherStoragesOnTarget(env, req.storageId, req.target);
  if (others.length) {
    throw new BusyError(
      `target ${req.target} is already used on this host by storage ${others.join(', ')}; different storages must use different target_prefix values`,
      { reason: 'target_shared', target: req.target, storages: others },
      'blocked',
    );
  }
  const snapshot = req.snapshot ?? null;
  let prior = findRecord(env, req.storageId, req.target, req.lun);
  if (prior && !sameVolume(prior, { wwid: req.wwid, volume: req.volume, snapshot })) {
    // The LUN number now carries another volume: what we recorded for it is stale.
    env.log.warn(`LUN ${req.lun} of ${req.target} was recorded for ${prior.volume} (WWID ${prior.wwid}); tearing that down first`);
    await deactivateLocked(env, prior);
    prior = null;
  }
  if (prior) {
    const current = await alreadyActive(env, prior, portals, req.multipath);
    if (current) return current;
  }
  const progress: ActivationProgress = {
    createdNodes: [],
    createdSessions: [],
    wwidAdded: false,
    createdMap: false,
    hadRecord: prior !== null,
  };
  try {
    return await bringUp(env, req, portals, snapshot, progress, prior?.createdAt);
  } catch (e) {
    await undoActivation(outer, { storageId: req.storageId, target: req.target, lun: req.lun, wwid: req.wwid, portals }, progress);
    throw e;
  }
}

function failedPortals(outcomes: PortalOutcome[]): string {
  return outcomes
    .filter((o) => !o.ok)
    .map((o) => `${formatPortal(o)} (${o.error})`)
    .join('; ');
}

async function bringUp(
  env: HostEnv,
  req: ActivateRequest,
  portals: Portal[],
  snapshot: string | null,
  progress: ActivationProgress,
  createdAt?: string,
): Promise<ActivateResult> {
  const before = await listSessions(env);
  const outcomes: PortalOutcome[] = [];
  for (const p of portals) outcomes.push(await bringUpPortal(env, req, p, before, progress));

  // Listed again only when a portal logged in: sessions that were live before need no new look.
  const loggedIn = portals.some((p, i) => outcomes[i].ok && sessionsFor(before, req.target, p).length === 0);
  const sessions = loggedIn ? await listSessions(env) : before;
  for (const [i, p] of portals.entries()) {
    if (outcomes[i].ok && sessionsFor(sessions, req.target, p).length === 0) {
      outcomes[i] = {
        ...outcomes[i],
        ok: false,
        errorKind: 'other',
        error: `login to ${formatPortal(p)} reported success but no session to ${req.target} is listed`,
      };
    }
  }
  const up = portals.filter((_, i) => outcomes[i].ok);
  if (up.length === 0) {
    const auth = outcomes.every((o) => o.errorKind === 'auth');
    const why = outcomes.map((o) => `${formatPortal(o)}: ${o.error}`).join('; ');
    throw new HostError(`could not log in to any portal of ${req.target}: ${why}`, {
      reason: auth ? 'chap_auth_failed' : 'login_failed',
      target: req.target,
      portals: outcomes,
    });
  }

  const ours = up.flatMap((p) => sessionsFor(sessions, req.target, p));
  const { devices, complete } = await waitForLun(env, {
    target: req.target,
    lun: req.lun,
    wwid: req.wwid,
    portals: up,
    sessions: ours,
  }).catch((e) => {
    // Say why the other portals are not in the picture either.
    if (e instanceof HostError && outcomes.some((o) => !o.ok))
      throw new HostError(`${e.message}; not logged in: ${failedPortals(outcomes)}`, e.details);
    throw e;
  });
  if (!complete) {
    for (const path of devices.paths.filter((d) => !usable(d))) {
      const i = portals.findIndex((p) => samePortal(p, path.portal));
      outcomes[i] = {
        ...outcomes[i],
        ok: false,
        errorKind: 'no-device',
        error: `no usable device appeared on ${formatPortal(path.portal)} for LUN ${req.lun}`,
      };
    }
  }

  if (req.multipath) {
    const disks = devices.paths.flatMap((d) => (usable(d) && d.name ? [d.name] : []));
    progress.wwidAdded = true;
    progress.createdMap = mapDevice(env, req.wwid) === null;
    await ensureMap(env, req.wwid, disks);
  }
  const device = lunDevice(env, req.wwid, req.multipath);
  const size = linkState(env, device).sizeBytes ?? 0;
  if (size === 0)
    throw new HostError(`${device} is not usable after activation (size 0 or missing)`, { reason: 'device_unusable', device });

  const record: LunRecord = {
    version: 1,
    storageId: req.storageId,
    pool: req.pool,
    volume: req.volume,
    snapshot,
    target: req.target,
    lun: req.lun,
    wwid: req.wwid,
    portals,
    multipath: req.multipath,
    device,
    createdAt: createdAt ?? new Date(env.clock.now()).toISOString(),
  };
  const recordPath = writeRecord(env, record);
  const degraded = outcomes.some((o) => !o.ok);
  if (degraded) env.log.warn(`${req.volume} activated DEGRADED: ${failedPortals(outcomes)}`);
  return { device, wwid: req.wwid, sizeBytes: size, multipath: req.multipath, portals: outcomes, degraded, recordPath };
}
