// Pool and VIP endpoints: GET /pools/<pool> and GET /pools/<pool>/vips.
import { NotFoundError } from '../errors';
import type { RestClient } from './client';
import { asArray, asObject, num, str } from './values';

export interface PoolInfo {
  name: string;
  id?: string;
  sizeBytes: number;
  availableBytes: number;
  health?: string;
}

export interface Vip {
  name: string;
  address: string;
  netmask?: string;
  iface?: string;
}

export async function getPool(c: RestClient): Promise<PoolInfo> {
  try {
    const { data } = await c.get('');
    const p = asObject(data, `pool ${c.pool}`);
    return {
      name: str(p, 'name') ?? c.pool,
      id: str(p, 'id'),
      sizeBytes: num(p, 'size', `pool ${c.pool}`),
      availableBytes: num(p, 'available', `pool ${c.pool}`),
      health: str(p, 'health'),
    };
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError(`pool ${c.pool} does not exist on JovianDSS`, e.details);
    throw e;
  }
}

export async function listVips(c: RestClient): Promise<Vip[]> {
  const { data } = await c.get('/vips');
  return asArray(data, 'VIP list').map((v) => ({
    name: str(v, 'name') ?? '',
    address: str(v, 'address') ?? '',
    netmask: str(v, 'netmask'),
    iface: str(v, 'interface'),
  }));
}
