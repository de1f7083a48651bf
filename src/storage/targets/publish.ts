// Publishing a volume (or a snapshot, through its export clone) on the VM's iSCSI targets:
// first target of the group with room, lowest free LUN, VIPs from data_addresses, CHAP, and the
// cross-storage guards: a target name another pool owns is refused, and a volume published under
// another prefix moves only while nobody is logged in to it. Safe under many concurrent jdssc
// processes: every conflict is re-examined, never assumed, and partial work of this call is undone.
import { ApplianceError, BusyError, ExistsError, isMissing, NotFoundError, UsageError } from '../../errors';
import * as t from '../../jovian';
import { getVolume } from '../../jovian';
import { vmidOf } from '../arrayNames';
import { physicalVolume, wwidOf, type StorageContext } from '../context';
import { checkChap, syncChap, type ChapSettings } from './chap';
import { ensureExportClone, exportCloneOf, removeExportClone } from './exportClone';
import { groupBase, groupIndex, targetName } from './targetNames';
import { resolvePortals, type Portals } from './vips';
import { detachFromTarget, lunsOf } from './detach';

export interface TargetSettings {
  targetPrefix: string;
  lunsPerTarget: number;
  dataAddresses: string[];
  dataPort: number;
  chap: ChapSettings;
}

export interface PublishRequest {
  volume: string;
  snapshot?: string;
  vmid?: number;
  refreshChap?: boolean;
}

export interface Publication {
  volume: string;
  snapshot: string | null;
  target: string;
  lun: number;
  portals: string[];
  wwid: string | null;
  scsiId: string | null;
  created: { target: boolean; lun: boolean; exportClone: boolean };
  /** Set when the volume stays on a target outside this storage's group because it is in use there. */
  note?: string;
}

const ATTEMPTS = 8;

export function vmidFor(req: { volume: string; vmid?: number }): number {
  const vmid = req.vmid ?? vmidOf(req.volume);
  if (vmid === undefined) throw new UsageError(`cannot tell the VM of ${req.volume} from its name; pass --vmid`);
  return vmid;
}

export async function publish(ctx: StorageContext, s: TargetSettings, req: PublishRequest): Promise<Publication> {
  const vmid = vmidFor(req);
  checkChap(s.chap);
  let exportCreated = false;
  let physical = physicalVolume(ctx, req.volume);
  if (req.snapshot !== undefined) {
    const exp = exportCloneOf(ctx, req.volume, req.snapshot);
    exportCreated = await ensureExportClone(ctx, exp);
    physical = exp.clone;
  }
  try {
    const placed = await place(ctx, s, physical, groupBase(s.targetPrefix, vmid), req.refreshChap === true);
    return { volume: req.volume, snapshot: req.snapshot ?? null, ...placed, created: { ...placed.created, exportClone: exportCreated } };
  } catch (e) {
    if (exportCreated) await removeExportClone(ctx, physical).catch(() => undefined);
    throw e;
  }
}

type Placed = Omit<Publication, 'volume' | 'snapshot' | 'created'> & { created: { target: boolean; lun: boolean } };

