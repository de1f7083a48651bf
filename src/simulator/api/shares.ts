// /shares… (global, not pool-scoped): list, create, get, delete.
import { errors } from './errors';
import { paginate } from './paging';
import { shareShape } from './nasShapes';
import { createShare, deleteShare, requireShare } from '../model/nas/shares';
import {
  created,
  maybeStale,
  noContent,
  objectBody,
  ok,
  optionalBoolean,
  requiredString,
  type HandlerContext,
  type Reply,
} from './context';

const NFS_FLAGS = ['enabled', 'insecure_connections', 'synchronous_data_record', 'insecure_lock_requests', 'all_squash', 'no_root_squash'];
const NFS_LISTS = ['allow_access_ip', 'allow_write_ip'];

/** The `nfs` block as posted, its known keys type-checked the way the appliance's schema does. */
function nfsBlock(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw errors.validation(`${JSON.stringify(value)} is not of type 'object'`);
  const nfs = value as Record<string, unknown>;
  for (const key of NFS_FLAGS) optionalBoolean(nfs, key, false);
  for (const key of NFS_LISTS) {
    const list = nfs[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((a) => typeof a !== 'string')) {
      throw errors.validation(`${JSON.stringify(list)} is not of type 'array' of strings ('${key}')`);
    }
  }
  return JSON.parse(JSON.stringify(nfs)) as Record<string, unknown>;
}

export function listShares(ctx: HandlerContext): Reply {
  const items = maybeStale(ctx, [...ctx.state.shares.values()]);
  return ok(paginate(items, ctx.query, shareShape));
}

export function createShareHandler(ctx: HandlerContext): Reply {
  const body = objectBody(ctx);
  const share = createShare(ctx.state, {
    name: requiredString(body, 'name'),
    path: requiredString(body, 'path'),
    active: optionalBoolean(body, 'active', true),
    nfs: nfsBlock(body.nfs),
  });
  return created(shareShape(share));
}

export function getShare(ctx: HandlerContext): Reply {
  return ok(shareShape(requireShare(ctx.state, ctx.params.share)));
}

export function deleteShareHandler(ctx: HandlerContext): Reply {
  objectBody(ctx);
  deleteShare(ctx.state, ctx.params.share);
  return noContent();
}
