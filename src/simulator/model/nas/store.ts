// The NAS volumes' files: one real directory per dataset under the data dir, a copied tree per
// snapshot. Synchronous on purpose: the ZFS model is synchronous, and a NAS change must be on
// disk before the REST answer (a client may mount the share it just created); test trees are small.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export interface NasStore {
  readonly dataDir: string;
  /** `<data>/nas/<pool>/<dataset>` — what an NFS server would export for `/Pools/<pool>/<dataset>`. */
  volumePath(pool: string, dataset: string): string;
  /** `<data>/nas-snapshots/<pool>/<dataset>/<snapshot>`. */
  snapshotPath(pool: string, dataset: string, snapshot: string): string;
  createVolume(pool: string, dataset: string): void;
  /** Keep the directory of a dataset restored from a state file (create it when missing). */
  ensureVolume(pool: string, dataset: string): void;
  removeVolume(pool: string, dataset: string): void;
  snapshot(pool: string, dataset: string, snapshot: string): void;
  removeSnapshot(pool: string, dataset: string, snapshot: string): void;
  /** Restore the snapshot's tree into the dataset's directory, keeping that directory itself. */
  rollback(pool: string, dataset: string, snapshot: string): void;
  clone(pool: string, source: string, snapshot: string, clone: string): void;
  /** Bytes of the regular files under the dataset's directory. */
  usedBytes(pool: string, dataset: string): number;
}

const COPY = { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, force: true } as const;

function treeBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(dir, name);
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      continue; // removed while we walk (a client writing over NFS)
    }
    if (st.isDirectory()) total += treeBytes(path);
    else if (st.isFile()) total += st.size;
  }
  return total;
}

/** Empty a directory without replacing it: an NFS export of it stays valid. */
function emptyDir(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

export function createNasStore(dataDir: string): NasStore {
  const volumePath = (pool: string, dataset: string) => join(dataDir, 'nas', pool, dataset);
  const snapshotsDir = (pool: string, dataset: string) => join(dataDir, 'nas-snapshots', pool, dataset);
  const snapshotPath = (pool: string, dataset: string, snapshot: string) => join(snapshotsDir(pool, dataset), snapshot);
  return {
    dataDir,
    volumePath,
    snapshotPath,
    createVolume(pool, dataset) {
      // A directory left by an earlier run without a state file is not this new dataset's.
      rmSync(volumePath(pool, dataset), { recursive: true, force: true });
      rmSync(snapshotsDir(pool, dataset), { recursive: true, force: true });
      mkdirSync(volumePath(pool, dataset), { recursive: true, mode: 0o755 });
    },
    ensureVolume(pool, dataset) {
      mkdirSync(volumePath(pool, dataset), { recursive: true, mode: 0o755 });
    },
    removeVolume(pool, dataset) {
      rmSync(volumePath(pool, dataset), { recursive: true, force: true });
      rmSync(snapshotsDir(pool, dataset), { recursive: true, force: true });
    },
    snapshot(pool, dataset, snapshot) {
      const to = snapshotPath(pool, dataset, snapshot);
      rmSync(to, { recursive: true, force: true });
      mkdirSync(snapshotsDir(pool, dataset), { recursive: true, mode: 0o700 });
      cpSync(volumePath(pool, dataset), to, COPY);
    },
    removeSnapshot(pool, dataset, snapshot) {
      rmSync(snapshotPath(pool, dataset, snapshot), { recursive: true, force: true });
    },
    rollback(pool, dataset, snapshot) {
      const dir = volumePath(pool, dataset);
      const from = snapshotPath(pool, dataset, snapshot);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      emptyDir(dir);
      if (!existsSync(from)) return; // snapshot tree lost (data dir wiped): the dataset is empty
      for (const name of readdirSync(from)) cpSync(join(from, name), join(dir, name), COPY);
    },
    clone(pool, source, snapshot, clone) {
      const to = volumePath(pool, clone);
      rmSync(to, { recursive: true, force: true });
      rmSync(snapshotsDir(pool, clone), { recursive: true, force: true });
      mkdirSync(join(dataDir, 'nas', pool), { recursive: true, mode: 0o755 });
      const from = snapshotPath(pool, source, snapshot);
      if (existsSync(from)) cpSync(from, to, COPY);
      else mkdirSync(to, { recursive: true, mode: 0o755 });
    },
    usedBytes: (pool, dataset) => treeBytes(volumePath(pool, dataset)),
  };
}
