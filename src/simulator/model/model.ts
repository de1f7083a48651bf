// The simulator's in-memory model. Plain records in Maps (O(1) lookup by name) plus cached
// creation-ordered arrays so a page of a 10 000-volume listing is a slice, not a scan.
import type { DataEvent } from './events';
import type { IdSource, SimClock } from './effects';
import type { NasStore } from './nas/store';

export interface SnapshotRec {
  id: number;
  name: string;
  volumeId: number; // internal id of the parent volume
  creationMs: number;
  createtxg: number;
  guid: string;
  volsize: number; // the parent's size when the snapshot was taken
  referenced: number;
  clones: Set<number>; // internal ids of volumes cloned from this snapshot
}

export interface VolumeRec {
  id: number;
  name: string;
  creationMs: number;
  createtxg: number;
  guid: string;
  sanVolumeId: string; // 40 hex; default_scsi_id is its first 16
  volsize: number;
  volblocksize: number;
  sparse: boolean;
  refreservation: number; // bytes held back from the pool (volsize when thick, 0 when thin)
  referenced: number;
  originSnapshotId: number | null;
  properties: Record<string, string>; // user-settable ZFS properties (compression, readonly, …)
  snapshots: Map<string, SnapshotRec>; // insertion order == createtxg order
}

export interface VipRec {
  name: string;
  address: string;
  netmask: string;
  iface: string;
}

export interface LunRec {
  lun: number;
  volumeId: number;
  mode: string;
  /** Set when the zvol was destroyed behind the REST API: SCST still lists the LUN by this name. */
  goneName?: string;
}

export interface SessionRec {
  target_name: string;
  cid: string;
  ip: string;
  sid: string;
  initiator_name: string;
}

export interface TargetRec {
  name: string;
  active: boolean;
  incomingUsersActive: boolean;
  vipsEnabled: boolean;
  assignedVips: string[];
  allowIp: string[];
  denyIp: string[];
  outgoingUser: { name: string; password: string } | null;
  luns: Map<number, LunRec>;
  users: Map<string, { name: string; password: string }>;
  sessions: SessionRec[];
}

/** A NAS snapshot (`<pool>/<dataset>@<name>`): the dataset's file tree at that moment. */
export interface NasSnapshotRec {
  id: number;
  name: string;
  volumeId: number; // internal id of the parent NAS volume
  creationMs: number;
  createtxg: number;
  guid: string;
  referenced: number; // the dataset's used bytes when the snapshot was taken
  clones: Set<number>; // internal ids of NAS volumes cloned from it
}

/** A NAS volume: a ZFS filesystem dataset `<pool>/<name>` with a quota. */
export interface NasVolumeRec {
  id: number;
  name: string;
  quota: number;
  reservation: number;
  used: number; // bytes of its files (measured on the data dir when there is one)
  creationMs: number;
  createtxg: number;
  guid: string;
  readonly: boolean;
  originSnapshotId: number | null;
  snapshots: Map<string, NasSnapshotRec>; // insertion order == createtxg order
}

/** A share: global (not pool-scoped); `pool`/`dataset` is its path. */
export interface ShareRec {
  name: string;
  pool: string;
  dataset: string;
  active: boolean;
  nfs: Record<string, unknown>;
  creationMs: number;
}

export interface PoolRec {
  name: string;
  id: string;
  sizeBytes: number;
  reservedBytes: number; // sum of refreservation of all volumes, kept incrementally
  oldFirmware: boolean;
  vips: VipRec[];
  volumes: Map<number, VolumeRec>; // by internal id; insertion order == creation order
  volumeIdsByName: Map<string, number>;
  snapshots: Map<number, SnapshotRec>; // every snapshot of the pool, by internal id
  targets: Map<string, TargetRec>;
  orderedCache: VolumeRec[] | null;
  nasVolumes: Map<string, NasVolumeRec>; // by name; insertion order == creation order
  nasSnapshots: Map<number, NasSnapshotRec>; // every NAS snapshot of the pool, by internal id
  /** Pool space the NAS volumes hold (Σ max(quota, reservation, used); clones: used), kept by nasCharge(). */
  nasChargedBytes: number;
}

