// Rollback with the same-second data-loss bug closed (the appliance's own count misses a snapshot
// taken in the same second as the target, and upstream trusted it): what a rollback would
// destroy is worked out from the snapshots' creation transaction groups (createtxg, the order
// ZFS destroys by), unioned with the appliance's own count — never the count alone, and never
// a one-second `creation` time where the txg is known. Clones always block.
import { BusyError, NotFoundError, OutcomeUnknownError } from '../../errors';
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
  /**
   * `before`: every snapshot listed before the rollback, so `destroyed` misses none;
   * `newer`: those the rollback destroys (or may), by physical name.
   */
  physical: { volume: string; snapshot: string; before: string[]; newer: string[] };
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

  const newer = await newerThan(ctx, vol, target, records);
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
    physical: { volume: vol, snapshot: snap, before: records.map((r) => r.name), newer: newer.map((r) => r.name) },
  };
}

type Order = 'older' | 'newer' | 'unknown';

/**
 * Snapshots a rollback to `target` would destroy, or that may be among them. The order is the
 * createtxg of each snapshot (read from its own GET: the v4 listing does not carry it), never
 * the `creation` second, which ties for snapshots taken within one second (upstream lost data that way).
 * Where a txg cannot be read, a snapshot counts as older only if its `creation` is in an
 * earlier second than the target's; in the same second, later or unknown it counts as possibly
 * newer — the safe side: it blocks (and names its clones) rather than being destroyed unnamed.
 */
async function newerThan(
  ctx: StorageContext,
  vol: string,
  target: snaps.SnapshotRecord,
  records: snaps.SnapshotRecord[],
): Promise<snaps.SnapshotRecord[]> {
  // Read only when there is another snapshot to order against: a volume with just the target
  // has nothing a rollback could destroy (the appliance's count stays the second opinion).
  const others = records.filter((r) => r !== target);
  const targetTxg = target.createtxg ?? (others.length > 0 ? (await snaps.findSnapshot(ctx.rest, vol, target.name))?.createtxg : undefined);
  const newer: snaps.SnapshotRecord[] = [];
  for (const r of others) {
    let txg = r.createtxg;
    if (txg === undefined && targetTxg !== undefined) {
      const single = await snaps.findSnapshot(ctx.rest, vol, r.name);
      if (!single) continue; // deleted since the listing: nothing for the rollback to destroy
      txg = single.createtxg;
    }
    if (order(r, txg, target, targetTxg) !== 'older') newer.push(r);
  }
  return newer;
}

function order(r: snaps.SnapshotRecord, txg: number | undefined, target: snaps.SnapshotRecord, targetTxg: number | undefined): Order {
  if (txg !== undefined && targetTxg !== undefined) return txg > targetTxg ? 'newer' : 'older';
  if (r.creation !== undefined && target.creation !== undefined && r.creation < target.creation) return 'older';
  return 'unknown';
}

export async function rollbackCheck(ctx: StorageContext, volume: string, sid: string): Promise<RollbackCheck> {
  const { physical: _p, ...check } = await analyse(ctx, volume, sid);
  return check;
}

/**
 * Whether a rollback whose answer was lost is in place, read from the listing. The newer
 * snapshots all gone: it applied. Still there: it did not, and a resend does exactly what was
 * analysed. With nothing newer the listing cannot tell, but a resend converges (it rolls back to
 * the latest snapshot again). A snapshot that was not there before is one a resend would destroy
 * unanalysed: then jdssc stops and says so instead.
 */
async function rolledBack(ctx: StorageContext, volume: string, sid: string, p: Analysis['physical']): Promise<boolean> {
  const now = (await snaps.listSnapshots(ctx.rest, p.volume)).map((r) => r.name);
  const before = new Set(p.before);
  const appeared = now.filter((n) => !before.has(n));
  const newerLeft = p.newer.filter((n) => now.includes(n));
  if (p.newer.length > 0 && newerLeft.length === 0) return true;
  if (appeared.length > 0) {
    throw new OutcomeUnknownError(
      `the answer to the rollback of ${volume} to ${sid} was lost, and snapshots appeared since (${appeared.map(label).join(', ')}); check the volume before retrying`,
      { volume, snapshot: sid, appeared: appeared.map(label) },
    );
  }
  return false;
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
  await snaps.rollback(ctx.rest, a.physical.volume, a.physical.snapshot, () => rolledBack(ctx, volume, sid, a.physical));
  const left = new Set((await snaps.listSnapshots(ctx.rest, a.physical.volume)).map((r) => r.name));
  const destroyed = a.physical.before.filter((n) => n !== a.physical.snapshot && !left.has(n)).map(label);
  // Snapshots the appliance counted but the listing did not show went too; they have no name here.
  destroyed.push(...a.blockers.snapshots.filter((b) => b === '(unlisted snapshot)'));
  ctx.log.info(`rolled back ${a.physical.volume} to ${a.physical.snapshot}; destroyed: ${destroyed.join(', ') || 'none'}`);
  return { volume, snapshot: sid, destroyed };
}
