// Unpublish: detach the LUN, delete the target when its last LUN goes, and for a snapshot
// remove its export clone.
import { physicalVolume, type StorageContext } from '../context';
import { unpublishPhysical, type Detached } from './detach';
import { exportCloneOf, removeExportClone } from './exportClone';

export interface Unpublished {
  volume: string;
  snapshot: string | null;
  /** False when it was not published (nothing to do). */
  wasPublished: boolean;
  detached: Detached[];
  exportCloneDeleted: boolean;
}

export async function unpublish(ctx: StorageContext, req: { volume: string; snapshot?: string }): Promise<Unpublished> {
  const base = { volume: req.volume, snapshot: req.snapshot ?? null };
  if (req.snapshot === undefined) {
    const detached = await unpublishPhysical(ctx, physicalVolume(ctx, req.volume));
    return { ...base, wasPublished: detached.length > 0, detached, exportCloneDeleted: false };
  }
  const { detached, deleted } = await removeExportClone(ctx, exportCloneOf(ctx, req.volume, req.snapshot).clone);
  return { ...base, wasPublished: detached.length > 0, detached, exportCloneDeleted: deleted };
}
