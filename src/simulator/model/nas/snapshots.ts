// ZFS semantics of NAS snapshots and their clones: create (the tree is copied), destroy,
// rollback check and rollback (`zfs rollback -r`: newer snapshots go, their clones block), clone.
import { errors } from '../../api/errors';
import type { NasSnapshotRec, NasVolumeRec, PoolRec, SimState } from '../model';
import { validateComponent } from '../zfs/names';
import { createNasVolume, datasetNameTaken, nasVolumeById, recharge, refreshOne, removeNasVolumeRecord } from './volumes';

export const nasSnapshotFullName = (pool: PoolRec, vol: NasVolumeRec, snap: NasSnapshotRec) => `${pool.name}/${vol.name}@${snap.name}`;

export function createNasSnapshot(state: SimState, pool: PoolRec, vol: NasVolumeRec, name: string): NasSnapshotRec {
  validateComponent('snapshot', `${pool.name}/${vol.name}@${name}`, name);
  if (vol.snapshots.has(name)) throw errors.snapshotExists(pool.name, vol.name, name);
  refreshOne(state, pool, vol);
  const snap: NasSnapshotRec = {
    id: state.newObjectId(),
    name,
    volumeId: vol.id,
    creationMs: state.clock.now(),
    createtxg: state.nextTxg(),
    guid: state.ids.guid(),
    referenced: vol.used,
    clones: new Set(),
  };
  state.nasStore?.snapshot(pool.name, vol.name, name);
  vol.snapshots.set(name, snap);
  pool.nasSnapshots.set(snap.id, snap);
  state.changed(pool);
  return snap;
}

export function nasClonesOf(pool: PoolRec, snap: NasSnapshotRec): NasVolumeRec[] {
  return [...snap.clones].flatMap((id) => {
    const clone = nasVolumeById(pool, id);
    return clone ? [clone] : [];
  });
}

/** DELETE snapshot: clones block it (errno 1000), as for zvol snapshots without `-R`. */
export function destroyNasSnapshot(state: SimState, pool: PoolRec, vol: NasVolumeRec, snap: NasSnapshotRec): void {
  const clones = nasClonesOf(pool, snap);
  if (clones.length > 0) {
    throw errors.snapshotHasClones(
      nasSnapshotFullName(pool, vol, snap),
      clones.map((c) => `${pool.name}/${c.name}`),
    );
  }
  removeNasSnapshotRecord(state, pool, vol, snap);
}

function removeNasSnapshotRecord(state: SimState, pool: PoolRec, vol: NasVolumeRec, snap: NasSnapshotRec): void {
  vol.snapshots.delete(snap.name);
  pool.nasSnapshots.delete(snap.id);
  state.nasStore?.removeSnapshot(pool.name, vol.name, snap.name);
  state.changed(pool);
}

const newerThan = (vol: NasVolumeRec, snap: NasSnapshotRec) => [...vol.snapshots.values()].filter((s) => s.createtxg > snap.createtxg);

/** GET …/rollback: the newer snapshots (by txg, no same-second blind spot here) and their clones. */
export function nasRollbackCounts(pool: PoolRec, vol: NasVolumeRec, snap: NasSnapshotRec): { snapshots: number; clones: number } {
  const newer = newerThan(vol, snap);
  return { snapshots: newer.length, clones: newer.reduce((n, s) => n + nasClonesOf(pool, s).length, 0) };
}

/** POST …/rollback: destroys the newer snapshots and restores the tree; their clones refuse it all. */
export function nasRollback(state: SimState, pool: PoolRec, vol: NasVolumeRec, snap: NasSnapshotRec): string[] {
  const newer = newerThan(vol, snap);
  const clones = newer.flatMap((s) => nasClonesOf(pool, s));
  if (clones.length > 0) {
    throw errors.rollbackBlockedByClones(
      nasSnapshotFullName(pool, vol, snap),
      clones.map((c) => `${pool.name}/${c.name}`),
    );
  }
  // The tree first: a copy that fails leaves every snapshot in place.
  state.nasStore?.rollback(pool.name, vol.name, snap.name);
  for (const s of newer) removeNasSnapshotRecord(state, pool, vol, s);
  vol.used = snap.referenced;
  refreshOne(state, pool, vol);
  recharge(pool);
  state.changed(pool);
  return newer.map((s) => s.name);
}

/** A clone is a new NAS volume holding a copy of the snapshot's tree; it keeps the source's quota. */
export function cloneNasSnapshot(
  state: SimState,
  pool: PoolRec,
  source: NasVolumeRec,
  snap: NasSnapshotRec,
  input: { name: string; readonly: boolean },
): NasVolumeRec {
  if (datasetNameTaken(pool, input.name)) throw errors.datasetExists(pool.name, input.name);
  const clone = createNasVolume(state, pool, {
    name: input.name,
    quota: source.quota,
    readonly: input.readonly,
    originSnapshotId: snap.id,
  });
  snap.clones.add(clone.id);
  try {
    state.nasStore?.clone(pool.name, source.name, snap.name, clone.name);
  } catch (e) {
    removeNasVolumeRecord(state, pool, clone); // no half-made clone in the model
    throw e;
  }
  clone.used = snap.referenced;
  refreshOne(state, pool, clone);
  recharge(pool);
  state.changed(pool);
  return clone;
}
