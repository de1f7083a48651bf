// Detaching a volume from its iSCSI target(s); a target whose last LUN goes is deleted at once
// (upstream left such empty targets behind, removing them only on a 1 % chance). Both run
// under the target group's cluster lock, and the target is deleted only if a listing made
// right before the DELETE is empty: a publish on another node cannot attach in between.
import { BusyError } from '../../errors';
import { deleteTarget, detachLun, findLuns, findSessions, listLuns, type LunLocation } from '../../jovian';
import type { StorageContext } from '../context';
import { lockKeys } from './locking';

export interface Detached {
  target: string;
  lun: number;
  targetDeleted: boolean;
}

/** Where a volume is attached in this pool (the look-up itself spans every pool of the appliance). */
export async function lunsOf(ctx: StorageContext, physical: string): Promise<LunLocation[]> {
  return (await findLuns(ctx.rest, physical)).filter((l) => l.pool === ctx.pool);
}

export async function unpublishPhysical(ctx: StorageContext, physical: string): Promise<Detached[]> {
  const out: Detached[] = [];
  for (const loc of await lunsOf(ctx, physical)) out.push(await detachFromTarget(ctx, loc.target, physical, loc.lun));
  return out;
}

export async function detachFromTarget(ctx: StorageContext, target: string, physical: string, lun: number): Promise<Detached> {
  return ctx.locks.run(lockKeys.targetGroup(ctx, target), `detach ${physical} from ${target}`, () =>
    detachLocked(ctx, target, physical, lun),
  );
}

/** detachFromTarget for a caller that holds the target's group lock already. */
export async function detachLocked(ctx: StorageContext, target: string, physical: string, lun: number): Promise<Detached> {
  await refuseForeignSessions(ctx, target, physical);
  await detachLun(ctx.rest, target, physical);
  const targetDeleted = await deleteTargetIfEmpty(ctx, target);
  ctx.log.info(`detached ${physical} (LUN ${lun}) from ${target}${targetDeleted ? '; target deleted' : ''}`);
  return { target, lun, targetDeleted };
}

/**
 * Deletes a target only when it has no LUN at this moment; true when the target is gone. The
 * caller holds the group lock, so nothing of jdssc attaches between this listing and the DELETE.
 */
export async function deleteTargetIfEmpty(ctx: StorageContext, target: string): Promise<boolean> {
  const left = await listLuns(ctx.rest, target);
  if (left === undefined) return true;
  if (left.length > 0) {
    ctx.log.info(`kept ${target}: it holds LUNs again (${left.map((l) => l.name).join(', ')})`);
    return false;
  }
  await deleteTarget(ctx.rest, target);
  return true;
}

/**
 * Another host logged in to the target may be using this LUN (a VM running there, or devices it
 * never tore down): pulling it would leave that host with a dead disk, and a later LUN with the
 * same number would show up under its old device. So detaching waits for that host (or --force).
 * This host's own sessions do not count: it has torn its devices down before asking.
 */
async function refuseForeignSessions(ctx: StorageContext, target: string, physical: string): Promise<void> {
  if (ctx.forceDetach) return;
  const sessions = await findSessions(ctx.rest, target);
  if (!sessions) return; // the target is gone: nothing to protect
  const mine = ctx.localInitiator()?.toLowerCase();
  const foreign = sessions.filter((s) => !mine || s.initiator.toLowerCase() !== mine);
  if (foreign.length === 0) return;
  const who = [...new Set(foreign.map((s) => (s.address ? `${s.initiator} (${s.address})` : s.initiator || 'an unnamed initiator')))].join(
    ', ',
  );
  throw new BusyError(
    `${target} has live iSCSI sessions from other hosts: ${who}; ${physical} may be in use there. Deactivate it on those hosts (or run jdssc cleanup there), or pass --force`,
    {
      target,
      initiators: [...new Set(foreign.map((s) => s.initiator))],
    },
  );
}
