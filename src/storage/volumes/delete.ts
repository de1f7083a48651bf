// Delete a volume, its snapshots (with --cascade) and the export clones of those snapshots.
// Never reports success while the volume remains: dependent clones fail the delete (exit 5)
// and are named (upstream's jdssc exited 0 on such a delete while the zvol stayed).
import { BusyError, isMissing } from '../../errors';
import * as snaps from '../../jovian';
import * as api from '../../jovian';
import { isExportCloneName, parseSnapshotName } from '../arrayNames';
import { displayName, physicalVolume, type StorageContext } from '../context';
import { removeExportClone } from '../targets/exportClone';
import { unpublishPhysical, type Detached } from '../targets/detach';
import { getVolumeRecord } from './volumes';

export interface DeleteResult {
  name: string;
  /** Snapshots destroyed with the volume; null when one recursive delete did it without listing them. */
  snapshots: string[] | null;
  exportClones: string[];
  unpublished: Detached[];
  /** The snapshot on the source volume that this clone was made from, removed with it. */
  intermediateSnapshot: string | null;
}

export async function deleteVolume(ctx: StorageContext, name: string, opts: { cascade: boolean }): Promise<DeleteResult> {
  const physical = physicalVolume(ctx, name);
  const vol = await getVolumeRecord(ctx, physical, name);
  const result: DeleteResult = { name, snapshots: null, exportClones: [], unpublished: [], intermediateSnapshot: null };
  try {
    // Fast path: nothing attached, nothing depending on it — one request.
    await api.deleteVolume(ctx.rest, physical, { recursive: opts.cascade });
  } catch (e) {
    if (!(e instanceof BusyError)) throw e;
    await clearDependents(ctx, name, physical, opts.cascade, result);
    try {
      await api.deleteVolume(ctx.rest, physical, { recursive: opts.cascade });
    } catch (again) {
      if (again instanceof BusyError) throw new BusyError(`volume ${name} is still in use on the array: ${again.message}`, again.details);
      throw again;
    }
  }
  result.intermediateSnapshot = await removeIntermediateSnapshot(ctx, physical, vol);
  ctx.log.info(`deleted volume ${physical}`);
  return result;
}

/** Works out why the array refused and removes what jdssc itself created; anything else blocks. */
async function clearDependents(ctx: StorageContext, name: string, physical: string, cascade: boolean, result: DeleteResult): Promise<void> {
  const snapshots = await snaps.listSnapshots(ctx.rest, physical);
  const volumeClones: string[] = [];
  const exportClones: string[] = [];
  for (const s of snapshots) {
    for (const clone of await snaps.listSnapshotClones(ctx.rest, physical, s.name)) {
      (isExportCloneName(clone) ? exportClones : volumeClones).push(clone);
    }
  }
  if (volumeClones.length > 0) {
    const names = volumeClones.map((c) => displayName(ctx, c));
    throw new BusyError(`volume ${name} has dependent clones: ${names.join(', ')}; delete them first`, { clones: names });
  }
  if (snapshots.length > 0 && !cascade) {
    const names = snapshots.map((s) => parseSnapshotName(s.name).name);
    throw new BusyError(`volume ${name} has snapshots (${names.join(', ')}); pass --cascade to delete them with it`, { snapshots: names });
  }
  result.snapshots = snapshots.filter((s) => parseSnapshotName(s.name).kind === 'user').map((s) => parseSnapshotName(s.name).name);
  result.unpublished.push(...(await unpublishPhysical(ctx, physical)));
  for (const clone of exportClones) {
    result.unpublished.push(...(await removeExportClone(ctx, clone)).detached);
    result.exportClones.push(displayName(ctx, clone));
  }
}

/**
 * A whole-volume clone hangs off a snapshot of its source named after the clone; it has no
 * other use, so it goes with the clone (unless something else was cloned from it).
 */
async function removeIntermediateSnapshot(ctx: StorageContext, physical: string, vol: api.VolumeRecord): Promise<string | null> {
  // Named after the clone when made; a renamed clone keeps its old name there, so the kind counts.
  if (!vol.origin || (vol.origin.snapshot !== physical && parseSnapshotName(vol.origin.snapshot).kind !== 'clone-source')) return null;
  try {
    await snaps.deleteSnapshot(ctx.rest, vol.origin.volume, vol.origin.snapshot);
    return `${displayName(ctx, vol.origin.volume)}@${vol.origin.snapshot}`;
  } catch (e) {
    if (isMissing(e)) return null;
    if (e instanceof BusyError) {
      ctx.log.warn(`kept ${vol.origin.volume}@${vol.origin.snapshot}: other clones depend on it`);
      return null;
    }
    throw e;
  }
}
