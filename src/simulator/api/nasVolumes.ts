// /pools/<pool>/nas-volumes… : list, create, get, modify (quota / reservation), delete.
import { errors } from './errors';
import { paginate } from './paging';
import { nasVolumeShape } from './nasShapes';
import type { NasVolumeRec } from '../model/model';
import { parseNonNegativeSize, parseSize } from '../model/units';
import { createNasVolume, destroyNasVolume, modifyNasVolume, refreshNasUsage, refreshOne } from '../model/nas/volumes';
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

export function requireNasVolume(ctx: HandlerContext, name = ctx.params.dataset): NasVolumeRec {
  const vol = ctx.pool.nasVolumes.get(name);
  if (!vol) throw errors.zfsNotFound(ctx.pool.name, name);
  return vol;
}

export function listNasVolumes(ctx: HandlerContext): Reply {
  refreshNasUsage(ctx.state, ctx.pool);
  const items = maybeStale(ctx, [...ctx.pool.nasVolumes.values()]);
  return ok(paginate(items, ctx.query, (v) => nasVolumeShape(ctx.pool, v)));
}

export function createNasVolumeHandler(ctx: HandlerContext): Reply {
  const body = objectBody(ctx);
  const name = requiredString(body, 'name');
  if (!('quota' in body)) throw errors.validation("'quota' is a required property");
  const vol = createNasVolume(ctx.state, ctx.pool, {
    name,
    quota: parseSize(body.quota, 'quota'),
    reservation: body.reservation === undefined ? 0 : parseNonNegativeSize(body.reservation, 'reservation'),
  });
  return created(nasVolumeShape(ctx.pool, vol));
}

export function getNasVolume(ctx: HandlerContext): Reply {
  const vol = requireNasVolume(ctx);
  refreshOne(ctx.state, ctx.pool, vol);
  return ok(nasVolumeShape(ctx.pool, vol));
}

/** PUT answers 200 with the NAS volume. */
export function modifyNasVolumeHandler(ctx: HandlerContext): Reply {
  const vol = requireNasVolume(ctx);
  const body = objectBody(ctx);
  if (body.quota === undefined && body.reservation === undefined) {
    throw errors.validation('Nothing to change: expected one of quota, reservation.');
  }
  modifyNasVolume(ctx.state, ctx.pool, vol, {
    quota: body.quota === undefined ? undefined : parseSize(body.quota, 'quota'),
    reservation: body.reservation === undefined ? undefined : parseNonNegativeSize(body.reservation, 'reservation'),
  });
  return ok(nasVolumeShape(ctx.pool, vol));
}

export function deleteNasVolume(ctx: HandlerContext): Reply {
  const vol = requireNasVolume(ctx);
  const body = objectBody(ctx);
  destroyNasVolume(ctx.state, ctx.pool, vol, { recursive: optionalBoolean(body, 'recursively_children', false) });
  return noContent();
}
