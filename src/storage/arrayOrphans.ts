// Orphans on the array: volumes of VMs that no longer exist, targets without LUNs, LUNs whose
// zvol is gone, export clones nobody publishes, intermediate clone snapshots whose clone is gone.
// Discovery never changes anything; removal goes through the same operations as the commands,
// under the same cluster locks as publish, and re-checks what it relies on while holding them
// (a publish on another node may have used the target or the clone since the scan).
import * as snaps from '../jovian';
import * as t from '../jovian';
import { orUndefined } from '../jovian';
import * as vols from '../jovian';
import { isExportCloneName, parseSnapshotName, withoutClusterPrefix, vmidOf } from './arrayNames';
import { displayName, nameOfPhysical, type StorageContext } from './context';
import { deleteVolume } from './volumes/delete';
import { deleteTargetIfEmpty, detachLocked, lunsOf } from './targets/detach';
import { removeExportCloneLocked } from './targets/exportClone';
import { lockKeys } from './targets/locking';
import { ownsTarget } from './targets/targetNames';

export type ArrayOrphanKind = 'dangling-lun' | 'empty-target' | 'export-clone' | 'intermediate-snapshot' | 'volume';

export interface ArrayOrphan {
  kind: ArrayOrphanKind;
  /** Stable identity (used to count how often it was seen). */
  key: string;
  name: string;
  detail: string;
  /** Epoch seconds when the object was made, if the array says. */
  created?: number;
  /** Set when it must not be removed now, and why. */
  keep?: string;
  /** What removal needs (physical names), not shown to users. */
  ref: { target?: string; lun?: number; volume?: string; snapshot?: string; pveName?: string };
}

export interface ArrayScan {
  orphans: ArrayOrphan[];
  notes: string[];
}

export interface ScanOptions {
  targetPrefix: string;
  /** VM ids that exist in the cluster; undefined = unknown, so no volume is judged. */
  vmids?: Set<number>;
}

export async function scanArray(ctx: StorageContext, o: ScanOptions): Promise<ArrayScan> {
  const notes: string[] = [];
  const orphans: ArrayOrphan[] = [];
  const all: vols.VolumeRecord[] = [];
  for await (const page of vols.listVolumes(ctx.rest)) all.push(...page);
  const physical = new Set(all.map((v) => v.name));

  // Targets of this storage (its target prefix and its cluster prefix, if any): empty ones, and
  // LUNs whose zvol no longer exists. Another cluster's targets are its own cleanup's business.
  for (const target of (await t.listTargets(ctx.rest)).filter((x) => ownsTarget(o.targetPrefix, ctx.clusterPrefix, x.name))) {
    const luns = await t.listLuns(ctx.rest, target.name);
    if (luns === undefined) continue;
    let busy: Promise<string | undefined> | undefined; // read once per target, not per LUN
    for (const l of luns.filter((x) => !physical.has(x.name))) {
      // The volume list was read before the targets: a disk made and published meanwhile is
      // not in it. Only a direct look-up proves the volume is gone.
      if (await vols.findVolume(ctx.rest, l.name)) continue;
      const orphan: ArrayOrphan = {
        kind: 'dangling-lun',
        key: `lun:${target.name}:${l.lun}:${l.name}`,
        name: `${target.name} LUN ${l.lun}`,
        detail: `points to ${l.name}, which no longer exists`,
        ref: { target: target.name, lun: l.lun, volume: l.name },
      };
      const sessions = await (busy ??= targetSessions(ctx, target.name));
      if (sessions) orphan.keep = `in use: ${sessions}`;
      orphans.push(orphan);
    }
    if (luns.length === 0)
      orphans.push({
        kind: 'empty-target',
        key: `target:${target.name}`,
        name: target.name,
        detail: 'has no LUNs',
        ref: { target: target.name },
      });
  }

  // Every volume's snapshots from the pool-wide listing (a few paged GETs), not one listing per
  // volume (10 000 GETs at 10 000 volumes); an appliance without it is asked per volume.
  const poolSnapshots = await snaps.listPoolSnapshots(ctx.rest);
  for (const v of all) {
    const mine = isExportCloneName(v.name) ? exportOwner(ctx, v.name) : nameOfPhysical(ctx, v.name);
    if (mine === undefined) continue;
    if (isExportCloneName(v.name)) {
      const attached = (await lunsOf(ctx, v.name)).length > 0;
      if (!attached)
        orphans.push({
          kind: 'export-clone',
          key: `export:${v.name}`,
          name: displayName(ctx, v.name),
          detail: `${v.name} is not published`,
          created: v.creation,
          ref: { volume: v.name },
        });
      continue;
    }
    // A volume deleted meanwhile has no snapshots left to judge.
    const volumeSnapshots = poolSnapshots ? (poolSnapshots.get(v.name) ?? []) : await orUndefined(snaps.listSnapshots(ctx.rest, v.name));
    for (const s of volumeSnapshots ?? []) {
      if (parseSnapshotName(s.name).kind !== 'clone-source') continue;
      const clones = await snaps.listSnapshotClones(ctx.rest, v.name, s.name);
      if (clones.length === 0) {
        orphans.push({
          kind: 'intermediate-snapshot',
          key: `snap:${v.name}@${s.name}`,
          name: `${mine}@${s.name}`,
          detail: 'clone snapshot whose clone is gone',
          created: s.creation,
          ref: { volume: v.name, snapshot: s.name },
        });
      }
    }
  }

  if (o.vmids === undefined) {
    notes.push('volumes were not judged: no list of existing VMs (give --vmids, or run on a Proxmox node with /etc/pve mounted)');
  } else if (o.vmids.size === 0) {
    notes.push('volumes were not judged: the list of existing VMs is empty (is /etc/pve mounted?)');
  } else {
    for (const v of all) {
      const name = nameOfPhysical(ctx, v.name);
      const vmid = name === undefined ? undefined : vmidOf(name);
      if (name === undefined || vmid === undefined || o.vmids.has(vmid)) continue;
      const orphan: ArrayOrphan = {
        kind: 'volume',
        key: `volume:${v.name}`,
        name,
        detail: `VM ${vmid} does not exist`,
        created: v.creation,
        ref: { volume: v.name, pveName: name },
      };
      const sessions = await liveSessions(ctx, v.name);
      if (sessions) orphan.keep = `in use: ${sessions}`;
      orphans.push(orphan);
    }
  }
  return { orphans, notes };
}

