// /pools/<pool>/volumes/<v>/snapshots… : list, create, get, delete, clones, rollback.
import { errors } from './errors';
import { volumeByName } from '../model/model';
import { paginate } from './paging';
import { cloneEntry, snapshotListEntryV3, snapshotListEntryV4, snapshotShape } from './shapes';
import { createSnapshot, destroySnapshot, rollback, rollbackCounts } from '../model/zfs/snapshots';
import {
  maybeStale,
  noContent,
  objectBody,
  ok,
  optionalBoolean,
  requiredString,
  requireSnapshot,
  requireVolume,
  type HandlerContext,
  type Reply,
} from './context';

const unpadded = (ctx: HandlerContext) => ctx.fault('unpaddedDates') !== undefined;

export function listSnapshots(ctx: HandlerContext): Reply {
  const vol = volumeByName(ctx.pool, ctx.params.volume);
  if (!vol) {
    // Newer firmware answers a missing volume on snapshot pages with ItemNotFoundError.
    if (ctx.fault('newerNotFound')) throw errors.resourceNotFound(ctx.pool.name, ctx.params.volume);
    throw errors.zfsNotFound(ctx.pool.name, ctx.params.volume);
  }
  const snaps = maybeStale(ctx, [...vol.snapshots.values()]);
  const dates = ctx.apiVersion === 'v3' && unpadded(ctx);
  return ok(
    paginate(snaps, ctx.query, (s) => (ctx.apiVersion === 'v3' ? snapshotListEntryV3(ctx.pool, vol, s, dates) : snapshotListEntryV4(s))),
  );
}

/** POST answers 200 with the new snapshot. */
export function createSnapshotHandler(ctx: HandlerContext): Reply {
  const body = objectBody(ctx);
  const name = requiredString(body, 'snapshot_name');
  const vol = requireVolume(ctx);
  const snap = createSnapshot(ctx.state, ctx.pool, vol, name);
  return ok(snapshotShape(ctx.pool, vol, snap, false));
}

export function getSnapshot(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  const snap = requireSnapshot(ctx, vol);
  return ok(snapshotShape(ctx.pool, vol, snap, unpadded(ctx)));
}

/**
 * DELETE answers 204. recursively_dependents = `zfs destroy -R` (clones go too);
 * recursively_children = `-r`, which for a zvol snapshot has no children to add.
 */
export function deleteSnapshot(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  const snap = requireSnapshot(ctx, vol);
  const body = objectBody(ctx);
  optionalBoolean(body, 'recursively_children', false);
  destroySnapshot(ctx.state, ctx.pool, vol, snap, { dependents: optionalBoolean(body, 'recursively_dependents', false) });
  return noContent();
}

export function listSnapshotClones(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  const snap = requireSnapshot(ctx, vol);
  const clones = [...snap.clones].flatMap((id) => {
    const clone = ctx.pool.volumes.get(id);
    return clone ? [cloneEntry(ctx.pool, clone)] : [];
  });
  return ok(clones);
}

export function rollbackCheck(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  return ok(rollbackCounts(vol, requireSnapshot(ctx, vol)));
}

/** POST answers 200 with data null once every later snapshot is gone. */
export function rollbackDo(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  rollback(ctx.state, ctx.pool, vol, requireSnapshot(ctx, vol));
  return ok(null);
}
