// ZFS semantics of zvols: create, resize, rename, provisioning, properties, destroy, with
// the pool capacity moving with every reservation change.
import { errors } from '../../api/errors';
import { available, findAttachment, volumeByName, type PoolRec, type SimState, type VolumeRec } from '../model';
import { validateComponent } from './names';

export interface CreateVolumeInput {
  name: string;
  size: number;
  sparse: boolean;
  blocksize: number;
  properties?: Record<string, string>;
  originSnapshotId?: number | null;
  referenced?: number;
}

/** Bytes every zvol references right after creation (ZFS metadata), as the appliance shows. */
export const EMPTY_ZVOL_REFERENCED = 57344;

/** Refuse when `needed` bytes exceed the pool's free space; the message names the zvol size. */
function requireSpace(pool: PoolRec, zvolSize: number, needed: number): void {
  const free = available(pool);
  if (needed > free) throw errors.noSpace(pool.name, zvolSize, free);
}

/** Set a zvol's refreservation, moving the pool's reserved total with it. */
export function setReservation(pool: PoolRec, vol: VolumeRec, bytes: number): void {
  pool.reservedBytes += bytes - vol.refreservation;
  vol.refreservation = bytes;
}

export function createVolume(state: SimState, pool: PoolRec, input: CreateVolumeInput): VolumeRec {
  validateComponent('volume', `${pool.name}/${input.name}`, input.name);
  if (pool.volumeIdsByName.has(input.name)) throw errors.resourceExists(pool.name, input.name);
  // A filesystem dataset of that name (a NAS volume) is another ZFS dataset in the way.
  if (pool.nasVolumes.has(input.name)) throw errors.datasetExists(pool.name, input.name);
  if (input.size % input.blocksize !== 0) throw errors.sizeNotBlockMultiple(pool.name, input.name);
  // The appliance checks the full zvol size against free space, thin or thick.
  requireSpace(pool, input.size, input.size);
  const vol: VolumeRec = {
    id: state.newObjectId(),
    name: input.name,
    creationMs: state.clock.now(),
    createtxg: state.nextTxg(),
    guid: state.ids.guid(),
    sanVolumeId: state.newSanVolumeId(),
    volsize: input.size,
    volblocksize: input.blocksize,
    sparse: input.sparse,
    refreservation: 0,
    referenced: input.referenced ?? EMPTY_ZVOL_REFERENCED,
    originSnapshotId: input.originSnapshotId ?? null,
    properties: { ...input.properties },
    snapshots: new Map(),
  };
  pool.volumes.set(vol.id, vol);
  pool.volumeIdsByName.set(vol.name, vol.id);
  setReservation(pool, vol, input.sparse ? 0 : input.size);
  state.changed(pool);
  // A clone's data comes from its snapshot: cloneSnapshot raises cloneCreated instead.
  if (vol.originSnapshotId === null) state.emitData(pool, { kind: 'volumeCreated', volume: vol.name, sizeBytes: vol.volsize });
  return vol;
}

/** PUT size: grow or shrink (ZFS accepts both; refusing a shrink is the client's job). */
export function resizeVolume(state: SimState, pool: PoolRec, vol: VolumeRec, size: number): void {
  if (size % vol.volblocksize !== 0) throw errors.resizeNotBlockMultiple(pool.name, vol.name);
  if (size > vol.volsize) {
    // A thick volume's current reservation is already counted as used, so only growth matters;
    // a thin one is checked by its full new size, like creation.
    requireSpace(pool, size, vol.sparse ? size : size - vol.refreservation);
  }
  vol.volsize = size;
  if (!vol.sparse) setReservation(pool, vol, size);
  state.changed(pool);
  state.emitData(pool, { kind: 'volumeResized', volume: vol.name, sizeBytes: size });
}

export function setProvisioning(state: SimState, pool: PoolRec, vol: VolumeRec, mode: 'thin' | 'thick'): void {
  const sparse = mode === 'thin';
  if (sparse === vol.sparse) return;
  if (!sparse) {
    const growth = vol.volsize - vol.refreservation;
    if (growth > available(pool)) throw errors.noSpace(pool.name, vol.volsize, available(pool));
  }
  vol.sparse = sparse;
  setReservation(pool, vol, sparse ? 0 : vol.volsize);
  state.changed(pool);
}

const PROPERTY_VALUES: Record<string, RegExp> = {
  compression: /^(on|off|lz4|lzjb|zle|gzip(-[1-9])?|zstd(-\d+)?)$/,
  sync: /^(always|standard|disabled)$/,
  logbias: /^(latency|throughput)$/,
  primarycache: /^(all|none|metadata)$/,
  secondarycache: /^(all|none|metadata)$/,
  readonly: /^(on|off)$/,
  dedup: /^(on|off|verify|sha256(,verify)?)$/,
  copies: /^[123]$/,
  snapdev: /^(hidden|visible)$/,
};

