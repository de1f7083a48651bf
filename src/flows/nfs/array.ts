// The array half of the nfs flow (NasArray) on a StorageContext: NAS volume usage, the share of
// a dataset, and creating both. Interim: plain reads and writes on the context's REST client,
// shaped as docs/NAS.md says, until the storage layer's NAS functions (src/storage/nas/) take over.
import { isMissing } from '../../errors';
import type { StorageContext } from '../../storage';
import type { NasArray, NasUsage, NfsShare } from './types';

type Obj = Record<string, unknown>;
const bytes = (o: Obj, k: string): number => {
  const n = Number(o[k]);
  return Number.isFinite(n) && n >= 0 ? n : 0;
};

function entries(data: unknown): Obj[] {
  const d = data as { entries?: unknown } | unknown[];
  return (Array.isArray(d) ? d : Array.isArray((d as { entries?: unknown })?.entries) ? (d as { entries: Obj[] }).entries : []) as Obj[];
}

export function nasArray(ctx: StorageContext): NasArray {
  const dataset = (d: string) => `${ctx.pool}/${d}`;
  const nasVolume = async (name: string): Promise<NasUsage | null> => {
    try {
      const { data } = await ctx.rest.get(`/nas-volumes/${encodeURIComponent(name)}`);
      const o = (data ?? {}) as Obj;
      return { quota: bytes(o, 'quota'), used: bytes(o, 'used'), available: bytes(o, 'available') };
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  };
  const shareOf = async (name: string): Promise<NfsShare | null> => {
    for (let page = 0; page < 1000; page++) {
      const { data } = await ctx.rest.get('/shares', { scope: 'global', query: { page, per_page: 100 } });
      const list = entries(data);
      const hit = list.find((s) => s.path === dataset(name));
      if (hit) {
        const nfs = (hit.nfs ?? {}) as Obj;
        return { name: String(hit.name), path: String(hit.path), active: hit.active !== false, nfsEnabled: nfs.enabled !== false };
      }
      if (list.length < 100) return null;
    }
    return null;
  };
  return {
    nasVolume,
    shareOf,
    async createNasVolume(name, quotaBytes) {
      await ctx.rest.request({
        method: 'POST',
        path: '/nas-volumes',
        body: { name, quota: String(quotaBytes) },
        verify: async () => (await nasVolume(name)) !== null,
      });
    },
    async createShare(name, nasVol, allow) {
      await ctx.rest.request({
        method: 'POST',
        path: '/shares',
        scope: 'global',
        body: {
          name,
          path: dataset(nasVol),
          active: true,
          nfs: {
            enabled: true,
            insecure_connections: false,
            synchronous_data_record: true,
            all_squash: false,
            no_root_squash: true,
            allow_access_ip: allow,
            allow_write_ip: allow,
          },
        },
        verify: async () => (await shareOf(nasVol)) !== null,
      });
    },
  };
}
