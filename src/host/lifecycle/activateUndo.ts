// Undo of a failed activation: remove exactly what that call created — its map, this LUN's
// SCSI disks (unless the LUN was already active before), the sessions it logged in (unless
// another LUN of ours now uses them) and the node records it created. Runs on what is left of
// the invocation (activation stopped early to leave it that reserve), at least a few seconds
// even when nothing is left, never more than the cleanup budget; never throws.
import { Deadline } from '../../util/deadline';
import { tuning } from '../core/defaults';
import { mapDevice } from '../devices/links';
import { listSessions, nodeDelete, sessionsFor } from '../iscsi/iscsiadm';
import type { Session } from '../iscsi/parse';
import { removeWwid } from '../multipath/tool';
import { formatPortal, samePortal } from '../iscsi/portal';
import { deletePaths, lunPathDevices, mapInUse, mapUsers, releasePortal, removeMap, type LunRef } from './teardown';
import type { HostEnv, Portal } from '../core/types';

export interface ActivationProgress {
  /** Node records this call created. */
  createdNodes: Portal[];
  /** Portals this call logged in (not those that already had a session). */
  createdSessions: Portal[];
  /** `multipath -a` was run for the WWID. */
  wwidAdded: boolean;
  /** No map existed for the WWID when this call started on the map. */
  createdMap: boolean;
  /** The same LUN (same WWID) had a record before: its devices are not ours to remove. */
  hadRecord: boolean;
}

async function step(env: HostEnv, what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    env.log.warn(`undo after failed activation: ${what}: ${(e as Error).message}`);
  }
}

/** An undo that finds nothing left still gets this long: most undos are one or two quick calls. */
const UNDO_FLOOR_MS = 3_000;

export async function undoActivation(parent: HostEnv, ref: LunRef, progress: ActivationProgress): Promise<void> {
  const budget = Math.min(tuning(parent).cleanupBudgetMs, Math.max(parent.deadline.remaining(), UNDO_FLOOR_MS));
  const env: HostEnv = { ...parent, deadline: new Deadline(parent.clock, budget) };
  env.log.info(`undoing partial activation of LUN ${ref.lun} on ${ref.target}`);
  let sessions: Session[] = [];
  await step(env, 'listing sessions', async () => {
    sessions = await listSessions(env);
  });
  const mapBusy = mapInUse(await mapUsers(env, ref.wwid).catch(() => null));
  if (!progress.hadRecord && !mapBusy) {
    await step(env, 'deleting SCSI devices', () => deletePaths(env, lunPathDevices(env, ref, sessions)));
  }
  if (progress.createdMap && !mapBusy) {
    await step(env, `removing map ${ref.wwid}`, () => removeMap(env, ref.wwid));
  }
  if (progress.wwidAdded && !progress.hadRecord && !mapDevice(env, ref.wwid)) {
    await step(env, `forgetting WWID ${ref.wwid}`, () => removeWwid(env, ref.wwid));
  }
  for (const p of progress.createdSessions) {
    await step(env, `logging out of ${formatPortal(p)}`, async () => {
      const r = await releasePortal(env, ref, p, sessions);
      if (r.action === 'kept') env.log.warn(`undo: kept session on ${formatPortal(p)}: ${r.reason}`);
      else progress.createdNodes = progress.createdNodes.filter((q) => !samePortal(q, p));
    });
  }
  await step(env, 'listing sessions', async () => {
    sessions = await listSessions(env);
  });
  for (const p of progress.createdNodes) {
    if (sessionsFor(sessions, ref.target, p).length > 0) continue; // a session still uses it
    await step(env, `deleting node record ${formatPortal(p)}`, () => nodeDelete(env, ref.target, p));
  }
}
