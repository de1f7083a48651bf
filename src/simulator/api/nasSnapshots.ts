// /pools/<pool>/nas-volumes/<d>/snapshots… : list, create, get, delete, rollback check/do,
// and the snapshot's clones (list, create, get, delete).
import { errors } from './errors';
import { paginate } from './paging';
import { nasCloneEntry, nasSnapshotShape, nasVolumeShape } from './nasShapes';
import { requireNasVolume } from './nasVolumes';
import type { NasSnapshotRec, NasVolumeRec } from '../model/model';
import {
  cloneNasSnapshot,
  createNasSnapshot,
  destroyNasSnapshot,
  nasClonesOf,
  nasRollback,
  nasRollbackCounts,
} from '../model/nas/snapshots';
import { destroyNasVolume } from '../model/nas/volumes';
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

function requireNasSnapshot(ctx: HandlerContext, vol: NasVolumeRec): NasSnapshotRec {
  const snap = vol.snapshots.get(ctx.params.snapshot);
  if (!snap) throw errors.zfsNotFound(ctx.pool.name, `${vol.name}@${ctx.params.snapshot}`);
  return snap;
}

function target(ctx: HandlerContext): { vol: NasVolumeRec; snap: NasSnapshotRec } {
  const vol = requireNasVolume(ctx);
  return { vol, snap: requireNasSnapshot(ctx, vol) };
}

export function listNasSnapshots(ctx: HandlerContext): Reply {
  const vol = requireNasVolume(ctx);
  const snaps = maybeStale(ctx, [...vol.snapshots.values()]);
  return ok(paginate(snaps, ctx.query, (s) => nasSnapshotShape(ctx.pool, vol, s)));
}

export function createNasSnapshotHandler(ctx: HandlerContext): Reply {
  const body = objectBody(ctx);
  const name = requiredString(body, 'name');
  const vol = requireNasVolume(ctx);
  return created(nasSnapshotShape(ctx.pool, vol, createNasSnapshot(ctx.state, ctx.pool, vol, name)));
}

export function getNasSnapshot(ctx: HandlerContext): Reply {
  const { vol, snap } = target(ctx);
  return ok(nasSnapshotShape(ctx.pool, vol, snap));
}

export function deleteNasSnapshot(ctx: HandlerContext): Reply {
  const { vol, snap } = target(ctx);
  objectBody(ctx);
  destroyNasSnapshot(ctx.state, ctx.pool, vol, snap);
  return noContent();
}

export function nasRollbackCheck(ctx: HandlerContext): Reply {
  const { vol, snap } = target(ctx);
  return ok(nasRollbackCounts(ctx.pool, vol, snap));
}

/** POST answers 200 with data null once the tree is restored and the newer snapshots are gone. */
export function nasRollbackDo(ctx: HandlerContext): Reply {
  const { vol, snap } = target(ctx);
  nasRollback(ctx.state, ctx.pool, vol, snap);
  return ok(null);
}

export function listNasClones(ctx: HandlerContext): Reply {
  const { snap } = target(ctx);
  return ok(nasClonesOf(ctx.pool, snap).map((c) => nasCloneEntry(ctx.pool, c)));
}

export function createNasClone(ctx: HandlerContext): Reply {
  const { vol, snap } = target(ctx);
  const body = objectBody(ctx);
  const clone = cloneNasSnapshot(ctx.state, ctx.pool, vol, snap, {
    name: requiredString(body, 'name'),
    readonly: optionalBoolean(body, 'readonly', false),
  });
  return created(nasVolumeShape(ctx.pool, clone));
}

function requireClone(ctx: HandlerContext): NasVolumeRec {
  const { snap } = target(ctx);
  const clone = nasClonesOf(ctx.pool, snap).find((c) => c.name === ctx.params.clone);
  if (!clone) throw errors.cloneNotFound(ctx.params.clone);
  return clone;
}

export function getNasClone(ctx: HandlerContext): Reply {
  return ok(nasVolumeShape(ctx.pool, requireClone(ctx)));
}

/** A clone is a NAS volume: the same refusals (shared, snapshots) apply to its deletion. */
export function deleteNasClone(ctx: HandlerContext): Reply {
  const clone = requireClone(ctx);
  const body = objectBody(ctx);
  destroyNasVolume(ctx.state, ctx.pool, clone, { recursive: optionalBoolean(body, 'recursively_children', false) });
  return noContent();
}
