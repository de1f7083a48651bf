// Volume lifecycle on the array: create, get, list, free name (and changes made under one), resize.
import { blockSizeBytes, type BlockSize } from '../../config';
import { ExistsError, isMissing, NotFoundError, UnreachableError, UsageError } from '../../errors';
import * as api from '../../jovian';
import { vmidOf } from '../arrayNames';
import { nameOfPhysical, physicalVolume, volumeView, type StorageContext, type VolumeView } from '../context';

export interface CreateRequest {
  name: string;
  size: number;
  blockSize?: BlockSize;
  thin?: boolean;
}

export interface CreateResult extends VolumeView {
  requestedSize: number;
}

export async function createVolume(ctx: StorageContext, req: CreateRequest): Promise<CreateResult> {
  const physical = physicalVolume(ctx, req.name);
  const blockSize = req.blockSize ?? ctx.defaults.blockSize;
  const thin = req.thin ?? ctx.defaults.thin;
  if (!Number.isSafeInteger(req.size) || req.size <= 0) throw new UsageError(`--size: must be more than 0 bytes`);
  // ZFS wants volsize to be a multiple of volblocksize; round up, never down.
  const bs = blockSizeBytes(blockSize);
  const size = Math.ceil(req.size / bs) * bs;
  await api.createVolume(ctx.rest, { name: physical, size, thin, blockSize }, async () => {
    // The answer was lost: it is ours if a volume of exactly this shape now exists.
    const v = await api.findVolume(ctx.rest, physical);
    return v !== undefined && v.size === size && (v.blockSize === undefined || v.blockSize === bs);
  });
  ctx.log.info(`created volume ${physical} (${size} bytes, ${blockSize}, ${thin ? 'thin' : 'thick'})`);
  const created = await api.getVolume(ctx.rest, physical);
  return { ...volumeView(ctx, created, req.name), requestedSize: req.size };
}

export async function getVolume(ctx: StorageContext, name: string): Promise<VolumeView> {
  return volumeView(ctx, await getVolumeRecord(ctx, physicalVolume(ctx, name), name), name);
}

export interface ListFilter {
  vmid?: number;
}

/** This cluster's volumes (export clones, hidden objects and foreign names skipped). */
export async function listVolumes(ctx: StorageContext, filter: ListFilter = {}): Promise<VolumeView[]> {
  const out: VolumeView[] = [];
  for await (const page of api.listVolumes(ctx.rest)) {
    for (const v of page) {
      // Only volume-type names (v_, vh_, vb_) of this cluster's prefix have a Proxmox name.
      const name = nameOfPhysical(ctx, v.name);
      if (name === undefined) continue;
      if (filter.vmid !== undefined && vmidOf(name) !== filter.vmid) continue;
      out.push(volumeView(ctx, v, name));
    }
  }
  return out;
}

const MAX_DISKS_PER_GUEST = 1024;

/**
 * The first free `vm-<vmid>-disk-N` (or `base-…`). Disk numbers are shared between vm- and
 * base- names, as in Proxmox. Each candidate is checked by a direct lookup, which cannot be
 * stale like a listing under load can.
 */
export async function freeName(ctx: StorageContext, vmid: number, base = false): Promise<string> {
  if (!Number.isSafeInteger(vmid) || vmid < 1) throw new UsageError(`--vmid: expected a positive VM id, got ${vmid}`);
  const prefix = base ? 'base' : 'vm';
  for (let n = 0; n < MAX_DISKS_PER_GUEST; n++) {
    const taken = await Promise.all(['vm', 'base'].map((p) => api.findVolume(ctx.rest, physicalVolume(ctx, `${p}-${vmid}-disk-${n}`))));
    if (taken.every((v) => v === undefined)) return `${prefix}-${vmid}-disk-${n}`;
  }
  throw new UsageError(`VM ${vmid} already has ${MAX_DISKS_PER_GUEST} disks on this pool`);
}

/** How many free names one call tries before it gives up (the last refusal is its error, exit 4). */
export const FREE_NAME_TRIES = 5;

/**
 * Runs `make` (a create, clone or rename) under the first free disk name of a VM, in one
 * process. What keeps two disks from sharing a name is the array: another node may take the
 * same name between our look-up and our change, and then the change is refused (ExistsError);
 * the look-up is repeated, which now sees that name taken and gives the next one. `first`: a
 * name to try before the free names (the wanted name of a template conversion).
 */
export async function withFreeName<T>(
  ctx: StorageContext,
  vmid: number,
  base: boolean,
  make: (name: string) => Promise<T>,
  first?: string,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 && first !== undefined ? first : await freeName(ctx, vmid, base);
    try {
      return await make(name);
    } catch (e) {
      if (!(e instanceof ExistsError) || attempt >= FREE_NAME_TRIES) throw e;
      ctx.log.info(`${name} was taken meanwhile; trying the next free name of VM ${vmid}`);
    }
  }
}

export interface ResizeResult {
  name: string;
  previousSize: number;
  size: number;
}

/** Grow a volume (never shrink) and wait until the array reports the new size. */
export async function resizeVolume(ctx: StorageContext, name: string, newSize: number | { add: number }): Promise<ResizeResult> {
  const physical = physicalVolume(ctx, name);
  const current = await getVolumeRecord(ctx, physical, name);
  let size = typeof newSize === 'number' ? newSize : current.size + newSize.add;
  if (!Number.isSafeInteger(size) || size <= 0) throw new UsageError('--size: must be more than 0 bytes');
  const bs = current.blockSize ?? 1;
  size = Math.ceil(size / bs) * bs;
  if (size < current.size) {
    throw new UsageError(`refusing to shrink volume ${name} from ${current.size} to ${size} bytes: shrinking destroys data`);
  }
  if (size === current.size) return { name, previousSize: current.size, size };
  await api.resizeVolume(ctx.rest, physical, size);
  // The appliance may report the old size for a moment; wait for the new one, within the deadline.
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    const now = await api.getVolume(ctx.rest, physical);
    if (now.size >= size) return { name, previousSize: current.size, size: now.size };
    if (ctx.deadline.remaining() <= delay) {
      throw new UnreachableError(`volume ${name} still reports ${now.size} bytes instead of ${size} at the deadline`, undefined, 'timeout');
    }
    await ctx.clock.sleep(delay);
  }
}

export async function getVolumeRecord(ctx: StorageContext, physical: string, name: string): Promise<api.VolumeRecord> {
  try {
    return await api.getVolume(ctx.rest, physical);
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`volume ${name} does not exist`, { volume: name });
    throw e;
  }
}
