// NAS volume lifecycle on the array: create (quota, reservation), get, find, list, resize the
// quota. Deleting (with its blockers) is in ./delete.ts.
import { ExistsError, isMissing, NotFoundError, UsageError } from '../../errors';
import * as api from '../../jovian';
import type { StorageContext } from '../context';
import { checkNasVolumeName, exportPathOf, isNasSnapshotName } from './names';

/** A NAS volume as jdssc reports it; sizes in bytes. */
export interface NasVolumeView {
  name: string;
  pool: string;
  quota: number;
  reservation: number;
  used: number;
  available: number;
  referenced: number | null;
  /** The NFS export path on the appliance, `/Pools/<pool>/<name>`. */
  exportPath: string;
  creation: number | null;
  /** For a clone: the NAS volume and physical snapshot name it was cloned from. */
  origin: { nasVolume: string; snapshot: string } | null;
  readonly: boolean;
}

export function nasVolumeView(ctx: StorageContext, r: api.NasVolumeRecord): NasVolumeView {
  return {
    name: r.name,
    pool: ctx.pool,
    quota: r.quota,
    reservation: r.reservation,
    used: r.used,
    available: r.available,
    referenced: r.referenced ?? null,
    exportPath: r.mountpoint && r.mountpoint.startsWith('/') ? r.mountpoint : exportPathOf(ctx.pool, r.name),
    creation: r.creation ?? null,
    origin: r.origin ? { nasVolume: r.origin.volume, snapshot: r.origin.snapshot } : null,
    readonly: r.readonly,
  };
}

export interface CreateNasVolumeRequest {
  name: string;
  quota: number;
  reservation?: number;
}

function checkQuota(label: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${label}: must be more than 0 bytes`);
}

function checkReservation(reservation: number | undefined, quota: number): void {
  if (reservation === undefined) return;
  if (!Number.isSafeInteger(reservation) || reservation < 0) throw new UsageError('--reservation: must be 0 or more bytes');
  if (reservation > quota) throw new UsageError(`--reservation (${reservation} bytes) cannot be more than the quota (${quota} bytes)`);
}

export async function createNasVolume(ctx: StorageContext, req: CreateNasVolumeRequest): Promise<NasVolumeView> {
  const name = checkNasVolumeName(req.name);
  checkQuota('--quota', req.quota);
  checkReservation(req.reservation, req.quota);
  try {
    await api.createNasVolume(ctx.rest, { name, quota: req.quota, reservation: req.reservation }, async () => {
      // The answer was lost: it is ours if a NAS volume of exactly this quota now exists.
      const v = await api.findNasVolume(ctx.rest, name);
      return v !== undefined && v.quota === req.quota;
    });
  } catch (e) {
    if (e instanceof ExistsError)
      throw new ExistsError(`NAS volume (or dataset) ${name} already exists`, { ...e.details, nasVolume: name });
    throw e;
  }
  ctx.log.info(`created NAS volume ${name} (quota ${req.quota} bytes)`);
  return getNasVolume(ctx, name);
}

export async function getNasVolume(ctx: StorageContext, name: string): Promise<NasVolumeView> {
  return nasVolumeView(ctx, await nasVolumeRecord(ctx, checkNasVolumeName(name)));
}

/** The NAS volume, or undefined when it does not exist (a missing pool still throws). */
export async function findNasVolume(ctx: StorageContext, name: string): Promise<NasVolumeView | undefined> {
  const r = await api.findNasVolume(ctx.rest, checkNasVolumeName(name));
  return r ? nasVolumeView(ctx, r) : undefined;
}

/** NAS volumes of the pool; clones made by `nas-snapshot publish` are left out (`withPublished` keeps them). */
export async function listNasVolumes(ctx: StorageContext, opts: { withPublished?: boolean } = {}): Promise<NasVolumeView[]> {
  const all = await api.listNasVolumes(ctx.rest);
  return all.filter((r) => opts.withPublished || !(r.isClone && isNasSnapshotName(r.name))).map((r) => nasVolumeView(ctx, r));
}

export interface NasResizeResult {
  name: string;
  previousQuota: number;
  quota: number;
  used: number;
}

/** Sets a new quota (absolute or grown by); below what the NAS volume uses is refused before any change. */
export async function resizeNasVolume(ctx: StorageContext, name: string, target: number | { add: number }): Promise<NasResizeResult> {
  checkNasVolumeName(name);
  if (typeof target === 'number') checkQuota('--quota', target);
  else checkQuota('--grow-by', target.add);
  const current = await nasVolumeRecord(ctx, name);
  const quota = typeof target === 'number' ? target : current.quota + target.add;
  if (!Number.isSafeInteger(quota)) throw new UsageError(`the new quota of NAS volume ${name} is too large`);
  if (quota < current.used) {
    throw new UsageError(`refusing to set the quota of NAS volume ${name} to ${quota} bytes: it already uses ${current.used} bytes`, {
      nasVolume: name,
      used: current.used,
      quota,
    });
  }
  if (current.reservation > quota) {
    throw new UsageError(
      `refusing to set the quota of NAS volume ${name} to ${quota} bytes: below its reservation of ${current.reservation} bytes`,
    );
  }
  if (quota !== current.quota) {
    await api.updateNasVolume(ctx.rest, name, { quota });
    ctx.log.info(`NAS volume ${name}: quota ${current.quota} → ${quota} bytes`);
  }
  const now = await nasVolumeRecord(ctx, name);
  return { name, previousQuota: current.quota, quota: now.quota, used: now.used };
}

export async function nasVolumeRecord(ctx: StorageContext, name: string): Promise<api.NasVolumeRecord> {
  try {
    return await api.getNasVolume(ctx.rest, name);
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`NAS volume ${name} does not exist`, { nasVolume: name });
    throw e;
  }
}
