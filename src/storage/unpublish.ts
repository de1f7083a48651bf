// Detaching a volume from its iSCSI target(s); a target whose last LUN goes is deleted at once
// (upstream left such "zombie" targets behind and swept them on a 1 % chance, §8.1).
import { deleteTarget, detachLun, findLuns, listLuns } from '../jovian/targets';
import type { StorageContext } from './context';

export interface Detached {
  target: string;
  lun: number;
  targetDeleted: boolean;
}

export async function unpublishPhysical(ctx: StorageContext, physical: string): Promise<Detached[]> {
  const out: Detached[] = [];
  for (const loc of await findLuns(ctx.rest, physical)) {
    if (loc.pool !== ctx.pool) continue;
    out.push(await detachFromTarget(ctx, loc.target, physical, loc.lun));
  }
  return out;
}

export async function detachFromTarget(ctx: StorageContext, target: string, physical: string, lun: number): Promise<Detached> {
  await detachLun(ctx.rest, target, physical);
  const left = await listLuns(ctx.rest, target);
  let targetDeleted = left === undefined;
  if (left !== undefined && left.length === 0) {
    await deleteTarget(ctx.rest, target);
    targetDeleted = true;
  }
  ctx.log.info(`detached ${physical} (LUN ${lun}) from ${target}${targetDeleted ? '; target deleted' : ''}`);
  return { target, lun, targetDeleted };
}
