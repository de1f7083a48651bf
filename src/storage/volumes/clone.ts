// Clones: from a user snapshot (one request, which the appliance refuses atomically), or from a
// whole volume through an intermediate snapshot named after the clone (upstream's convention, so
// the clone's delete can remove it). That second way takes two changes, so its inputs are proven
// by reads first: a refusal then leaves no trace and needs no undo. Only a race after those
// reads leads to an undo, and it removes only what this call created — never a user snapshot.
import { ExistsError, isMissing, NotFoundError } from '../../errors';
import * as snaps from '../../jovian';
import * as api from '../../jovian';
import { physicalSnapshot, physicalVolume, volumeView, type StorageContext, type VolumeView } from '../context';

export interface CloneRequest {
  source: string;
  name: string;
  snapshot?: string;
  thin?: boolean;
}

export async function cloneVolume(ctx: StorageContext, req: CloneRequest): Promise<VolumeView> {
  const src = physicalVolume(ctx, req.source);
  const dst = physicalVolume(ctx, req.name);
  const thin = req.thin ?? ctx.defaults.thin;

  if (req.snapshot !== undefined) {
    const snap = physicalSnapshot(req.snapshot);
    await cloneOrExplain(ctx, { source: src, snapshot: snap, name: dst, thin }, req);
  } else {
    await cloneWholeVolume(ctx, src, dst, thin, req);
  }
  ctx.log.info(`cloned ${src}${req.snapshot ? `@${req.snapshot}` : ''} to ${dst}`);
  return volumeView(ctx, await api.getVolume(ctx.rest, dst), req.name);
}

async function cloneWholeVolume(ctx: StorageContext, src: string, dst: string, thin: boolean, req: CloneRequest): Promise<void> {
  // Before the first change: the source must exist and the clone's name must be free.
  if (!(await api.findVolume(ctx.rest, src))) throw new NotFoundError(`volume ${req.source} does not exist`, { volume: req.source });
  if (await api.findVolume(ctx.rest, dst)) throw new ExistsError(`volume ${req.name} already exists`, { volume: req.name });
  // The intermediate snapshot carries the clone's physical name, as upstream names it, so that
  // deleting the clone finds and removes it.
  const intermediate = dst;
  try {
    await snaps.createSnapshot(ctx.rest, src, intermediate);
  } catch (e) {
    if (isMissing(e)) throw new NotFoundError(`volume ${req.source} does not exist`, { volume: req.source });
    if (!(e instanceof ExistsError)) throw e;
    // Left over by an earlier attempt that died before cloning: reuse it only if nothing hangs off it.
    const clones = await snaps.listSnapshotClones(ctx.rest, src, intermediate);
    if (clones.length > 0) throw new ExistsError(`volume ${req.name} already exists (as a clone of ${req.source})`, { volume: req.name });
    await snaps.deleteSnapshot(ctx.rest, src, intermediate);
    await snaps.createSnapshot(ctx.rest, src, intermediate);
  }
  try {
    await cloneOrExplain(ctx, { source: src, snapshot: intermediate, name: dst, thin }, req);
  } catch (e) {
    await snaps.deleteSnapshot(ctx.rest, src, intermediate).catch((undo) => {
      ctx.log.error(`could not remove intermediate snapshot ${src}@${intermediate} after a failed clone: ${(undo as Error).message}`);
    });
    throw e;
  }
}

async function cloneOrExplain(ctx: StorageContext, body: api.CloneVolume, req: CloneRequest): Promise<void> {
  try {
    await api.cloneVolume(ctx.rest, body);
  } catch (e) {
    if (e instanceof ExistsError) throw new ExistsError(`volume ${req.name} already exists`, { volume: req.name });
    if (isMissing(e)) {
      const what = req.snapshot !== undefined ? `snapshot ${req.snapshot} of volume ${req.source}` : `volume ${req.source}`;
      throw new NotFoundError(`${what} does not exist`, { volume: req.source, snapshot: req.snapshot });
    }
    throw e;
  }
}
