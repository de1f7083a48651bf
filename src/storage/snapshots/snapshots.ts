// Snapshot lifecycle: create, delete (export clones first; volume clones block), list.
import { BusyError, ExistsError, isMissing, NotFoundError } from '../../errors';
import * as snaps from '../../jovian';
import { isExportCloneName, parseSnapshotName } from '../arrayNames';
import { displayName, physicalSnapshot, physicalVolume, type StorageContext } from '../context';
import { removeExportClone } from '../targets/exportClone';

export interface SnapshotView {
  name: string;
  guid: string | null;
  creation: number | null;
  size: number | null;
}

export interface CreateSnapshotResult {
  volume: string;
  snapshot: string;
  created: boolean;
}

export async function createSnapshot(
  ctx: StorageContext,
  volume: string,
  sid: string,
  opts: { ifNotExists?: boolean } = {},
): Promise<CreateSnapshotResult> {
  const vol = physicalVolume(ctx, volume);
  const snap = physicalSnapshot(sid);
  try {
    await snaps.createSnapshot(ctx.rest, vol, snap);
  } catch (e) {
    if (e instanceof ExistsError) {
      if (opts.ifNotExists) return { volume, snapshot: sid, created: false };
      throw new ExistsError(`snapshot ${sid} of volume ${volume} already exists`, { volume, snapshot: sid });
    }
    if (isMissing(e)) throw new NotFoundError(`volume ${volume} does not exist`, { volume });
    throw e;
  }
  ctx.log.info(`created snapshot ${vol}@${snap}`);
  return { volume, snapshot: sid, created: true };
}

export interface DeleteSnapshotResult {
  volume: string;
  snapshot: string;
  deleted: boolean;
  exportClones: string[];
}

export async function deleteSnapshot(
  ctx: StorageContext,
  volume: string,
  sid: string,
  opts: { ifExists?: boolean } = {},
): Promise<DeleteSnapshotResult> {
  const vol = physicalVolume(ctx, volume);
  const snap = physicalSnapshot(sid);
  let clones: string[];
  try {
    clones = await snaps.listSnapshotClones(ctx.rest, vol, snap);
  } catch (e) {
    if (!isMissing(e)) throw e;
    if (opts.ifExists) return { volume, snapshot: sid, deleted: false, exportClones: [] };
    throw new NotFoundError(`snapshot ${sid} of volume ${volume} does not exist`, { volume, snapshot: sid });
  }
  const dependents = clones.filter((c) => !isExportCloneName(c)).map((c) => displayName(ctx, c));
  if (dependents.length > 0) {
    throw new BusyError(`snapshot ${sid} of volume ${volume} has dependent clones: ${dependents.join(', ')}; delete them first`, {
      clones: dependents,
    });
  }
  const removed: string[] = [];
  for (const clone of clones) {
    await removeExportClone(ctx, clone);
    removed.push(displayName(ctx, clone));
  }
  try {
    await snaps.deleteSnapshot(ctx.rest, vol, snap);
  } catch (e) {
    if (e instanceof BusyError) throw new BusyError(`snapshot ${sid} of volume ${volume} is in use: ${e.message}`, e.details);
    if (!isMissing(e)) throw e;
  }
  ctx.log.info(`deleted snapshot ${vol}@${snap}`);
  return { volume, snapshot: sid, deleted: true, exportClones: removed };
}

export interface ListSnapshotsResult {
  volume: string;
  snapshots: SnapshotView[];
}

/** User snapshots of a volume (intermediate clone snapshots and foreign names are left out). */
export async function listSnapshots(ctx: StorageContext, volume: string, opts: { withSize?: boolean } = {}): Promise<ListSnapshotsResult> {
  const vol = physicalVolume(ctx, volume);
  const records = await snapshotRecords(ctx, vol, volume);
  const out: SnapshotView[] = [];
  for (const r of records) {
    const parsed = parseSnapshotName(r.name);
    if (parsed.kind !== 'user') continue;
    let size = r.size;
    if (size === undefined && opts.withSize) size = (await snaps.findSnapshot(ctx.rest, vol, r.name))?.size;
    out.push({ name: parsed.name, guid: r.guid ?? null, creation: r.creation ?? null, size: size ?? null });
  }
  return { volume, snapshots: out };
}

/** Every snapshot of a volume as the array lists it (physical names); a missing volume is exit 3. */
export async function snapshotRecords(ctx: StorageContext, physical: string, volume: string): Promise<snaps.SnapshotRecord[]> {
  try {
    return await snaps.listSnapshots(ctx.rest, physical);
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`volume ${volume} does not exist`, { volume });
    throw e;
  }
}
