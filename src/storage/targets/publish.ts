// Publishing a volume (or a snapshot, through its export clone) on the VM's iSCSI targets:
// first target of the group with room, lowest free LUN, VIPs from data_addresses, CHAP, and the
// cross-storage guards (a target name another pool owns is refused; a volume on a target of
// another prefix moves only while nobody is logged in). Safe under many concurrent jdssc processes on every
// node of the cluster: the group's targets change only under its cluster lock (targets/locking.ts),
// the inputs are proven by reads before the first change (a refusal leaves no trace), the LUN
// is read back before success is reported, and partial work of this call is undone.
import { ApplianceError, BusyError, ExistsError, isMissing, NotFoundError, UsageError } from '../../errors';
import * as t from '../../jovian';
import { findVolume, getVolume } from '../../jovian';
import { vmidOf } from '../arrayNames';
import { physicalVolume, wwidOf, type StorageContext } from '../context';
import { checkChap, syncChap, type ChapSettings } from './chap';
import { ensureExportClone, exportCloneOf, removeExportCloneLocked, requireSnapshot } from './exportClone';
import { lockKeys } from './locking';
import { groupBase, groupIndex, targetName } from './targetNames';
import { resolvePortals, type Portals } from './vips';
import { deleteTargetIfEmpty, detachFromTarget, lunsOf } from './detach';

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
  // Everything a refusal depends on is read before the first change.
  const portals = await resolvePortals(ctx, s.dataAddresses);
  const base = groupBase(s.targetPrefix, vmid, ctx.clusterPrefix);
  const refreshChap = req.refreshChap === true;
  const view = { volume: req.volume, snapshot: req.snapshot ?? null };
  if (req.snapshot === undefined) {
    const physical = physicalVolume(ctx, req.volume);
    // The volume is proven to exist before the first change: by its LUN when it is already
    // published (the common case, VM start), else by a look-up in placeLocked.
    const placed = await place(ctx, s, portals, physical, base, refreshChap, req.volume);
    return { ...view, ...placed, created: { ...placed.created, exportClone: false } };
  }
  const exp = exportCloneOf(ctx, req.volume, req.snapshot);
  await requireSnapshot(ctx, exp);
  // The export clone must not be removed (unpublish, cleanup) between its check and its LUN.
  return ctx.locks.run(lockKeys.volume(ctx, exp.clone), `publish ${exp.label}`, async () => {
    const exportCreated = await ensureExportClone(ctx, exp);
    try {
      const placed = await place(ctx, s, portals, exp.clone, base, refreshChap);
      return { ...view, ...placed, created: { ...placed.created, exportClone: exportCreated } };
    } catch (e) {
      if (exportCreated) await removeExportCloneLocked(ctx, exp.clone).catch(() => undefined);
      throw e;
    }
  });
}

type Placed = Omit<Publication, 'volume' | 'snapshot' | 'created'> & { created: { target: boolean; lun: boolean } };

/** One attempt's outcome: placed, or move off a target outside the group first, or look again. */
type Attempt = { placed: Placed } | { foreign: t.LunLocation } | 'again';

async function place(
  ctx: StorageContext,
  s: TargetSettings,
  portals: Portals,
  physical: string,
  base: string,
  refreshChap: boolean,
  /** A user volume whose existence is still to be proven (export clones are proven by their caller). */
  unproven?: string,
): Promise<Placed> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await ctx.clock.sleep(50 * attempt + Math.floor(Math.random() * 100));
    const r = await ctx.locks.run(lockKeys.group(ctx, base), `publish ${physical}`, () =>
      placeLocked(ctx, s, portals, physical, base, refreshChap, unproven),
    );
    if (r === 'again') continue;
    if ('placed' in r) return r.placed;
    // Just seen without any session (a stricter test than the detach's own): not read twice.
    // Under that target's own group lock, and not while holding ours (one lock at a time).
    await detachFromTarget({ ...ctx, forceDetach: true }, r.foreign.target, physical, r.foreign.lun);
  }
  throw new BusyError(`could not publish ${physical}: the targets of its VM kept changing under concurrent jdssc runs; try again`);
}

