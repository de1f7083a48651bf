// A snapshot is published through its export clone: a read-only, thin clone named
// se_<snap>_<B32(volume)> (upstream-compatible), created on publish and removed on unpublish.
// Its existence is guarded by its own lock (lockKeys.volume): a publish of the snapshot and a
// removal (unpublish, snapshot delete, cleanup) never interleave.
import { ExistsError, isMissing, NotFoundError } from '../../errors';
import { cloneVolume, deleteVolume, findSnapshot, findVolume } from '../../jovian';
import { exportClonePhysical, withClusterPrefix } from '../arrayNames';
import { physicalSnapshot, physicalVolume, type StorageContext } from '../context';
import { unpublishPhysical, type Detached } from './detach';
import { lockKeys } from './locking';

export interface ExportClone {
  volume: string;
  snapshot: string;
  clone: string;
  /** For messages. */
  label: string;
}

export function exportCloneOf(ctx: StorageContext, volume: string, sid: string): ExportClone {
  return {
    volume: physicalVolume(ctx, volume),
    snapshot: physicalSnapshot(sid),
    clone: exportClonePhysical(sid, withClusterPrefix(volume, ctx.clusterPrefix)),
    label: `snapshot ${sid} of volume ${volume}`,
  };
}

/** What is published for a volume, or for one of its snapshots: the volume itself or the export clone. */
export function publishedPhysical(ctx: StorageContext, volume: string, sid?: string | null): string {
  return sid === undefined || sid === null ? physicalVolume(ctx, volume) : exportCloneOf(ctx, volume, sid).clone;
}

/** Proves the snapshot exists by a read, before anything is changed for it. */
export async function requireSnapshot(ctx: StorageContext, exp: ExportClone): Promise<void> {
  if (!(await findSnapshot(ctx.rest, exp.volume, exp.snapshot))) throw new NotFoundError(`${exp.label} does not exist`);
}

/** Returns true when this call created the clone. The caller holds the clone's lock. */
export async function ensureExportClone(ctx: StorageContext, exp: ExportClone): Promise<boolean> {
  try {
    await cloneVolume(ctx.rest, { source: exp.volume, snapshot: exp.snapshot, name: exp.clone, thin: true, readonly: true });
    ctx.log.info(`created export clone ${exp.clone} of ${exp.volume}@${exp.snapshot}`);
    return true;
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`${exp.label} does not exist`);
    if (!(e instanceof ExistsError)) throw e;
  }
  const existing = await findVolume(ctx.rest, exp.clone);
  if (existing?.origin?.volume === exp.volume && existing.origin.snapshot === exp.snapshot) return false;
  throw new ExistsError(`${exp.clone} exists on the array but is not the export clone of ${exp.label}`);
}

export async function removeExportClone(ctx: StorageContext, clone: string): Promise<{ detached: Detached[]; deleted: boolean }> {
  return ctx.locks.run(lockKeys.volume(ctx, clone), `remove export clone ${clone}`, () => removeExportCloneLocked(ctx, clone));
}

/** removeExportClone for a caller that holds the clone's lock already. */
export async function removeExportCloneLocked(ctx: StorageContext, clone: string): Promise<{ detached: Detached[]; deleted: boolean }> {
  const detached = await unpublishPhysical(ctx, clone);
  try {
    await deleteVolume(ctx.rest, clone, { recursive: true });
    return { detached, deleted: true };
  } catch (e) {
    if (isMissing(e)) return { detached, deleted: false };
    throw e;
  }
}
