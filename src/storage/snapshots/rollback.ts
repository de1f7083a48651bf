// Rollback with the same-second data-loss bug closed (reference §8.1): what a rollback would
// destroy is computed from the snapshot listing with an inclusive `>=` on creation, unioned
// with the appliance's own count — never the count alone. Clones always block.
import { BusyError, NotFoundError } from '../../errors';
import * as snaps from '../../jovian';
import { parseSnapshotName } from '../arrayNames';
import { displayName, physicalSnapshot, physicalVolume, type StorageContext } from '../context';
import { snapshotRecords } from './snapshots';

export interface Blockers {
  snapshots: string[];
  clones: string[];
}

export interface RollbackCheck {
  volume: string;
  snapshot: string;
  possible: boolean;
  blockers: Blockers;
}

interface Analysis extends RollbackCheck {
  /** `before`: every snapshot listed before the rollback, so `destroyed` misses none. */
  physical: { volume: string; snapshot: string; before: string[] };
}

function label(physical: string): string {
  const p = parseSnapshotName(physical);
  return p.kind === 'user' ? p.name : physical;
}

async function analyse(ctx: StorageContext, volume: string, sid: string): Promise<Analysis> {
  const vol = physicalVolume(ctx, volume);
  const snap = physicalSnapshot(sid);
  const records = await snapshotRecords(ctx, vol, volume);
  const target = records.find((r) => r.name === snap);
  if (!target) throw new NotFoundError(`snapshot ${sid} of volume ${volume} does not exist`, { volume, snapshot: sid });

  // Inclusive: a snapshot taken in the same second as the target is newer as far as we can tell.
  const newer = records.filter(
    (r) => r !== target && (target.creation === undefined || r.creation === undefined || r.creation >= target.creation),
  );
  const clones: string[] = [];
  for (const r of newer) clones.push(...(await snaps.listSnapshotClones(ctx.rest, vol, r.name)).map((c) => displayName(ctx, c)));

  const blockers: Blockers = { snapshots: newer.map((r) => label(r.name)), clones };
  const counted = await snaps.rollbackCounts(ctx.rest, vol, snap);
  // The listing may lag behind (stale under load); trust whichever sees more.
  for (let i = newer.length; i < counted.snapshots; i++) blockers.snapshots.push('(unlisted snapshot)');
  for (let i = clones.length; i < counted.clones; i++) blockers.clones.push('(unlisted clone)');
  return {
    volume,
    snapshot: sid,
    possible: blockers.snapshots.length === 0 && blockers.clones.length === 0,
    blockers,
    physical: { volume: vol, snapshot: snap, before: records.map((r) => r.name) },
  };
}

export async function rollbackCheck(ctx: StorageContext, volume: string, sid: string): Promise<RollbackCheck> {
  const { physical: _p, ...check } = await analyse(ctx, volume, sid);
  return check;
}

export interface RollbackResult {
  volume: string;
  snapshot: string;
  /** Newer snapshots that are gone after the rollback (read back from the array). */
  destroyed: string[];
}

export async function rollbackVolume(
  ctx: StorageContext,
  volume: string,
  sid: string,
  opts: { destroyNewer: boolean },
): Promise<RollbackResult> {
  const a = await analyse(ctx, volume, sid);
  if (a.blockers.clones.length > 0) {
    throw new BusyError(
      `rollback of ${volume} to ${sid} is blocked by clones of newer snapshots: ${a.blockers.clones.join(', ')}; delete them first`,
      { ...a.blockers },
      'blocked',
    );
  }
  if (a.blockers.snapshots.length > 0 && !opts.destroyNewer) {
    throw new BusyError(
      `rollback of ${volume} to ${sid} would destroy newer snapshots: ${a.blockers.snapshots.join(', ')}; delete them or pass --destroy-newer`,
      { ...a.blockers },
      'blocked',
    );
  }
  await snaps.rollback(ctx.rest, a.physical.volume, a.physical.snapshot);
  const left = new Set((await snaps.listSnapshots(ctx.rest, a.physical.volume)).map((r) => r.name));
  const destroyed = a.physical.before.filter((n) => n !== a.physical.snapshot && !left.has(n)).map(label);
  // Snapshots the appliance counted but the listing did not show went too; they have no name here.
  destroyed.push(...a.blockers.snapshots.filter((b) => b === '(unlisted snapshot)'));
  ctx.log.info(`rolled back ${a.physical.volume} to ${a.physical.snapshot}; destroyed: ${destroyed.join(', ') || 'none'}`);
  return { volume, snapshot: sid, destroyed };
}
