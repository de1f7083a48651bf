// Pool capacity as the rest of jdssc (and Proxmox's `status`) sees it.
import { getPool, listVips, type Vip, type RestClient } from '../jovian';

export interface PoolStats {
  name: string;
  id: string | null;
  total: number;
  free: number;
  used: number;
  health: string | null;
}

export async function poolStats(c: RestClient): Promise<PoolStats> {
  const p = await getPool(c);
  return {
    name: p.name,
    id: p.id ?? null,
    total: p.sizeBytes,
    free: p.availableBytes,
    used: Math.max(0, p.sizeBytes - p.availableBytes),
    health: p.health ?? null,
  };
}

export interface VipView extends Vip {
  /** True when the address is one of this storage's data_addresses. */
  dataAddress: boolean;
}

export async function poolVips(c: RestClient, dataAddresses: string[]): Promise<VipView[]> {
  const vips = await listVips(c);
  return vips.map((v) => ({ ...v, dataAddress: dataAddresses.includes(v.address) }));
}

/** Fails (not found, unreachable) unless this storage's pool answers: the guard before judging
 * host state against the array, so a mistyped pool never makes every volume look gone. */
export async function requirePool(c: RestClient): Promise<void> {
  await getPool(c);
}
