// Bulk creation of volumes (and snapshots) straight into the model, for benchmarks and
// large-listing tests — the same ZFS rules apply as over REST, without the HTTP cost.
import { errors } from '../api/errors';
import type { SimState } from '../model/model';
import { DEFAULT_BLOCK_SIZE } from '../model/units';
import { createSnapshot } from '../model/zfs/snapshots';
import { createVolume } from '../model/zfs/volumes';
import { createNasVolume } from '../model/nas/volumes';
import { createShare } from '../model/nas/shares';
import { parseNonNegativeSize, parseSize } from '../model/units';

export interface SeedRequest {
  pool: string;
  volumes?: number; // default 0
  prefix?: string; // default 'v_seed-'; names are <prefix><n>, skipping names already taken
  sizeBytes?: number; // default 1 GiB
  sparse?: boolean; // default true (thin), so large seeds do not exhaust the pool
  snapshotsPerVolume?: number; // snapshots named s_snap<k>
  /** NAS volumes created in the pool (quota as over REST: bytes or "10G"). */
  nasVolumes?: { name: string; quota: number | string; reservation?: number | string }[];
  /** Shares of NAS volumes of the pool; `dataset` defaults to the share name. */
  shares?: { name: string; dataset?: string; active?: boolean; nfs?: Record<string, unknown> }[];
}

export function seedVolumes(state: SimState, req: SeedRequest): { count: number; first?: string; last?: string } {
  const pool = state.pool(req.pool);
  if (!pool) throw errors.poolNotFound(req.pool);
  const volumes = req.volumes ?? 0;
  if (!Number.isInteger(volumes) || volumes < 0) throw errors.validation('volumes must be an integer >= 0');
  if (req.nasVolumes !== undefined && !Array.isArray(req.nasVolumes)) throw errors.validation('nasVolumes must be an array');
  if (req.shares !== undefined && !Array.isArray(req.shares)) throw errors.validation('shares must be an array');
  const prefix = req.prefix ?? 'v_seed-';
  const created: string[] = [];
  let n = 0;
  while (created.length < volumes) {
    const name = `${prefix}${n++}`;
    if (pool.volumeIdsByName.has(name)) continue;
    const vol = createVolume(state, pool, {
      name,
      size: req.sizeBytes ?? 2 ** 30,
      sparse: req.sparse ?? true,
      blocksize: DEFAULT_BLOCK_SIZE,
    });
    for (let k = 0; k < (req.snapshotsPerVolume ?? 0); k++) createSnapshot(state, pool, vol, `s_snap${k}`);
    created.push(name);
  }
  for (const nas of req.nasVolumes ?? []) {
    createNasVolume(state, pool, {
      name: nas.name,
      quota: parseSize(nas.quota, 'quota'),
      reservation: nas.reservation === undefined ? 0 : parseNonNegativeSize(nas.reservation, 'reservation'),
    });
  }
  for (const share of req.shares ?? []) {
    createShare(state, {
      name: share.name,
      path: `${pool.name}/${share.dataset ?? share.name}`,
      active: share.active ?? true,
      nfs: { enabled: true, ...share.nfs },
    });
  }
  return { count: created.length, first: created[0], last: created[created.length - 1] };
}
