// The zvols' data: one sparse image file per zvol and per snapshot under the data dir,
//   <dataDir>/<pool>/<volume>.img            the zvol (what a LUN serves)
//   <dataDir>/<pool>/<volume>@<snapshot>.img  its content when the snapshot was taken
// Snapshots and clones are full sparse copies (`cp --sparse=always --reflink=auto`): disk use
// is what was written to each file (plus shared extents where the filesystem can reflink), so
// a fresh 1 GiB volume costs nothing and a snapshot of it costs what its volume had written.
// Names are ZFS components ([A-Za-z0-9_.:-], never '@' or '/'), so they are safe file names.
import { mkdir, open, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataEvent } from '../model/backend';
import { describeExec, execTool, type Exec } from './exec';

export interface ImageStoreEffects {
  exec: Exec;
  cp: string; // GNU cp
}

const SAFE_POOL = /^[A-Za-z0-9_.:-]+$/;

export class ImageStore {
  constructor(
    readonly dataDir: string,
    private readonly fx: ImageStoreEffects = { exec: execTool, cp: 'cp' },
  ) {}

  poolDir(pool: string): string {
    if (!SAFE_POOL.test(pool) || pool === '.' || pool === '..')
      throw new Error(`data path: pool name ${JSON.stringify(pool)} cannot be a directory name`);
    return join(this.dataDir, pool);
  }

  volumePath(pool: string, volume: string): string {
    return join(this.poolDir(pool), `${volume}.img`);
  }

  snapshotPath(pool: string, volume: string, snapshot: string): string {
    return join(this.poolDir(pool), `${volume}@${snapshot}.img`);
  }

  async apply(pool: string, ev: DataEvent): Promise<void> {
    await mkdir(this.poolDir(pool), { recursive: true, mode: 0o700 });
    switch (ev.kind) {
      case 'volumeCreated':
        return this.fresh(this.volumePath(pool, ev.volume), ev.sizeBytes, ev.restored === true);
      case 'volumeResized':
        // truncate keeps the data and grows with a hole (or cuts, like a ZFS shrink).
        return truncate(this.volumePath(pool, ev.volume), ev.sizeBytes);
      case 'volumeRenamed':
        await rename(this.volumePath(pool, ev.from), this.volumePath(pool, ev.to));
        for (const s of ev.snapshots) await rename(this.snapshotPath(pool, ev.from, s), this.snapshotPath(pool, ev.to, s));
        return;
      case 'volumeDeleted':
        return rm(this.volumePath(pool, ev.volume), { force: true });
      case 'snapshotCreated': {
        const path = this.snapshotPath(pool, ev.volume, ev.snapshot);
        if (ev.restored && (await exists(path))) return;
        return this.copyOrFresh(this.volumePath(pool, ev.volume), path, ev.sizeBytes, !ev.restored);
      }
      case 'snapshotDeleted':
        return rm(this.snapshotPath(pool, ev.volume, ev.snapshot), { force: true });
      case 'cloneCreated': {
        const path = this.volumePath(pool, ev.volume);
        if (ev.restored && (await exists(path))) return;
        return this.copyOrFresh(this.snapshotPath(pool, ev.origin.volume, ev.origin.snapshot), path, ev.sizeBytes, !ev.restored);
      }
      case 'rolledBack': {
        // In place (cp writes into the existing inode), so a target that holds the image open
        // serves the restored content at once.
        await this.copy(this.snapshotPath(pool, ev.volume, ev.snapshot), this.volumePath(pool, ev.volume));
        return truncate(this.volumePath(pool, ev.volume), ev.sizeBytes);
      }
    }
  }

  /** Bytes actually allocated by the images of a pool (or of the whole data dir). */
  async diskUsage(pool?: string): Promise<number> {
    const dirs = pool
      ? [this.poolDir(pool)]
      : (await readdir(this.dataDir, { withFileTypes: true }).catch(() => []))
          .filter((d) => d.isDirectory())
          .map((d) => join(this.dataDir, d.name));
    let total = 0;
    for (const dir of dirs) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name.endsWith('.img')) total += (await stat(join(dir, name))).blocks * 512;
      }
    }
    return total;
  }

  /** A zeroed sparse file of `size` bytes; an existing file keeps its data only when restoring. */
  private async fresh(path: string, size: number, keep: boolean): Promise<void> {
    if (keep && (await exists(path))) return truncate(path, size);
    const fh = await open(path, 'w', 0o600);
    try {
      await fh.truncate(size);
    } finally {
      await fh.close();
    }
  }

  /** Copy `from` (sparse); when it is missing, a restored image starts from zeros instead. */
  private async copyOrFresh(from: string, to: string, size: number, required: boolean): Promise<void> {
    if (!required && !(await exists(from))) return this.fresh(to, size, false);
    await this.copy(from, to);
    await truncate(to, size);
  }

  private async copy(from: string, to: string): Promise<void> {
    const args = ['--sparse=always', '--reflink=auto', from, to];
    const r = await this.fx.exec(this.fx.cp, args);
    if (r.code !== 0) throw new Error(`data path: ${describeExec(this.fx.cp, args, r)}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
