// The portals a target is reachable on: the pool's VIPs whose addresses are this storage's
// data_addresses. Addresses that are not VIPs of the pool are ignored if at least one matches.
import { ConfigError } from '../../errors';
import { listVips, type Vip } from '../../jovian';
import type { StorageContext } from '../context';

export interface Portals {
  vipNames: string[];
  addresses: string[];
}

export async function resolvePortals(ctx: StorageContext, dataAddresses: string[]): Promise<Portals> {
  if (dataAddresses.length === 0) {
    throw new ConfigError('no data_addresses configured: set the iSCSI VIP addresses of the pool (data_addresses)', 'data_addresses');
  }
  const vips: Vip[] = await listVips(ctx.rest);
  const matching = vips.filter((v) => dataAddresses.includes(v.address));
  if (matching.length === 0) {
    throw new ConfigError(
      `Unable to identify VIP name for ip's: ${dataAddresses.join(',')}. Please make sure that VIP are assigned to the Pool ${ctx.pool} (it has: ${vips.map((v) => `${v.name}=${v.address}`).join(', ') || 'none'})`,
      'data_addresses',
    );
  }
  return { vipNames: matching.map((v) => v.name), addresses: matching.map((v) => v.address) };
}