/** Everything mutable about one simulated appliance. */
export class SimState {
  readonly pools = new Map<string, PoolRec>();
  nextObjectId = 1;
  txg = 100_000; // ZFS transaction group counter: strictly increasing, orders snapshots
  /** First 8 hex chars of every san:volume_id handed out: hosts derive WWIDs from them. */
  readonly usedScsiPrefixes = new Set<string>();
  /** Shares are global: their names are unique across pools. Insertion order == creation order. */
  readonly shares = new Map<string, ShareRec>();
  /** Where NAS volumes keep their files; null = model only (used stays 0). */
  nasStore: NasStore | null = null;
  private listeners: Array<() => void> = [];
  private dataListeners: Array<(pool: string, event: DataEvent) => void> = [];

  constructor(
    readonly clock: SimClock,
    readonly ids: IdSource,
  ) {}

  pool(name: string): PoolRec | undefined {
    return this.pools.get(name);
  }

  addPool(seed: { name: string; id?: string; sizeBytes: number; vips: VipRec[]; oldFirmware?: boolean }): PoolRec {
    const pool: PoolRec = {
      name: seed.name,
      id: seed.id ?? this.ids.poolId(),
      sizeBytes: seed.sizeBytes,
      reservedBytes: 0,
      oldFirmware: seed.oldFirmware ?? false,
      vips: seed.vips,
      volumes: new Map(),
      volumeIdsByName: new Map(),
      snapshots: new Map(),
      targets: new Map(),
      orderedCache: null,
      nasVolumes: new Map(),
      nasSnapshots: new Map(),
      nasChargedBytes: 0,
    };
    this.pools.set(pool.name, pool);
    return pool;
  }

  /** A san:volume_id whose WWID-relevant prefix is unique in this simulator's lifetime. */
  newSanVolumeId(): string {
    for (;;) {
      const id = this.ids.sanVolumeId();
      const prefix = id.slice(0, 8);
      if (this.usedScsiPrefixes.has(prefix)) continue;
      this.usedScsiPrefixes.add(prefix);
      return id;
    }
  }

  newObjectId(): number {
    return this.nextObjectId++;
  }

  nextTxg(): number {
    return ++this.txg;
  }

  /** Subscribe to "state changed" (persistence debounces on it). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(pool?: PoolRec): void {
    if (pool) pool.orderedCache = null;
    for (const l of this.listeners) l();
  }

  /** Subscribe to the zvol data events the ZFS model raises (the data path mode uses them). */
  onData(listener: (pool: string, event: DataEvent) => void): void {
    this.dataListeners.push(listener);
  }

  emitData(pool: PoolRec, event: DataEvent): void {
    for (const l of this.dataListeners) l(pool.name, event);
  }
}

export function available(pool: PoolRec): number {
  return Math.max(0, pool.sizeBytes - pool.reservedBytes - pool.nasChargedBytes);
}

export function volumeByName(pool: PoolRec, name: string): VolumeRec | undefined {
  const id = pool.volumeIdsByName.get(name);
  return id === undefined ? undefined : pool.volumes.get(id);
}

/** Volumes in creation order; cached until the next mutation of the pool. */
export function orderedVolumes(pool: PoolRec): VolumeRec[] {
  pool.orderedCache ??= [...pool.volumes.values()];
  return pool.orderedCache;
}

export function defaultScsiId(vol: VolumeRec): string {
  return vol.sanVolumeId.slice(0, 16);
}

/** The zvol a LUN exports; undefined when it was destroyed behind the API and the LUN dangles. */
export function lunVolume(pool: PoolRec, lun: LunRec): VolumeRec | undefined {
  return pool.volumes.get(lun.volumeId);
}

/** The volume name a LUN is listed and addressed under: a dangling LUN keeps its zvol's last name. */
export function lunVolumeName(pool: PoolRec, lun: LunRec): string | undefined {
  return lunVolume(pool, lun)?.name ?? lun.goneName;
}

/** The target and LUN a volume is attached to, if any (a zvol can be exported only once). */
export function findAttachment(pool: PoolRec, volumeId: number): { target: TargetRec; lun: LunRec } | undefined {
  for (const target of pool.targets.values()) {
    for (const lun of target.luns.values()) if (lun.volumeId === volumeId) return { target, lun };
  }
  return undefined;
}

/** "<pool>/<vol>@<snap>" of a snapshot. */
export function snapshotFullName(pool: PoolRec, snap: SnapshotRec): string {
  const vol = pool.volumes.get(snap.volumeId);
  return `${pool.name}/${vol?.name ?? '?'}@${snap.name}`;
}