export function isSettableProperty(name: string): boolean {
  return name in PROPERTY_VALUES;
}

export function setProperty(state: SimState, pool: PoolRec, vol: VolumeRec, name: unknown, value: unknown): void {
  if (typeof name !== 'string' || !isSettableProperty(name)) throw errors.validation(`Property '${String(name)}' cannot be set.`);
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !PROPERTY_VALUES[name].test(text)) {
    throw errors.validation(`Invalid value '${String(value)}' for property '${name}'.`);
  }
  vol.properties[name] = text;
  state.changed(pool);
}

/**
 * Rename keeps identity (guid, san:volume_id). Onto an existing name it fails like `zfs
 * rename`, unless `overwrite` (the renameOverwrites fault) reproduces the appliance bug of
 * silently replacing the destination.
 */
export function renameVolume(state: SimState, pool: PoolRec, vol: VolumeRec, newName: string, overwrite: boolean): void {
  if (newName === vol.name) return;
  validateComponent('volume', `${pool.name}/${newName}`, newName);
  if (findAttachment(pool, vol.id)) throw errors.datasetBusy('rename', `${pool.name}/${vol.name}`);
  if (pool.nasVolumes.has(newName)) throw errors.renameTargetExists(pool.name, newName);
  const existing = volumeByName(pool, newName);
  if (existing) {
    if (!overwrite) throw errors.renameTargetExists(pool.name, newName);
    destroyVolume(state, pool, existing, { recursive: true });
  }
  const from = vol.name;
  pool.volumeIdsByName.delete(vol.name);
  vol.name = newName;
  pool.volumeIdsByName.set(newName, vol.id);
  state.changed(pool);
  // The snapshots move with the zvol (<new>@<snap>).
  state.emitData(pool, { kind: 'volumeRenamed', from, to: newName, snapshots: [...vol.snapshots.keys()] });
}

/** Names of every clone made from any snapshot of this volume. */
export function clonesOfVolume(pool: PoolRec, vol: VolumeRec): VolumeRec[] {
  const out: VolumeRec[] = [];
  for (const snap of vol.snapshots.values()) {
    for (const id of snap.clones) {
      const clone = pool.volumes.get(id);
      if (clone) out.push(clone);
    }
  }
  return out;
}

/**
 * DELETE volume. Order of refusals: clones (the appliance's own pre-check, even with
 * recursion), then snapshots without recursively_children (zfs), then "busy" when SCST
 * holds the zvol as a LUN.
 */
export function destroyVolume(state: SimState, pool: PoolRec, vol: VolumeRec, opts: { recursive: boolean }): void {
  if (clonesOfVolume(pool, vol).length > 0) throw errors.volumeHasClones();
  if (vol.snapshots.size > 0 && !opts.recursive) {
    const children = [...vol.snapshots.values()].map((s) => `${pool.name}/${vol.name}@${s.name}`);
    throw errors.volumeHasChildren(pool.name, vol.name, children);
  }
  if (findAttachment(pool, vol.id)) throw errors.datasetBusy('destroy', `${pool.name}/${vol.name}`);
  removeVolumeRecord(state, pool, vol);
}

/** Drop a volume and its snapshots from the model, releasing its reservation (no checks). */
export function removeVolumeRecord(state: SimState, pool: PoolRec, vol: VolumeRec): void {
  for (const snap of vol.snapshots.values()) {
    pool.snapshots.delete(snap.id);
    state.emitData(pool, { kind: 'snapshotDeleted', volume: vol.name, snapshot: snap.name });
  }
  if (vol.originSnapshotId !== null) pool.snapshots.get(vol.originSnapshotId)?.clones.delete(vol.id);
  setReservation(pool, vol, 0);
  pool.volumes.delete(vol.id);
  pool.volumeIdsByName.delete(vol.name);
  state.changed(pool);
  state.emitData(pool, { kind: 'volumeDeleted', volume: vol.name });
}

/**
 * What `zfs destroy -f` in the appliance's shell does: the zvol goes, the LUN exporting it (a
 * zvol is exported at most once) stays, listed under the old name until someone detaches it.
 * Tests make dangling LUNs so.
 */
export function destroyOutOfBand(state: SimState, pool: PoolRec, vol: VolumeRec): void {
  const at = findAttachment(pool, vol.id);
  if (at) at.lun.goneName = vol.name;
  removeVolumeRecord(state, pool, vol);
}
