// /pools/<pool>/volumes… : list, create, get, modify (size / name / provisioning),
// properties, delete, clone, and the pool-wide snapshot listing.
import { errors } from './errors';
import { orderedVolumes, volumeByName } from '../model/model';
import { paginate } from './paging';
import { createdVolumeShape, poolSnapshotEntry, volumeShape } from './shapes';
import { DEFAULT_BLOCK_SIZE, parseBlockSize, parseSize } from '../model/units';
import { cloneSnapshot } from '../model/zfs/snapshots';
import {
  createVolume,
  destroyVolume,
  isSettableProperty,
  renameVolume,
  resizeVolume,
  setProperty,
  setProvisioning,
} from '../model/zfs/volumes';
import {
  created,
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

export function listVolumes(ctx: HandlerContext): Reply {
  const items = maybeStale(ctx, orderedVolumes(ctx.pool));
  return ok(paginate(items, ctx.query, (v) => volumeShape(ctx.pool, v)));
}

export function createVolumeHandler(ctx: HandlerContext): Reply {
  const body = objectBody(ctx);
  const name = requiredString(body, 'name');
  if (!('size' in body)) throw errors.validation("'size' is a required property");
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (isSettableProperty(key) && (typeof value === 'string' || typeof value === 'number')) properties[key] = String(value);
  }
  const vol = createVolume(ctx.state, ctx.pool, {
    name,
    size: parseSize(body.size),
    sparse: optionalBoolean(body, 'sparse', false),
    blocksize: body.blocksize === undefined ? DEFAULT_BLOCK_SIZE : parseBlockSize(body.blocksize),
    properties,
  });
  return created(createdVolumeShape(ctx.pool, vol));
}

export function getVolume(ctx: HandlerContext): Reply {
  return ok(volumeShape(ctx.pool, requireVolume(ctx)));
}

/** PUT answers 201 with the volume (clients accept only 201 for a resize). */
export function modifyVolume(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  const body = objectBody(ctx);
  let changed = false;
  if (body.size !== undefined) {
    resizeVolume(ctx.state, ctx.pool, vol, parseSize(body.size));
    changed = true;
  }
  if (body.provisioning !== undefined) {
    if (body.provisioning !== 'thin' && body.provisioning !== 'thick') {
      throw errors.validation(`${JSON.stringify(body.provisioning)} is not one of ['thin', 'thick']`);
    }
    setProvisioning(ctx.state, ctx.pool, vol, body.provisioning);
    changed = true;
  }
  if (body.name !== undefined) {
    const newName = requiredString(body, 'name');
    // The fault is consumed only when it changes the outcome: a rename onto an existing name.
    const overwrite = newName !== vol.name && volumeByName(ctx.pool, newName) !== undefined && ctx.fault('renameOverwrites') !== undefined;
    renameVolume(ctx.state, ctx.pool, vol, newName, overwrite);
    changed = true;
  }
  if (!changed) throw errors.validation('Nothing to change: expected one of size, name, provisioning.');
  return created(volumeShape(ctx.pool, vol));
}

export function setVolumeProperty(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  const body = objectBody(ctx);
  setProperty(ctx.state, ctx.pool, vol, requiredString(body, 'property_name'), body.property_value);
  return created(volumeShape(ctx.pool, vol));
}

/** DELETE answers 204; force_umount is accepted and has nothing to unmount on a zvol. */
export function deleteVolume(ctx: HandlerContext): Reply {
  const vol = requireVolume(ctx);
  const body = objectBody(ctx);
  destroyVolume(ctx.state, ctx.pool, vol, { recursive: optionalBoolean(body, 'recursively_children', false) });
  return noContent();
}

export function cloneVolume(ctx: HandlerContext): Reply {
  const source = requireVolume(ctx);
  const body = objectBody(ctx);
  const name = requiredString(body, 'name');
  const snap = requireSnapshot(ctx, source, requiredString(body, 'snapshot'));
  const clone = cloneSnapshot(ctx.state, ctx.pool, source, snap, {
    name,
    sparse: optionalBoolean(body, 'sparse', false),
    readonly: optionalBoolean(body, 'readonly', false),
  });
  return ok(createdVolumeShape(ctx.pool, clone));
}

/** GET /volumes/snapshots: every snapshot of the pool, in creation order. */
export function listPoolSnapshots(ctx: HandlerContext): Reply {
  const snaps = [...ctx.pool.snapshots.values()];
  return ok(
    paginate(maybeStale(ctx, snaps), ctx.query, (s) => {
      const vol = ctx.pool.volumes.get(s.volumeId)!;
      return poolSnapshotEntry(ctx.pool, vol, s);
    }),
  );
}