/** One placement attempt; the caller holds the group's lock. */
async function placeLocked(
  ctx: StorageContext,
  s: TargetSettings,
  portals: Portals,
  physical: string,
  base: string,
  refreshChap: boolean,
  unproven?: string,
): Promise<Attempt> {
  const done = async (target: t.TargetRecord, lun: number, scsiId: string | undefined, created: Placed['created'], note?: string) => {
    try {
      await settle(ctx, s, target, portals, refreshChap && !created.target);
    } catch (e) {
      // A LUN (or target) this call made but could not make usable (VIPs, CHAP) is taken back.
      if (created.lun) await undoAttach(ctx, target.name, physical, created.target);
      throw e;
    }
    // Verified after the fact: a LUN this call attached must be there now, with our volume and
    // number. If it is not (changed by something that ignores the lock), the next attempt places
    // it again. A LUN found in place was read under the lock just now: that read is the check.
    const back = created.lun ? await t.listLuns(ctx.rest, target.name) : [{ name: physical, lun }];
    if (!back?.some((l) => l.name === physical && l.lun === lun)) {
      ctx.log.warn(`${physical} is not on ${target.name} as LUN ${lun} right after publishing it; publishing again`);
      return 'again' as const;
    }
    const id = scsiId ?? (await getVolume(ctx.rest, physical)).scsiId;
    const placed: Placed = {
      target: target.name,
      lun,
      portals: portals.addresses.map((a) => `${a}:${s.dataPort}`),
      wwid: wwidOf(id),
      scsiId: id ?? null,
      created,
      ...(note ? { note } : {}),
    };
    return { placed };
  };

  const here = await lunsOf(ctx, physical);
  if (here.length > 1)
    throw new ApplianceError(`${physical} is attached to several targets (${here.map((l) => l.target).join(', ')}); fix the pool by hand`);
  if (here.length === 1) {
    const loc = here[0];
    const target = await t.findTarget(ctx.rest, loc.target);
    if (!target) return 'again'; // deleted under us; look again
    if (groupIndex(base, loc.target) !== undefined) return done(target, loc.lun, loc.scsiId, { target: false, lun: false });
    // Published under another prefix (changed target_prefix, another storage, or from before
    // cluster_prefix named targets). Moving it would cut off whoever is using it, so it moves
    // only when nobody is logged in.
    const sessions = await t.listSessions(ctx.rest, loc.target);
    if (sessions.length > 0) {
      const note = `kept on ${loc.target}: in use by ${[...new Set(sessions.map((x) => x.address))].join(', ')}`;
      return done(target, loc.lun, loc.scsiId, { target: false, lun: false }, note);
    }
    return { foreign: loc };
  }

  if (unproven !== undefined && !(await findVolume(ctx.rest, physical)))
    throw new NotFoundError(`volume ${unproven} does not exist`, { volume: unproven });

  const group = (await t.listTargets(ctx.rest))
    .map((x) => ({ target: x, index: groupIndex(base, x.name) }))
    .filter((x): x is { target: t.TargetRecord; index: number } => x.index !== undefined)
    .sort((a, b) => a.index - b.index);
  for (const { target } of group) {
    const luns = await t.listLuns(ctx.rest, target.name);
    if (!luns || luns.length >= s.lunsPerTarget) continue;
    const r = await attachLowestFree(ctx, target.name, physical, luns, s.lunsPerTarget);
    if (r === 'recheck') return 'again';
    if (r) return done(target, r.lun, r.scsiId, { target: false, lun: true });
  }

  const used = new Set(group.map((g) => g.index));
  let index = 0;
  while (used.has(index)) index++;
  const name = targetName(base, index);
  try {
    await t.createTarget(ctx.rest, name, { vips: portals.vipNames, chap: s.chap.enabled });
  } catch (e) {
    if (!(e instanceof ExistsError)) throw e;
    if (await t.findTarget(ctx.rest, name)) return 'again'; // made meanwhile (a listing that lagged): use it
    throw new ExistsError(`target ${name} belongs to another pool of this JovianDSS; every storage needs its own target_prefix`, {
      target: name,
      marker: 'joviandss-target-pool-conflict',
    });
  }
  const created = { name, active: true, chap: s.chap.enabled, vips: portals.vipNames };
  const r = await attachLowestFree(ctx, name, physical, [], s.lunsPerTarget).catch(async (e) => {
    await deleteTargetIfEmpty(ctx, name);
    throw e;
  });
  if (r && r !== 'recheck') return done(created, r.lun, r.scsiId, { target: true, lun: true });
  await deleteTargetIfEmpty(ctx, name);
  return 'again';
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

/** Takes back a LUN this call attached; the caller holds the group's lock. */
async function undoAttach(ctx: StorageContext, target: string, physical: string, targetCreated: boolean): Promise<void> {
  try {
    await t.detachLun(ctx.rest, target, physical);
    if (targetCreated) await deleteTargetIfEmpty(ctx, target);
    ctx.log.warn(`publish of ${physical} failed after attaching it to ${target}; detached it again`);
  } catch (e) {
    ctx.log.warn(`publish of ${physical} failed and its LUN on ${target} could not be taken back: ${(e as Error).message}`);
  }
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
