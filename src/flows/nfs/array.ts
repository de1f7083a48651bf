// The array half of the nfs flow (NasArray) on a StorageContext, through the storage layer's
// NAS functions: a NAS volume's usage, the share of a dataset (whatever its name: Open-E's
// plugin may have named it), and creating both for --create.
import { createNasVolume, createShare, findNasVolume, sharesOfNasVolume, type StorageContext } from '../../storage';
import type { NasArray } from './types';

export function nasArray(ctx: StorageContext): NasArray {
  return {
    async nasVolume(name) {
      const v = await findNasVolume(ctx, name);
      return v ? { quota: v.quota, used: v.used, available: v.available } : null;
    },
    async shareOf(dataset) {
      const all = await sharesOfNasVolume(ctx, dataset);
      // an active NFS share wins over a disabled one of the same dataset
      const s = all.find((x) => x.active && x.nfs) ?? all[0];
      return s ? { name: s.name, path: `${s.pool}/${s.nasVolume}`, active: s.active, nfsEnabled: s.nfs } : null;
    },
    async createNasVolume(name, quotaBytes) {
      await createNasVolume(ctx, { name, quota: quotaBytes });
    },
    async createShare(name, dataset, allow) {
      await createShare(ctx, { name, nasVolume: dataset, allow });
    },
  };
}
