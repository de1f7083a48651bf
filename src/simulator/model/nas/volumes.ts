// ZFS semantics of NAS volumes (filesystem datasets): create with a quota, change quota /
// reservation, destroy, and the pool space they hold (quotas count as used, see docs/NAS.md).
import { errors } from '../../api/errors';
import { available, type NasVolumeRec, type PoolRec, type SimState } from '../model';
import { validateComponent } from '../zfs/names';

export interface CreateNasVolumeInput {
  name: string;
  quota: number;
  reservation?: number;
  readonly?: boolean;
  originSnapshotId?: number | null;
}

export const nasFullName = (pool: PoolRec, vol: NasVolumeRec) => `${pool.name}/${vol.name}`;

/**
 * Pool space a NAS volume holds. A quota counts in full (the contract's choice, so a pool never
 * promises more than it has); a clone holds only what it uses or reserves, as a ZFS clone does.
 */
export function nasCharge(vol: NasVolumeRec): number {
  if (vol.originSnapshotId !== null) return Math.max(vol.reservation, vol.used);
  return Math.max(vol.quota, vol.reservation, vol.used);
}

export function recharge(pool: PoolRec): void {
  let total = 0;
  for (const vol of pool.nasVolumes.values()) total += nasCharge(vol);
  pool.nasChargedBytes = total;
}

/** Re-measure `used` of every NAS volume of the pool from its files (no-op without a data dir). */
export function refreshNasUsage(state: SimState, pool: PoolRec): void {
  const store = state.nasStore;
  if (!store || pool.nasVolumes.size === 0) return;
  for (const vol of pool.nasVolumes.values()) vol.used = store.usedBytes(pool.name, vol.name);
  recharge(pool);
}

export function refreshOne(state: SimState, pool: PoolRec, vol: NasVolumeRec): void {
  if (!state.nasStore) return;
  vol.used = state.nasStore.usedBytes(pool.name, vol.name);
  recharge(pool);
}

/** A dataset name is taken by a zvol or a filesystem alike. */
export function datasetNameTaken(pool: PoolRec, name: string): boolean {
  return pool.nasVolumes.has(name) || pool.volumeIdsByName.has(name);
}

export function createNasVolume(state: SimState, pool: PoolRec, input: CreateNasVolumeInput): NasVolumeRec {
  validateComponent('volume', `${pool.name}/${input.name}`, input.name);
  if (datasetNameTaken(pool, input.name)) throw errors.datasetExists(pool.name, input.name);
  const vol: NasVolumeRec = {
    id: state.newObjectId(),
    name: input.name,
    quota: input.quota,
    reservation: input.reservation ?? 0,
    used: 0,
    creationMs: state.clock.now(),
    createtxg: state.nextTxg(),
    guid: state.ids.guid(),
    readonly: input.readonly ?? false,
    originSnapshotId: input.originSnapshotId ?? null,
    snapshots: new Map(),
  };
  refreshNasUsage(state, pool);
  const free = available(pool);
  if (nasCharge(vol) > free) throw errors.nasNoSpace(pool.name, vol.quota, free);
  // Files first: when the directory cannot be made, the model has not changed (a clone's tree
  // comes from its snapshot: cloneNasSnapshot copies it).
  if (vol.originSnapshotId === null) state.nasStore?.createVolume(pool.name, vol.name);
  pool.nasVolumes.set(vol.name, vol);
  recharge(pool);
  state.changed(pool);
  return vol;
}

/** PUT quota and/or reservation; below used is refused, growth must fit the pool. */
export function modifyNasVolume(state: SimState, pool: PoolRec, vol: NasVolumeRec, change: { quota?: number; reservation?: number }): void {
  refreshNasUsage(state, pool);
  const quota = change.quota ?? vol.quota;
  const reservation = change.reservation ?? vol.reservation;
  if (change.quota !== undefined && quota < vol.used) throw errors.quotaBelowUsed();
  const before = nasCharge(vol);
  const after = nasCharge({ ...vol, quota, reservation });
  const free = available(pool);
  if (after - before > free) throw errors.nasNoSpace(pool.name, quota, free);
  vol.quota = quota;
  vol.reservation = reservation;
  recharge(pool);
  state.changed(pool);
}

/** The share whose path is this dataset, if any. */
export function shareOf(state: SimState, pool: PoolRec, vol: NasVolumeRec): string | undefined {
  for (const share of state.shares.values()) if (share.pool === pool.name && share.dataset === vol.name) return share.name;
  return undefined;
}

export function clonesOfNasVolume(pool: PoolRec, vol: NasVolumeRec): NasVolumeRec[] {
  const out: NasVolumeRec[] = [];
  for (const snap of vol.snapshots.values()) {
    for (const id of snap.clones) {
      const clone = nasVolumeById(pool, id);
      if (clone) out.push(clone);
    }
  }
  return out;
}

export function nasVolumeById(pool: PoolRec, id: number): NasVolumeRec | undefined {
  for (const vol of pool.nasVolumes.values()) if (vol.id === id) return vol;
  return undefined;
}

/**
 * DELETE. Refusals in the order the appliance's own pre-checks run before `zfs destroy`: a
 * share on it, then clones of its snapshots (whatever the flags), then snapshots without
 * recursively_children.
 */
export function destroyNasVolume(state: SimState, pool: PoolRec, vol: NasVolumeRec, opts: { recursive: boolean }): void {
  const share = shareOf(state, pool, vol);
  if (share !== undefined) throw errors.datasetShared(pool.name, vol.name, share);
  if (clonesOfNasVolume(pool, vol).length > 0) throw errors.datasetHasClones();
  if (vol.snapshots.size > 0 && !opts.recursive) {
    const children = [...vol.snapshots.values()].map((s) => `${pool.name}/${vol.name}@${s.name}`);
    throw errors.filesystemHasChildren(pool.name, vol.name, children);
  }
  removeNasVolumeRecord(state, pool, vol);
}

export function removeNasVolumeRecord(state: SimState, pool: PoolRec, vol: NasVolumeRec): void {
  for (const snap of vol.snapshots.values()) pool.nasSnapshots.delete(snap.id);
  if (vol.originSnapshotId !== null) pool.nasSnapshots.get(vol.originSnapshotId)?.clones.delete(vol.id);
  pool.nasVolumes.delete(vol.name);
  state.nasStore?.removeVolume(pool.name, vol.name);
  recharge(pool);
  state.changed(pool);
}
