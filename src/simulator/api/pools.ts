// /pools, /pools/<pool>, /pools/<pool>/vips.
import { poolShape } from './shapes';
import { ok, type HandlerContext, type Reply } from './context';
import { refreshNasUsage } from '../model/nas/volumes';

// NAS volumes' files change behind the API (NFS clients write them): re-measure before answering.
export function listPools(ctx: HandlerContext): Reply {
  for (const pool of ctx.state.pools.values()) refreshNasUsage(ctx.state, pool);
  return ok([...ctx.state.pools.values()].map(poolShape));
}

export function getPool(ctx: HandlerContext): Reply {
  refreshNasUsage(ctx.state, ctx.pool);
  return ok(poolShape(ctx.pool));
}

export function listVips(ctx: HandlerContext): Reply {
  return ok(
    ctx.pool.vips.map((v) => ({
      name: v.name,
      address: v.address,
      netmask: v.netmask,
      interface: v.iface,
      remote_interface: [{ node_id: ctx.pool.id.slice(0, 8), interface: v.iface }],
    })),
  );
}
