// Bulk creation of volumes (and snapshots) straight into the model, for benchmarks and
// large-listing tests — the same ZFS rules apply as over REST, without the HTTP cost.
import { errors } from '../api/errors';
import type { SimState } from '../model/model';
import { DEFAULT_BLOCK_SIZE } from '../model/units';
import { createSnapshot } from '../model/zfs/snapshots';
import { createVolume } from '../model/zfs/volumes';

export interface SeedRequest {
  pool: string;
  volumes: number;
  prefix?: string; // default 'v_seed-'; names are <prefix><n>, skipping names already taken
  sizeBytes?: number; // default 1 GiB
  sparse?: boolean; // default true (thin), so large seeds do not exhaust the pool
  snapshotsPerVolume?: number; // snapshots named s_snap<k>
}

export function seedVolumes(state: SimState, req: SeedRequest): { count: number; first?: string; last?: string } {
  const pool = state.pool(req.pool);
  if (!pool) throw errors.poolNotFound(req.pool);
  if (!Number.isInteger(req.volumes) || req.volumes < 0) throw errors.validation('volumes must be an integer >= 0');
  const prefix = req.prefix ?? 'v_seed-';
  const created: string[] = [];
  let n = 0;
  while (created.length < req.volumes) {
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
  return { count: created.length, first: created[0], last: created[created.length - 1] };
}
