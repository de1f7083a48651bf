// NAS snapshots: create, list, delete (its published clone unpublished first; other clones
// block), and publish / unpublish: a clone of the snapshot plus a read-only NFS share of it, both
// named after the snapshot's physical name, for file-level restore.
import { ApplianceError, BusyError, ExistsError, isMissing, NotFoundError } from '../../errors';
import * as api from '../../jovian';
import type { StorageContext } from '../context';
import { checkAccessRules, checkNasVolumeName, exportPathOf, nasSnapshotPhysical, parseNasSnapshotName } from './names';
import { createShareOf, nfsSettings } from './shares';
import { nasVolumeRecord } from './volumes';

export interface NasSnapshotRef {
  nasVolume: string;
  snapshot: string;
  proxmoxVolume?: string;
}

interface Resolved {
  dataset: string;
  physical: string;
  ref: NasSnapshotRef;
}

/** Validates every name of a snapshot reference (exit 2, nothing sent) and gives its physical name. */
export function resolveNasSnapshot(ctx: StorageContext, ref: NasSnapshotRef): Resolved {
  const dataset = checkNasVolumeName(ref.nasVolume);
  return { dataset, physical: nasSnapshotPhysical(ctx.pool, dataset, ref.snapshot, ref.proxmoxVolume), ref };
}

function label(ref: NasSnapshotRef): string {
  return `snapshot ${ref.snapshot}${ref.proxmoxVolume ? ` (of ${ref.proxmoxVolume})` : ''} of NAS volume ${ref.nasVolume}`;
}

export interface NasSnapshotView {
  name: string;
  proxmoxVolume: string | null;
  physicalName: string;
  guid: string | null;
  creation: number | null;
  used: number | null;
  referenced: number | null;
  /** Published for file-level restore (its clone exists). */
  published: boolean;
  /** Other clones (datasets) made from it. */
  clones: string[];
}

export interface CreateNasSnapshotResult {
  nasVolume: string;
  snapshot: string;
  proxmoxVolume: string | null;
  physicalName: string;
  created: boolean;
}

export async function createNasSnapshot(
  ctx: StorageContext,
  ref: NasSnapshotRef,
  opts: { ifNotExists?: boolean } = {},
): Promise<CreateNasSnapshotResult> {
  const r = resolveNasSnapshot(ctx, ref);
  const result = { nasVolume: r.dataset, snapshot: ref.snapshot, proxmoxVolume: ref.proxmoxVolume ?? null, physicalName: r.physical };
  try {
    await api.createNasSnapshot(ctx.rest, r.dataset, r.physical);
  } catch (e) {
    // errno 5 is the appliance's "snapshot exists", whatever its message says.
    if (e instanceof ExistsError || (e instanceof ApplianceError && Number(e.details?.errno) === 5)) {
      if (opts.ifNotExists) return { ...result, created: false };
      throw new ExistsError(`${label(ref)} already exists`, { nasVolume: r.dataset, snapshot: ref.snapshot });
    }
    if (isMissing(e)) throw new NotFoundError(`NAS volume ${r.dataset} does not exist`, { nasVolume: r.dataset });
    throw e;
  }
  ctx.log.info(`created NAS snapshot ${r.dataset}@${r.physical}`);
  return { ...result, created: true };
}

export interface ListNasSnapshotsResult {
  nasVolume: string;
  snapshots: NasSnapshotView[];
}

/** Snapshots of a NAS volume (with `proxmoxVolume`: only that Proxmox volume's), oldest first as listed. */
export async function listNasSnapshots(
  ctx: StorageContext,
  nasVolume: string,
  opts: { proxmoxVolume?: string } = {},
): Promise<ListNasSnapshotsResult> {
  const dataset = checkNasVolumeName(nasVolume);
  const records = await nasSnapshotRecords(ctx, dataset);
  const out: NasSnapshotView[] = [];
  for (const s of records) {
    const p = parseNasSnapshotName(s.name);
    if (p.kind === 'foreign') continue;
    if (opts.proxmoxVolume !== undefined && (p.proxmoxVolume !== opts.proxmoxVolume || p.dataset !== dataset)) continue;
    out.push({
      name: p.name,
      proxmoxVolume: p.proxmoxVolume,
      physicalName: s.name,
      guid: s.guid ?? null,
      creation: s.creation ?? null,
      used: s.used ?? null,
      referenced: s.referenced ?? null,
      published: s.clones.includes(s.name),
      clones: s.clones.filter((c) => c !== s.name),
    });
  }
  return { nasVolume: dataset, snapshots: out };
}

/** Every snapshot of a dataset as the array lists it; a missing NAS volume is exit 3. */
export async function nasSnapshotRecords(ctx: StorageContext, dataset: string): Promise<api.NasSnapshotRecord[]> {
  try {
    return await api.listNasSnapshots(ctx.rest, dataset);
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`NAS volume ${dataset} does not exist`, { nasVolume: dataset });
    throw e;
  }
}

/** Clones of one snapshot; a missing snapshot (or NAS volume) is exit 3. */
async function clonesOf(ctx: StorageContext, r: Resolved): Promise<string[]> {
  try {
    return await api.listNasSnapshotClones(ctx.rest, r.dataset, r.physical);
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`${label(r.ref)} does not exist`, { nasVolume: r.dataset, snapshot: r.ref.snapshot });
    throw e;
  }
}

export interface DeleteNasSnapshotResult {
  nasVolume: string;
  snapshot: string;
  deleted: boolean;
  unpublished: boolean;
}

