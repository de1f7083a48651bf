// Optional JSON persistence of the model: loaded at start, written debounced and atomically
// (temp file + rename, mode 0600 — it holds CHAP secrets), flushed on close.
// Sessions are live data and are not persisted.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, rename, writeFile } from 'node:fs/promises';
import type { SeededRandom } from './effects';
import type { NasSnapshotRec, NasVolumeRec, PoolRec, ShareRec, SimState, SnapshotRec, TargetRec, VolumeRec } from './model';
import { recharge } from './nas/volumes';

const FORMAT_VERSION = 1;

type PersistedSnapshot = Omit<SnapshotRec, 'clones'>;
type PersistedVolume = Omit<VolumeRec, 'snapshots'> & { snapshots: PersistedSnapshot[] };
type PersistedNasVolume = Omit<NasVolumeRec, 'snapshots'> & { snapshots: Omit<NasSnapshotRec, 'clones'>[] };
type PersistedTarget = Omit<TargetRec, 'luns' | 'users' | 'sessions'> & {
  luns: TargetRec['luns'] extends Map<number, infer L> ? L[] : never;
  users: { name: string; password: string }[];
};
interface PersistedPool {
  name: string;
  id: string;
  sizeBytes: number;
  oldFirmware: boolean;
  vips: PoolRec['vips'];
  volumes: PersistedVolume[];
  targets: PersistedTarget[];
  nasVolumes?: PersistedNasVolume[]; // absent in files written before NAS support
}
export interface PersistedState {
  version: number;
  rng: number;
  nextObjectId: number;
  txg: number;
  pools: PersistedPool[];
  shares?: ShareRec[];
}

export function serializeState(state: SimState, random: SeededRandom): PersistedState {
  return {
    version: FORMAT_VERSION,
    rng: random.snapshotState,
    nextObjectId: state.nextObjectId,
    txg: state.txg,
    pools: [...state.pools.values()].map((pool) => ({
      name: pool.name,
      id: pool.id,
      sizeBytes: pool.sizeBytes,
      oldFirmware: pool.oldFirmware,
      vips: pool.vips,
      volumes: [...pool.volumes.values()].map((v) => ({
        ...v,
        snapshots: [...v.snapshots.values()].map(({ clones: _derived, ...s }) => s),
      })),
      targets: [...pool.targets.values()].map(({ luns, users, sessions: _live, ...t }) => ({
        ...t,
        luns: [...luns.values()],
        users: [...users.values()],
      })),
      nasVolumes: [...pool.nasVolumes.values()].map((v) => ({
        ...v,
        snapshots: [...v.snapshots.values()].map(({ clones: _derived, ...s }) => s),
      })),
    })),
    shares: [...state.shares.values()],
  };
}

/** Rebuild the model (indexes, clone sets, reservations) from a persisted document. */
export function restoreState(state: SimState, random: SeededRandom, doc: PersistedState): void {
  if (doc.version !== FORMAT_VERSION) throw new Error(`unsupported simulator state version ${doc.version}`);
  random.restore(doc.rng);
  state.nextObjectId = doc.nextObjectId;
  state.txg = doc.txg;
  state.pools.clear();
  for (const p of doc.pools) {
    const pool = state.addPool({ name: p.name, id: p.id, sizeBytes: p.sizeBytes, vips: p.vips, oldFirmware: p.oldFirmware });
    for (const v of p.volumes) {
      const vol: VolumeRec = { ...v, snapshots: new Map() };
      for (const s of v.snapshots) {
        const snap: SnapshotRec = { ...s, clones: new Set() };
        vol.snapshots.set(snap.name, snap);
        pool.snapshots.set(snap.id, snap);
      }
      pool.volumes.set(vol.id, vol);
      pool.volumeIdsByName.set(vol.name, vol.id);
      state.usedScsiPrefixes.add(vol.sanVolumeId.slice(0, 8));
      pool.reservedBytes += vol.refreservation;
    }
    for (const vol of pool.volumes.values()) {
      if (vol.originSnapshotId !== null) pool.snapshots.get(vol.originSnapshotId)?.clones.add(vol.id);
    }
    for (const t of p.targets) {
      pool.targets.set(t.name, {
        ...t,
        luns: new Map(t.luns.map((l) => [l.lun, l])),
        users: new Map(t.users.map((u) => [u.name, u])),
        sessions: [],
      });
    }
    restoreNas(state, pool, p.nasVolumes ?? []);
  }
  state.shares.clear();
  for (const share of doc.shares ?? []) state.shares.set(share.name, { ...share });
}

/** NAS volumes keep the directories they have in the data dir (created when missing). */
function restoreNas(state: SimState, pool: PoolRec, volumes: PersistedNasVolume[]): void {
  for (const v of volumes) {
    const vol: NasVolumeRec = { ...v, snapshots: new Map() };
    for (const s of v.snapshots) {
      const snap: NasSnapshotRec = { ...s, clones: new Set() };
      vol.snapshots.set(snap.name, snap);
      pool.nasSnapshots.set(snap.id, snap);
    }
    pool.nasVolumes.set(vol.name, vol);
    state.nasStore?.ensureVolume(pool.name, vol.name);
  }
  for (const vol of pool.nasVolumes.values()) {
    if (vol.originSnapshotId !== null) pool.nasSnapshots.get(vol.originSnapshotId)?.clones.add(vol.id);
  }
  recharge(pool);
}

export function loadStateFile(path: string): PersistedState | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as PersistedState;
}

/** Debounced atomic writer; `flush` writes now if anything changed. */
export class StateFileWriter {
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly produce: () => PersistedState,
    private readonly debounceMs = 200,
  ) {}

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => undefined); // the next change or close retries
    }, this.debounceMs);
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Serialise writes: a flush waits for the one in flight, then writes the latest state.
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        const tmp = `${this.path}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(this.produce()), { mode: 0o600 });
        await chmod(tmp, 0o600);
        await rename(tmp, this.path);
      });
    return this.writing;
  }
}
