// Rename with the guards upstream lacked (the appliance's rename can replace an existing zvol
// without an error): the destination is checked absent right before the rename, the renamed
// volume must carry the source's identity afterwards, and a rename that already happened is
// recognised instead of failing or overwriting.
import { BusyError, ExistsError, NotFoundError, ApplianceError } from '../../errors';
import * as api from '../../jovian';
import { physicalVolume, type StorageContext } from '../context';
import { lunsOf } from '../targets/detach';

export interface RenameResult {
  name: string;
  previousName: string;
  scsiId: string | null;
  /** True when the volume already had the new name (a retried rename). */
  alreadyRenamed: boolean;
}

export interface RenameOptions {
  /** SCSI id the volume must have; makes a retried rename recognisable when the source is gone. */
  expectScsiId?: string;
}

export async function renameVolume(ctx: StorageContext, from: string, to: string, opts: RenameOptions = {}): Promise<RenameResult> {
  const src = physicalVolume(ctx, from);
  const dst = physicalVolume(ctx, to);
  const expect = opts.expectScsiId?.toLowerCase();
  const result = (scsiId: string | undefined, alreadyRenamed: boolean): RenameResult => ({
    name: to,
    previousName: from,
    scsiId: scsiId ?? null,
    alreadyRenamed,
  });

  const source = await api.findVolume(ctx.rest, src);
  if (!source) {
    const existing = await api.findVolume(ctx.rest, dst);
    if (existing && expect && existing.scsiId?.toLowerCase() === expect) return result(existing.scsiId, true);
    throw new NotFoundError(`volume ${from} does not exist`, { volume: from });
  }
  if (expect && source.scsiId?.toLowerCase() !== expect) {
    throw new ExistsError(`volume ${from} has SCSI id ${source.scsiId}, not the expected ${opts.expectScsiId}; refusing to rename it`);
  }
  if (src === dst) return result(source.scsiId, true);

  const attached = await lunsOf(ctx, src);
  if (attached.length > 0) {
    throw new BusyError(`volume ${from} is published on ${attached.map((l) => l.target).join(', ')}; unpublish it before renaming`, {
      targets: attached.map((l) => l.target),
    });
  }
  // Checked immediately before the rename: the appliance has been seen to silently replace an
  // existing destination, and a listing taken earlier can be stale.
  const clash = await api.findVolume(ctx.rest, dst);
  if (clash) throw new ExistsError(`volume ${to} already exists; refusing to rename ${from} onto it`, { volume: to });

  const sameVolume = (v: api.VolumeRecord | undefined) => v !== undefined && identity(v) === identity(source);
  await api.renameVolume(ctx.rest, src, dst, async () => sameVolume(await api.findVolume(ctx.rest, dst)));

  const renamed = await api.findVolume(ctx.rest, dst);
  if (!sameVolume(renamed)) {
    throw new ApplianceError(
      `rename of ${from} to ${to} could not be confirmed: ${renamed ? 'the volume now named ' + to + ' is a different volume' : to + ' does not exist'}; check the pool before retrying`,
    );
  }
  ctx.log.info(`renamed volume ${src} to ${dst}`);
  return result(renamed?.scsiId, false);
}

function identity(v: api.VolumeRecord): string {
  return `${v.guid ?? ''}/${v.volumeId ?? v.scsiId ?? ''}`;
}

export interface RenamePlan {
  /** The source's SCSI id, read before any change: the guard of the rename that follows. */
  scsiId: string | null;
  /** The name to rename to; undefined = the first free name (the wanted one is taken). */
  to: string | undefined;
  /** Set when there is nothing to do: the volume already has the name. */
  done?: RenameResult;
}

/**
 * The reads a rename that must first unpublish the volume (`volume rename --unpublish`) makes
 * before its first change, so that a rename that would be refused leaves the volume published
 * and in use: the source exists (with the expected SCSI id), and the new name is free — unless
 * `orFreeName`, where a taken name means "the first free one" instead of a refusal.
 */
export async function planRename(
  ctx: StorageContext,
  from: string,
  to: string | undefined,
  opts: RenameOptions & { orFreeName?: boolean } = {},
): Promise<RenamePlan> {
  const src = physicalVolume(ctx, from);
  const dst = to === undefined ? undefined : physicalVolume(ctx, to);
  const expect = opts.expectScsiId?.toLowerCase();
  const source = await api.findVolume(ctx.rest, src);
  if (!source) {
    // a retried call whose rename already happened: the guarded volume under the new name
    const existing = dst !== undefined && expect ? await api.findVolume(ctx.rest, dst) : undefined;
    if (existing && existing.scsiId?.toLowerCase() === expect) {
      return {
        scsiId: existing.scsiId ?? null,
        to,
        done: { name: to!, previousName: from, scsiId: existing.scsiId ?? null, alreadyRenamed: true },
      };
    }
    throw new NotFoundError(`volume ${from} does not exist`, { volume: from });
  }
  if (expect && source.scsiId?.toLowerCase() !== expect) {
    throw new ExistsError(`volume ${from} has SCSI id ${source.scsiId}, not the expected ${opts.expectScsiId}; refusing to rename it`);
  }
  const scsiId = source.scsiId ?? null;
  if (dst === undefined) return { scsiId, to };
  if (dst === src) return { scsiId, to, done: { name: to!, previousName: from, scsiId, alreadyRenamed: true } };
  if (await api.findVolume(ctx.rest, dst)) {
    if (opts.orFreeName) return { scsiId, to: undefined };
    throw new ExistsError(`volume ${to} already exists; refusing to rename ${from} onto it`, { volume: to });
  }
  return { scsiId, to };
}
