// Delete a NAS volume. Refused (exit 5, naming them) while it is shared or has snapshots or
// clones; with `force` its shares and published snapshots are removed first and its snapshots go
// with it. Clones that are NAS volumes of their own always block. Everything is read (and the
// blockers worked out) before the first change.
import { BusyError, isMissing } from '../../errors';
import * as api from '../../jovian';
import type { StorageContext } from '../context';
import { checkNasVolumeName, parseNasSnapshotName } from './names';
import { sharesOfNasVolume } from './shares';
import { nasSnapshotRecords, unpublishNasPhysical } from './snapshots';
import { nasVolumeRecord } from './volumes';

export interface NasBlockers {
  shares: string[];
  snapshots: string[];
  /** Clones of its snapshots that are NAS volumes of their own (not publications). */
  clones: string[];
  /** Snapshots published for file-level restore (clone + share). */
  published: string[];
}

export interface NasDeleteResult {
  name: string;
  sharesDeleted: string[];
  unpublished: string[];
  snapshotsDeleted: string[];
}

/** What keeps a NAS volume from a plain delete, read from the array (no change). */
export async function nasVolumeBlockers(ctx: StorageContext, name: string): Promise<NasBlockers> {
  const dataset = checkNasVolumeName(name);
  await nasVolumeRecord(ctx, dataset);
  const shares = (await sharesOfNasVolume(ctx, dataset)).map((s) => s.name);
  const snapshots = await nasSnapshotRecords(ctx, dataset);
  const clones: string[] = [];
  const published: string[] = [];
  for (const s of snapshots) {
    const list = await api.listNasSnapshotClones(ctx.rest, dataset, s.name).catch((e: unknown) => {
      if (isMissing(e)) return [] as string[]; // deleted since the listing
      throw e;
    });
    for (const c of list) (c === s.name ? published : clones).push(c);
  }
  return { shares, snapshots: snapshots.map((s) => s.name), clones, published };
}

function describe(b: NasBlockers): string {
  const parts: string[] = [];
  if (b.shares.length) parts.push(`shares ${b.shares.join(', ')}`);
  if (b.snapshots.length) parts.push(`snapshots ${b.snapshots.map((s) => parseNasSnapshotName(s).name).join(', ')}`);
  if (b.published.length) parts.push(`published snapshots ${b.published.join(', ')}`);
  if (b.clones.length) parts.push(`clones ${b.clones.join(', ')}`);
  return parts.join('; ');
}

export async function deleteNasVolume(ctx: StorageContext, name: string, opts: { force?: boolean } = {}): Promise<NasDeleteResult> {
  const dataset = checkNasVolumeName(name);
  const b = await nasVolumeBlockers(ctx, dataset);
  if (b.clones.length > 0) {
    throw new BusyError(`NAS volume ${dataset} has dependent clones: ${b.clones.join(', ')}; delete them first`, { ...b }, 'blocked');
  }
  const blocked = b.shares.length + b.snapshots.length + b.published.length > 0;
  if (blocked && !opts.force) {
    throw new BusyError(`NAS volume ${dataset} is in use: ${describe(b)}; remove them first or pass --force`, { ...b }, 'blocked');
  }
  const result: NasDeleteResult = { name: dataset, sharesDeleted: [], unpublished: [], snapshotsDeleted: [] };
  for (const share of b.shares) {
    await api.deleteShare(ctx.rest, share);
    result.sharesDeleted.push(share);
  }
  for (const physical of b.published) {
    await unpublishNasPhysical(ctx, dataset, physical);
    result.unpublished.push(parseNasSnapshotName(physical).name);
  }
  try {
    await api.deleteNasVolume(ctx.rest, dataset, { recursive: b.snapshots.length > 0 });
  } catch (e) {
    if (e instanceof BusyError) throw new BusyError(`NAS volume ${dataset} is still in use on the array: ${e.message}`, e.details);
    throw e;
  }
  result.snapshotsDeleted = b.snapshots.map((s) => parseNasSnapshotName(s).name);
  ctx.log.info(`deleted NAS volume ${dataset}${b.snapshots.length ? ` with ${b.snapshots.length} snapshots` : ''}`);
  return result;
}
