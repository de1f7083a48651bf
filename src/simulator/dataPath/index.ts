// The simulator's data path mode: a real iSCSI target behind the REST model. `tgt` runs on
// the host (tgtd, userspace); `lio` runs in the test VM (the kernel target, configfs).
import { mkdir } from 'node:fs/promises';
import type { TargetBackend } from '../model/backend';
import { backendSettings, lunExport } from '../model/targetBackend';
import { isLoopback } from '../transport/listeners';
import { lunVolume, orderedVolumes, type SimState } from '../model/model';
import type { ExportedTarget, ExportingBackend } from './base';
import type { ConfigFs } from './configfs';
import type { Exec } from './exec';
import { ImageStore } from './files';
import { LioBackend } from './lio';
import { tgtLun, TgtBackend } from './tgt';

export { joviandssWwid } from './base';
export { TGT_LUN_OFFSET, tgtLun } from './tgt';

export interface DataPathOptions {
  kind: 'tgt' | 'lio';
  /** Image files (and tgtd logs) go here; created 0700 when missing. */
  dataDir: string;
  /** iSCSI port on every VIP address; default 3260; 0 picks one free on all of them. */
  port?: number;
  /** tgt: the binaries (default from PATH). */
  tgtd?: string;
  tgtadm?: string;
  /** LIO: configfs target root (default /sys/kernel/config/target), a fake for tests, HBA index. */
  configfsRoot?: string;
  configfs?: ConfigFs;
  lioHba?: number;
  /** Tool runner (tgtadm, cp); default runs the real programs. */
  exec?: Exec;
}

export interface DataPathHandle {
  kind: 'tgt' | 'lio';
  dataDir: string;
  port: number;
  /** The portal addresses (every VIP of every pool). */
  addresses: string[];
  imagePath(pool: string, volume: string): string;
  snapshotImagePath(pool: string, volume: string, snapshot: string): string;
  /** The LUN number initiators see for an array LUN: +1 on tgt (its LUN 0 is the controller). */
  targetLun(arrayLun: number): number;
  /** What is exported right now. */
  exported(): ExportedTarget[];
  /** Bytes the image files really occupy (they are sparse). */
  diskUsage(): Promise<number>;
  backend: ExportingBackend;
}

/** Starts the target for every VIP of the pools and replays the current model into it. */
export async function startDataPath(opts: DataPathOptions, state: SimState): Promise<DataPathHandle> {
  const addresses = [...new Set([...state.pools.values()].flatMap((p) => p.vips.map((v) => v.address)))];
  const foreign = addresses.filter((a) => !isLoopback(a));
  if (foreign.length) throw new Error(`data path: refusing non-loopback VIP address(es): ${foreign.join(', ')}`);
  if (!opts.dataDir) throw new Error('data path: a data directory is required');
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const images = new ImageStore(opts.dataDir, opts.exec ? { exec: opts.exec, cp: 'cp' } : undefined);
  const port = opts.port ?? 3260;
  const backend =
    opts.kind === 'tgt'
      ? await TgtBackend.start({ images, addresses, port, tgtd: opts.tgtd, tgtadm: opts.tgtadm, exec: opts.exec })
      : opts.kind === 'lio'
        ? await LioBackend.start({ images, addresses, port, root: opts.configfsRoot, fs: opts.configfs, hba: opts.lioHba })
        : undefined;
  if (!backend) throw new Error(`data path: unknown kind ${JSON.stringify(opts.kind)} (tgt or lio)`);
  try {
    await replayState(state, backend);
  } catch (e) {
    await backend.close().catch(() => undefined);
    throw e;
  }
  return {
    kind: opts.kind,
    dataDir: opts.dataDir,
    port: backend.port,
    addresses,
    imagePath: (pool, volume) => images.volumePath(pool, volume),
    snapshotImagePath: (pool, volume, snapshot) => images.snapshotPath(pool, volume, snapshot),
    targetLun: opts.kind === 'tgt' ? tgtLun : (n) => n,
    exported: () => backend.exported(),
    diskUsage: () => images.diskUsage(),
    backend,
  };
}

/**
 * A simulator started from a state file already has volumes and targets: give each its image
 * (kept when the data dir still has it) and export what the model exports.
 */
export async function replayState(state: SimState, backend: TargetBackend): Promise<void> {
  const data = backend.onDataEvent?.bind(backend);
  for (const pool of state.pools.values()) {
    for (const vol of orderedVolumes(pool)) {
      const origin = vol.originSnapshotId === null ? undefined : pool.snapshots.get(vol.originSnapshotId);
      const originVol = origin ? pool.volumes.get(origin.volumeId) : undefined;
      if (origin && originVol) {
        await data?.(pool.name, {
          kind: 'cloneCreated',
          volume: vol.name,
          origin: { volume: originVol.name, snapshot: origin.name },
          sizeBytes: vol.volsize,
          restored: true,
        });
      } else {
        await data?.(pool.name, { kind: 'volumeCreated', volume: vol.name, sizeBytes: vol.volsize, restored: true });
      }
      for (const snap of vol.snapshots.values()) {
        await data?.(pool.name, {
          kind: 'snapshotCreated',
          volume: vol.name,
          snapshot: snap.name,
          sizeBytes: snap.volsize,
          restored: true,
        });
      }
    }
    for (const target of pool.targets.values()) {
      await backend.onTargetCreated(pool.name, target.name, backendSettings(pool, target));
      for (const lun of target.luns.values()) {
        // A dangling LUN (zvol destroyed behind the API) has no image left to serve; the REST
        // model still lists it, and its detach finds nothing exported, which the backend allows.
        const vol = lunVolume(pool, lun);
        if (vol) await backend.onLunAttached(pool.name, target.name, lunExport(pool, vol, lun));
      }
      await backend.onUsersChanged(pool.name, target.name, [...target.users.values()]);
    }
  }
}
