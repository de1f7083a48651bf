// ZFS semantics of snapshots and clones: create, clone, destroy (with -R for dependents),
// rollback and the appliance's rollback dependency count (with its same-second blind spot).
import { errors } from '../../api/errors';
import { findAttachment, snapshotFullName, type PoolRec, type SimState, type SnapshotRec, type VolumeRec } from '../model';
import { validateComponent } from './names';
import { createVolume, removeVolumeRecord, setReservation } from './volumes';

export function createSnapshot(state: SimState, pool: PoolRec, vol: VolumeRec, name: string): SnapshotRec {
  validateComponent('snapshot', `${pool.name}/${vol.name}@${name}`, name);
  if (vol.snapshots.has(name)) throw errors.snapshotExists(pool.name, vol.name, name);
  const snap: SnapshotRec = {
    id: state.newObjectId(),
    name,
    volumeId: vol.id,
    creationMs: state.clock.now(),
    createtxg: state.nextTxg(),
    guid: state.ids.guid(),
    volsize: vol.volsize,
    referenced: vol.referenced,
    clones: new Set(),
  };
  vol.snapshots.set(name, snap);
  pool.snapshots.set(snap.id, snap);
  state.changed(pool);
  state.emitData(pool, { kind: 'snapshotCreated', volume: vol.name, snapshot: name, sizeBytes: snap.volsize });
  return snap;
}

export interface CloneInput {
  name: string;
  sparse: boolean;
  readonly: boolean;
}

/** A clone is a new zvol whose origin is the snapshot; it inherits size and block size. */
export function cloneSnapshot(state: SimState, pool: PoolRec, source: VolumeRec, snap: SnapshotRec, input: CloneInput): VolumeRec {
  if (pool.volumeIdsByName.has(input.name) || pool.nasVolumes.has(input.name)) throw errors.datasetExists(pool.name, input.name);
  const clone = createVolume(state, pool, {
    name: input.name,
    size: snap.volsize,
    sparse: input.sparse,
    blocksize: source.volblocksize,
    properties: input.readonly ? { readonly: 'on' } : {},
    originSnapshotId: snap.id,
    referenced: snap.referenced,
  });
  snap.clones.add(clone.id);
  state.emitData(pool, {
    kind: 'cloneCreated',
    volume: clone.name,
    origin: { volume: source.name, snapshot: snap.name },
    sizeBytes: clone.volsize,
  });
  return clone;
}

/** Every volume that depends on the snapshot (its clones, their snapshots' clones, …), deepest first. */
function dependentsDeepestFirst(pool: PoolRec, snap: SnapshotRec): VolumeRec[] {
  const out: VolumeRec[] = [];
  for (const id of snap.clones) {
    const clone = pool.volumes.get(id);
    if (!clone) continue;
    for (const child of clone.snapshots.values()) out.push(...dependentsDeepestFirst(pool, child));
    out.push(clone);
  }
  return out;
}

/**
 * DELETE snapshot. Clones block it (errno 1000) unless recursively_dependents asks for
 * `zfs destroy -R`, which also destroys every dependent clone — except a clone SCST holds
 * as a LUN, which makes the whole operation fail as busy before anything is destroyed.
 */
export function destroySnapshot(state: SimState, pool: PoolRec, vol: VolumeRec, snap: SnapshotRec, opts: { dependents: boolean }): void {
  const dependents = dependentsDeepestFirst(pool, snap);
  if (dependents.length > 0 && !opts.dependents) {
    throw errors.snapshotHasClones(
      snapshotFullName(pool, snap),
      dependents.map((d) => `${pool.name}/${d.name}`),
    );
  }
  const busy = dependents.find((d) => findAttachment(pool, d.id));
  if (busy) throw errors.datasetBusy('destroy', `${pool.name}/${busy.name}`);
  for (const dependent of dependents) removeVolumeRecord(state, pool, dependent);
  removeSnapshotRecord(state, pool, vol, snap);
}

function removeSnapshotRecord(state: SimState, pool: PoolRec, vol: VolumeRec, snap: SnapshotRec): void {
  vol.snapshots.delete(snap.name);
  pool.snapshots.delete(snap.id);
  state.changed(pool);
  state.emitData(pool, { kind: 'snapshotDeleted', volume: vol.name, snapshot: snap.name });
}

const wholeSeconds = (ms: number) => Math.floor(ms / 1000);

/**
 * GET …/rollback: what a rollback would destroy, counted the way the appliance does —
 * "newer" means a later `creation` second, so a snapshot taken within the same second as
 * the target is NOT counted (the appliance's blind spot, kept on purpose: see "Choices" in
 * src/simulator/README.md; POST still destroys it).
 */
export function rollbackCounts(vol: VolumeRec, snap: SnapshotRec): { snapshots: number; clones: number } {
  let snapshots = 0;
  let clones = 0;
  for (const other of vol.snapshots.values()) {
    if (wholeSeconds(other.creationMs) > wholeSeconds(snap.creationMs)) {
      snapshots++;
      clones += other.clones.size;
    }
  }
  return { snapshots, clones };
}

/** POST …/rollback: `zfs rollback -r` — destroys every later snapshot (by txg); clones block. */
export function rollback(state: SimState, pool: PoolRec, vol: VolumeRec, snap: SnapshotRec): string[] {
  const newer = [...vol.snapshots.values()].filter((s) => s.createtxg > snap.createtxg);
  const clones = newer.flatMap((s) => dependentsDeepestFirst(pool, s));
  if (clones.length > 0) {
    throw errors.rollbackBlockedByClones(
      snapshotFullName(pool, snap),
      clones.map((c) => `${pool.name}/${c.name}`),
    );
  }
  for (const s of newer) removeSnapshotRecord(state, pool, vol, s);
  // A zvol's size is part of its snapshotted state: rolling back restores it.
  if (!vol.sparse) setReservation(pool, vol, snap.volsize);
  vol.volsize = snap.volsize;
  vol.referenced = snap.referenced;
  state.changed(pool);
  state.emitData(pool, { kind: 'rolledBack', volume: vol.name, snapshot: snap.name, sizeBytes: snap.volsize });
  return newer.map((s) => s.name);
}