async function place(ctx: StorageContext, s: TargetSettings, physical: string, base: string, refreshChap: boolean): Promise<Placed> {
  const portals = await resolvePortals(ctx, s.dataAddresses);
  const done = async (target: t.TargetRecord, lun: number, scsiId: string | undefined, created: Placed['created'], note?: string) => {
    try {
      await settle(ctx, s, target, portals, refreshChap && !created.target);
    } catch (e) {
      // A LUN (or target) this call made but could not make usable (VIPs, CHAP) is taken back.
      if (created.lun) await undoAttach(ctx, target.name, physical, created.target);
      throw e;
    }
    const id = scsiId ?? (await getVolume(ctx.rest, physical)).scsiId;
    return {
      target: target.name,
      lun,
      portals: portals.addresses.map((a) => `${a}:${s.dataPort}`),
      wwid: wwidOf(id),
      scsiId: id ?? null,
      created,
      ...(note ? { note } : {}),
    };
  };

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await ctx.clock.sleep(50 * attempt + Math.floor(Math.random() * 100));
    const here = await lunsOf(ctx, physical);
    if (here.length > 1)
      throw new ApplianceError(
        `${physical} is attached to several targets (${here.map((l) => l.target).join(', ')}); fix the pool by hand`,
      );
    if (here.length === 1) {
      const loc = here[0];
      const target = await t.findTarget(ctx.rest, loc.target);
      if (!target) continue; // deleted under us; look again
      if (groupIndex(base, loc.target) !== undefined) return done(target, loc.lun, loc.scsiId, { target: false, lun: false });
      // Published under another prefix (changed target_prefix, or another storage). Moving it
      // would cut off whoever is using it, so it moves only when nobody is logged in.
      const sessions = await t.listSessions(ctx.rest, loc.target);
      if (sessions.length > 0) {
        const note = `kept on ${loc.target}: in use by ${[...new Set(sessions.map((x) => x.address))].join(', ')}`;
        return done(target, loc.lun, loc.scsiId, { target: false, lun: false }, note);
      }
      // Just seen without any session (a stricter test than the detach's own): not read twice.
      await detachFromTarget({ ...ctx, forceDetach: true }, loc.target, physical, loc.lun);
    }

    const group = (await t.listTargets(ctx.rest))
      .map((x) => ({ target: x, index: groupIndex(base, x.name) }))
      .filter((x): x is { target: t.TargetRecord; index: number } => x.index !== undefined)
      .sort((a, b) => a.index - b.index);
    let recheck = false;
    for (const { target } of group) {
      const luns = await t.listLuns(ctx.rest, target.name);
      if (!luns || luns.length >= s.lunsPerTarget) continue;
      const r = await attachLowestFree(ctx, target.name, physical, luns, s.lunsPerTarget);
      if (r === 'recheck') recheck = true;
      if (r === 'recheck') break;
      if (r) return done(target, r.lun, r.scsiId, { target: false, lun: true });
    }
    if (recheck) continue;

    const used = new Set(group.map((g) => g.index));
    let index = 0;
    while (used.has(index)) index++;
    const name = targetName(base, index);
    try {
      await t.createTarget(ctx.rest, name, { vips: portals.vipNames, chap: s.chap.enabled });
    } catch (e) {
      if (!(e instanceof ExistsError)) throw e;
      if (await t.findTarget(ctx.rest, name)) continue; // a concurrent publish made it: use it
      throw new ExistsError(`target ${name} belongs to another pool of this JovianDSS; every storage needs its own target_prefix`, {
        target: name,
        marker: 'joviandss-target-pool-conflict',
      });
    }
    const created = { name, active: true, chap: s.chap.enabled, vips: portals.vipNames };
    const r = await attachLowestFree(ctx, name, physical, [], s.lunsPerTarget).catch(async (e) => {
      await removeIfEmpty(ctx, name);
      throw e;
    });
    if (r && r !== 'recheck') return done(created, r.lun, r.scsiId, { target: true, lun: true });
    await removeIfEmpty(ctx, name);
  }
  throw new BusyError(`could not publish ${physical}: the targets of its VM kept changing under concurrent jdssc runs; try again`);
}

/** Tries the free LUN numbers in ascending order; 'recheck' when the volume got attached elsewhere meanwhile. */
async function attachLowestFree(
  ctx: StorageContext,
  target: string,
  physical: string,
  luns: t.LunRecord[],
  lunsPerTarget: number,
): Promise<{ lun: number; scsiId?: string } | 'recheck' | undefined> {
  const taken = new Set(luns.map((l) => l.lun));
  for (let lun = 0; lun < lunsPerTarget; lun++) {
    if (taken.has(lun)) continue;
    try {
      const attached = await t.attachLun(ctx.rest, target, physical, lun);
      ctx.log.info(`attached ${physical} to ${target} as LUN ${lun}`);
      return { lun, scsiId: attached.scsiId };
    } catch (e) {
      if (e instanceof BusyError) return 'recheck'; // "Volume … is already used": someone published it
      if (e instanceof ExistsError) continue; // that LUN number was just taken; try the next
      if (isMissing(e)) {
        // A missing zvol is reported by name ("Zfs resource … not found"); anything else is the target.
        if (e.details?.resource === undefined) return undefined;
        throw new NotFoundError(`volume ${physical} does not exist`, e.details);
      }
      throw e;
    }
  }
  return undefined;
}

async function undoAttach(ctx: StorageContext, target: string, physical: string, targetCreated: boolean): Promise<void> {
  try {
    await t.detachLun(ctx.rest, target, physical);
    if (targetCreated) await removeIfEmpty(ctx, target);
    ctx.log.warn(`publish of ${physical} failed after attaching it to ${target}; detached it again`);
  } catch (e) {
    ctx.log.warn(`publish of ${physical} failed and its LUN on ${target} could not be taken back: ${(e as Error).message}`);
  }
}

async function removeIfEmpty(ctx: StorageContext, target: string): Promise<void> {
  const luns = await t.listLuns(ctx.rest, target);
  if (luns && luns.length === 0) await t.deleteTarget(ctx.rest, target);
}

/** Existing targets get their VIPs and CHAP repaired to match this storage. */
async function settle(
  ctx: StorageContext,
  s: TargetSettings,
  target: t.TargetRecord,
  portals: Portals,
  refreshChap: boolean,
): Promise<void> {
  const want = [...portals.vipNames].sort().join(',');
  if ([...target.vips].sort().join(',') !== want) await t.updateTarget(ctx.rest, target.name, { vips: portals.vipNames });
  await syncChap(ctx, target, s.chap, refreshChap);
}
