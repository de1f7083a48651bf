// Shares: global objects (`/api/v4/shares`) naming a NAS volume by its path `<pool>/<dataset>`;
// their names are unique across pools.
import { errors } from '../../api/errors';
import type { ShareRec, SimState } from '../model';

export interface CreateShareInput {
  name: string;
  path: string;
  active: boolean;
  nfs: Record<string, unknown>;
}

const SHARE_NAME = /^[A-Za-z0-9_.:-]{1,255}$/;

export function createShare(state: SimState, input: CreateShareInput): ShareRec {
  if (!SHARE_NAME.test(input.name)) {
    throw errors.validation(`Invalid share name '${input.name}': allowed characters are letters, digits, '_', '-', '.', ':'.`);
  }
  if (state.shares.has(input.name)) throw errors.shareExists(input.name);
  const cut = input.path.indexOf('/');
  const poolName = cut > 0 ? input.path.slice(0, cut) : '';
  const dataset = cut > 0 ? input.path.slice(cut + 1) : '';
  const pool = state.pool(poolName);
  if (!pool || !pool.nasVolumes.has(dataset)) throw errors.shareDatasetMissing(input.path);
  const share: ShareRec = {
    name: input.name,
    pool: pool.name,
    dataset,
    active: input.active,
    nfs: { ...input.nfs },
    creationMs: state.clock.now(),
  };
  state.shares.set(share.name, share);
  state.changed();
  return share;
}

export function requireShare(state: SimState, name: string): ShareRec {
  const share = state.shares.get(name);
  if (!share) throw errors.shareNotFound(name);
  return share;
}

export function deleteShare(state: SimState, name: string): void {
  requireShare(state, name);
  state.shares.delete(name);
  state.changed();
}
