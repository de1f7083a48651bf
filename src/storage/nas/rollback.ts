// Rollback of a NAS volume to one of its snapshots. What it would destroy (newer snapshots and
// their clones) is worked out from createtxg, unioned with the appliance's own count, as for
// volume snapshots. Blockers refuse it (exit 5, naming them) unless `force`: then published
// newer snapshots are unpublished first and the rollback destroys the newer snapshots. Clones
// that are NAS volumes of their own always block. Every read is made before the first change.
import { BusyError, NotFoundError, OutcomeUnknownError } from '../../errors';
import * as api from '../../jovian';
import type { StorageContext } from '../context';
import { parseNasSnapshotName } from './names';
import { nasSnapshotRecords, resolveNasSnapshot, unpublishNasPhysical, type NasSnapshotRef } from './snapshots';

export interface NasRollbackCheck {
  nasVolume: string;
  snapshot: string;
  possible: boolean;
  blockers: { snapshots: string[]; published: string[]; clones: string[] };
}

export interface NasRollbackResult {
  nasVolume: string;
  snapshot: string;
  destroyed: string[];
  unpublished: string[];
}

interface Analysis extends NasRollbackCheck {
  dataset: string;
  physical: string;
  before: string[];
  /** Physical names of the newer snapshots, and of those of them that are published. */
  newer: string[];
  newerPublished: string[];
}

const label = (physical: string) => parseNasSnapshotName(physical).name;

async function analyse(ctx: StorageContext, ref: NasSnapshotRef): Promise<Analysis> {
  const { dataset, physical } = resolveNasSnapshot(ctx, ref);
  const records = await nasSnapshotRecords(ctx, dataset);
  const target = records.find((r) => r.name === physical);
  if (!target)
    throw new NotFoundError(`snapshot ${ref.snapshot} of NAS volume ${dataset} does not exist`, {
      nasVolume: dataset,
      snapshot: ref.snapshot,
    });
  const txgOf = async (r: api.NasSnapshotRecord) => r.createtxg ?? (await api.findNasSnapshot(ctx.rest, dataset, r.name))?.createtxg;
  const targetTxg = await txgOf(target);
  const newer: api.NasSnapshotRecord[] = [];
  for (const r of records) {
    if (r === target) continue;
    const txg = targetTxg === undefined ? undefined : await txgOf(r);
    const older =
      txg !== undefined && targetTxg !== undefined
        ? txg < targetTxg
        : r.creation !== undefined && target.creation !== undefined && r.creation < target.creation;
    if (!older) newer.push(r);
  }
  const clones: string[] = [];
  const published: string[] = [];
  for (const r of newer) {
    for (const c of await api.listNasSnapshotClones(ctx.rest, dataset, r.name)) (c === r.name ? published : clones).push(c);
  }
  const snapshots = newer.map((r) => label(r.name));
  const counted = await api.nasRollbackCounts(ctx.rest, dataset, physical);
  // The listing may lag behind; trust whichever sees more.
  for (let i = snapshots.length; i < counted.snapshots; i++) snapshots.push('(unlisted snapshot)');
  for (let i = clones.length + published.length; i < counted.clones; i++) clones.push('(unlisted clone)');
  return {
    nasVolume: dataset,
    snapshot: ref.snapshot,
    possible: snapshots.length === 0 && clones.length === 0 && published.length === 0,
    blockers: { snapshots, published: published.map(label), clones },
    dataset,
    physical,
    before: records.map((r) => r.name),
    newer: newer.map((r) => r.name),
    newerPublished: published,
  };
}

export async function rollbackNasCheck(ctx: StorageContext, ref: NasSnapshotRef): Promise<NasRollbackCheck> {
  const a = await analyse(ctx, ref);
  return { nasVolume: a.nasVolume, snapshot: a.snapshot, possible: a.possible, blockers: a.blockers };
}

export async function rollbackNasVolume(
  ctx: StorageContext,
  ref: NasSnapshotRef,
  opts: { force?: boolean } = {},
): Promise<NasRollbackResult> {
  const a = await analyse(ctx, ref);
  const what = `rollback of NAS volume ${a.dataset} to ${ref.snapshot}`;
  if (a.blockers.clones.length > 0) {
    throw new BusyError(
      `${what} is blocked by clones of newer snapshots: ${a.blockers.clones.join(', ')}; delete them first`,
      { ...a.blockers },
      'blocked',
    );
  }
  if (!a.possible && !opts.force) {
    const parts = [`newer snapshots: ${a.blockers.snapshots.join(', ')}`];
    if (a.blockers.published.length) parts.push(`published: ${a.blockers.published.join(', ')}`);
    throw new BusyError(`${what} would destroy ${parts.join('; ')}; delete them or pass --force`, { ...a.blockers }, 'blocked');
  }
  // Published newer snapshots are clones, which a rollback refuses: they go first. The newer
  // snapshots themselves the rollback destroys (zfs rollback -r).
  for (const p of a.newerPublished) await unpublishNasPhysical(ctx, a.dataset, p);
  await api.nasRollback(ctx.rest, a.dataset, a.physical, async () => {
    // The answer was lost. Every newer snapshot gone: it applied. Still there: it did not, and a
    // resend does what was analysed. With nothing newer the listing cannot tell, but a resend
    // converges. A snapshot that appeared since would be destroyed unanalysed: stop instead.
    const now = (await api.listNasSnapshots(ctx.rest, a.dataset)).map((r) => r.name);
    if (a.newer.length > 0 && a.newer.every((n) => !now.includes(n))) return true;
    const appeared = now.filter((n) => !a.before.includes(n));
    if (appeared.length > 0) {
      throw new OutcomeUnknownError(
        `the answer to the ${what} was lost, and snapshots appeared since (${appeared.map(label).join(', ')}); check the NAS volume before retrying`,
        { nasVolume: a.dataset, snapshot: ref.snapshot, appeared: appeared.map(label) },
      );
    }
    return false;
  });
  const left = new Set((await api.listNasSnapshots(ctx.rest, a.dataset)).map((r) => r.name));
  const destroyed = a.before.filter((n) => n !== a.physical && !left.has(n)).map(label);
  ctx.log.info(`rolled back NAS volume ${a.dataset} to ${a.physical}; destroyed: ${destroyed.join(', ') || 'none'}`);
  return { nasVolume: a.dataset, snapshot: ref.snapshot, destroyed, unpublished: a.newerPublished.map(label) };
}