/** Removes one orphan; returns what was done. Re-checks what it relies on first. */
export async function removeArrayOrphan(ctx: StorageContext, o: ArrayOrphan): Promise<string> {
  const { target, lun, volume, snapshot, pveName } = o.ref;
  switch (o.kind) {
    case 'dangling-lun':
      return ctx.locks.run(lockKeys.targetGroup(ctx, target!), `cleanup of ${o.name}`, async () => {
        if (await vols.findVolume(ctx.rest, volume!)) return 'kept: the volume exists again';
        const busy = await targetSessions(ctx, target!);
        if (busy) return `kept: in use: ${busy}`;
        // Just seen without any session (a stricter test than the detach's own): not read twice.
        const d = await detachLocked({ ...ctx, forceDetach: true }, target!, volume!, lun!);
        return `detached${d.targetDeleted ? '; target deleted' : ''}`;
      });
    case 'empty-target':
      // Listed again under the group's lock, right before the DELETE: a LUN a publish attached
      // since the scan keeps the target.
      return ctx.locks.run(lockKeys.targetGroup(ctx, target!), `cleanup of ${o.name}`, async () =>
        (await deleteTargetIfEmpty(ctx, target!)) ? 'deleted' : 'kept: it has LUNs again',
      );
    case 'export-clone':
      return ctx.locks.run(lockKeys.volume(ctx, volume!), `cleanup of ${o.name}`, async () => {
        // Published since the scan (a snapshot being started): it is in use, not an orphan.
        if ((await lunsOf(ctx, volume!)).length > 0) return 'kept: it is published again';
        const r = await removeExportCloneLocked(ctx, volume!);
        return r.deleted ? 'deleted' : 'already gone';
      });
    case 'intermediate-snapshot': {
      if ((await snaps.listSnapshotClones(ctx.rest, volume!, snapshot!)).length > 0) return 'kept: it has a clone again';
      await snaps.deleteSnapshot(ctx.rest, volume!, snapshot!);
      return 'deleted';
    }
    case 'volume': {
      const busy = await liveSessions(ctx, volume!);
      if (busy) return `kept: in use: ${busy}`;
      const r = await deleteVolume(ctx, pveName!, { cascade: true });
      return `deleted${r.snapshots?.length ? ` with snapshots ${r.snapshots.join(', ')}` : ''}`;
    }
  }
}

function exportOwner(ctx: StorageContext, physical: string): string | undefined {
  const p = parseSnapshotName(physical);
  return p.volume === undefined ? undefined : withoutClusterPrefix(p.volume, ctx.clusterPrefix);
}

/** Why the target carrying this volume counts as in use (live sessions), or undefined. */
async function liveSessions(ctx: StorageContext, physical: string): Promise<string | undefined> {
  for (const loc of await lunsOf(ctx, physical)) {
    const why = await targetSessions(ctx, loc.target);
    if (why) return why;
  }
  return undefined;
}

/**
 * Why a target counts as in use, or undefined. Sessions that cannot be read count as in use:
 * cleanup removes only what it has proven unused. A target gone meanwhile has none.
 */
async function targetSessions(ctx: StorageContext, target: string): Promise<string | undefined> {
  let sessions: t.SessionRecord[] | undefined;
  try {
    sessions = await t.findSessions(ctx.rest, target);
  } catch (e) {
    return `${target}: its sessions cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!sessions?.length) return undefined;
  return `${target} has sessions from ${[...new Set(sessions.map((s) => s.address || s.initiator))].join(', ')}`;
}