export async function deleteNasSnapshot(
  ctx: StorageContext,
  ref: NasSnapshotRef,
  opts: { ifExists?: boolean } = {},
): Promise<DeleteNasSnapshotResult> {
  const r = resolveNasSnapshot(ctx, ref);
  const base = { nasVolume: r.dataset, snapshot: ref.snapshot };
  let clones: string[];
  try {
    clones = await clonesOf(ctx, r);
  } catch (e) {
    if (opts.ifExists && isMissing(e)) return { ...base, deleted: false, unpublished: false };
    throw e;
  }
  const others = clones.filter((c) => c !== r.physical);
  if (others.length > 0) {
    throw new BusyError(`${label(ref)} has dependent clones: ${others.join(', ')}; delete them first`, { clones: others });
  }
  const unpublished = clones.includes(r.physical) ? (await removePublication(ctx, r)).unpublished : false;
  try {
    await api.deleteNasSnapshot(ctx.rest, r.dataset, r.physical);
  } catch (e) {
    if (e instanceof BusyError) throw new BusyError(`${label(ref)} is in use: ${e.message}`, e.details);
    if (!isMissing(e)) throw e;
  }
  ctx.log.info(`deleted NAS snapshot ${r.dataset}@${r.physical}`);
  return { ...base, deleted: true, unpublished };
}

export interface NasPublication {
  nasVolume: string;
  snapshot: string;
  /** The clone and the share, both named after the snapshot's physical name. */
  clone: string;
  share: string;
  /** What to mount: `/Pools/<pool>/<clone>`. */
  exportPath: string;
  allow: string[];
  /** False when it was already published. */
  created: boolean;
}

/**
 * Publishes a snapshot read-only: a clone, then a read-only share of it. The NAS volume and the
 * snapshot are proven by reads first; if the share cannot be made, a clone made here is removed.
 */
export async function publishNasSnapshot(
  ctx: StorageContext,
  ref: NasSnapshotRef,
  opts: { allow?: string[] } = {},
): Promise<NasPublication> {
  const r = resolveNasSnapshot(ctx, ref);
  const allow = checkAccessRules(opts.allow);
  await nasVolumeRecord(ctx, r.dataset);
  const clones = await clonesOf(ctx, r);
  const path = `${ctx.pool}/${r.physical}`;
  const done = (created: boolean, exportPath?: string): NasPublication => ({
    nasVolume: r.dataset,
    snapshot: ref.snapshot,
    clone: r.physical,
    share: r.physical,
    exportPath: exportPath ?? exportPathOf(ctx.pool, r.physical),
    allow,
    created,
  });
  const share = await api.findShare(ctx.rest, r.physical);
  if (share && share.path !== path) {
    throw new ExistsError(`share ${r.physical} already exists and shares ${share.path}, not ${path}; cannot publish ${label(ref)}`, {
      share: r.physical,
      path: share.path,
    });
  }
  if (share && clones.includes(r.physical)) return done(false, share.realPath);
  const madeClone = !clones.includes(r.physical);
  if (madeClone) {
    try {
      await api.createNasClone(ctx.rest, r.dataset, r.physical, r.physical);
    } catch (e) {
      if (e instanceof ExistsError)
        throw new ExistsError(`a dataset named ${r.physical} already exists on pool ${ctx.pool}; cannot publish ${label(ref)}`, e.details);
      throw e;
    }
  }
  try {
    const view = await createShareOf(ctx, r.physical, r.physical, nfsSettings(allow, true, false));
    ctx.log.info(`published ${r.dataset}@${r.physical} at ${view.exportPath}`);
    return done(true, view.exportPath);
  } catch (e) {
    if (madeClone) await api.deleteNasClone(ctx.rest, r.dataset, r.physical, r.physical).catch(() => undefined);
    throw e;
  }
}

export interface NasUnpublished {
  nasVolume: string;
  snapshot: string;
  /** False when it was not published. */
  unpublished: boolean;
}

/** Removes the share, then the clone, of a published snapshot; not published is success (unpublished: false). */
export async function unpublishNasSnapshot(ctx: StorageContext, ref: NasSnapshotRef): Promise<NasUnpublished> {
  const r = resolveNasSnapshot(ctx, ref);
  await nasVolumeRecord(ctx, r.dataset);
  const clones = await clonesOf(ctx, r);
  if (!clones.includes(r.physical)) {
    // A share left behind by an interrupted publish still goes.
    const share = await api.findShare(ctx.rest, r.physical);
    if (share?.path === `${ctx.pool}/${r.physical}`) await api.deleteShare(ctx.rest, r.physical);
    return { nasVolume: r.dataset, snapshot: ref.snapshot, unpublished: false };
  }
  return removePublication(ctx, r);
}

/** Share first (NFS clients lose the export), then the clone; a clone busy for a moment after is retried within the deadline. */
async function removePublication(ctx: StorageContext, r: Resolved): Promise<NasUnpublished> {
  const share = await api.findShare(ctx.rest, r.physical);
  if (share?.path === `${ctx.pool}/${r.physical}`) await api.deleteShare(ctx.rest, r.physical);
  for (let delay = 200; ; delay = Math.min(delay * 2, 2000)) {
    try {
      await api.deleteNasClone(ctx.rest, r.dataset, r.physical, r.physical);
      break;
    } catch (e) {
      if (!(e instanceof BusyError) || ctx.deadline.remaining() <= delay) throw e;
      await ctx.clock.sleep(delay);
    }
  }
  ctx.log.info(`unpublished ${r.dataset}@${r.physical}`);
  return { nasVolume: r.dataset, snapshot: r.ref.snapshot, unpublished: true };
}

/** Unpublishes a snapshot known by its physical name (delete --force, rollback --force). */
export async function unpublishNasPhysical(ctx: StorageContext, dataset: string, physical: string): Promise<void> {
  const p = parseNasSnapshotName(physical);
  await removePublication(ctx, { dataset, physical, ref: { nasVolume: dataset, snapshot: p.name } });
}
