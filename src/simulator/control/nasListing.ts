// GET /__simulator/nas: every NAS volume, NAS snapshot and share with the local directory that
// holds its files, so a test (or an NFS server in a VM) can export or inspect them.
import type { SimState } from '../model/model';
import { refreshNasUsage } from '../model/nas/volumes';

export function nasListing(state: SimState): Record<string, unknown> {
  const store = state.nasStore;
  const dir = (pool: string, dataset: string, snapshot?: string) => {
    if (!store) return null;
    return snapshot === undefined ? store.volumePath(pool, dataset) : store.snapshotPath(pool, dataset, snapshot);
  };
  const volumes = [...state.pools.values()].flatMap((pool) => {
    refreshNasUsage(state, pool);
    return [...pool.nasVolumes.values()].map((v) => ({
      pool: pool.name,
      name: v.name,
      directory: dir(pool.name, v.name),
      quota: v.quota,
      used: v.used,
      snapshots: [...v.snapshots.values()].map((s) => ({ name: s.name, directory: dir(pool.name, v.name, s.name) })),
    }));
  });
  const shares = [...state.shares.values()].map((s) => ({
    name: s.name,
    path: `${s.pool}/${s.dataset}`,
    real_path: `/Pools/${s.pool}/${s.dataset}`,
    directory: dir(s.pool, s.dataset),
    active: s.active,
    nfs: s.nfs,
  }));
  return { dataDir: store?.dataDir ?? null, volumes, shares };
}
