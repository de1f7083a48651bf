// Making a volume (or a snapshot) a block device on this host and back: the array side
// (publish) and the host side (sessions, device, map) in one place, in the right order.
import { HostError, NotFoundError } from '../../errors';
import {
  activate,
  activateIfHealthy,
  deactivate,
  findByVolume,
  lunDevice,
  parsePortal,
  resizeRescan,
  sameTarget,
  type ActivateResult,
  type DeactivateResult,
  type HostEnv,
  type LunRecord,
  type Portal,
  type PortalOutcome,
} from '../../host';
import {
  physicalVolume,
  wwidOf,
  type StorageContext,
  publishedPhysical,
  publish,
  type TargetSettings,
  unpublish,
  findPhysical,
} from '../../storage';

export interface LoginSettings extends TargetSettings {
  storageId: string;
  multipath: boolean;
}

export interface VolumeRef {
  volume: string;
  snapshot?: string;
  vmid?: number;
}

export interface Activation {
  volume: string;
  snapshot: string | null;
  device: string;
  wwid: string;
  sizeBytes: number;
  target: string;
  lun: number;
  multipath: boolean;
  portals: PortalOutcome[];
  degraded: boolean;
  /** `host-record`: the array did not answer; this host's LUN record and devices did. */
  answeredBy: 'array' | 'host-record';
}

/** The configured data portals, or null when data_addresses do not parse (then publish decides). */
function configuredPortals(s: LoginSettings): Portal[] | null {
  try {
    return s.dataAddresses.map((a) => parsePortal(a, s.dataPort));
  } catch {
    return null;
  }
}

/** activateIfHealthy with the configured portals and CHAP; null when they cannot be told here. */
async function activateFromRecord(host: HostEnv, s: LoginSettings & { pool: string }, ref: VolumeRef) {
  const portals = configuredPortals(s);
  if (!portals || (s.chap.enabled && !(s.chap.user && s.chap.secret))) return null;
  return activateIfHealthy(host, {
    storageId: s.storageId,
    pool: s.pool,
    volume: ref.volume,
    snapshot: ref.snapshot ?? null,
    multipath: s.multipath,
    portals,
    chap: s.chap.enabled ? { user: s.chap.user as string, secret: s.chap.secret as string } : null,
  });
}

/**
 * Publish (array), then log in (host). A volume this host already has active and healthy, as
 * recorded and as configured, has a second answer: its LUN record (activateIfHealthy in
 * src/host/lifecycle/activateKnown.ts says what stands in for the array's). That record can be
 * stale — another node may have deleted the volume and made a new one of the same name, on the
 * same target and LUN, and this host's cached device identity would not show it — so the array
 * still decides whenever it answers; the record answers only when `arrayAnswers()` says it does
 * not (REST away while iSCSI data flows: VM restart, HA recovery, vzdump on this node). `ctx` is
 * made only when the array is asked.
 */
export async function activateVolume(
  ctx: () => Promise<StorageContext>,
  host: HostEnv,
  s: LoginSettings & { pool: string },
  ref: VolumeRef,
  arrayAnswers: () => Promise<boolean>,
): Promise<Activation> {
  // The host's checks (tool calls) run only once the array has not answered: while it answers,
  // the normal path looks at the host itself (activate's already-active check).
  const recorded = findByVolume(host, s.storageId, ref.volume, ref.snapshot ?? null).length > 0;
  if (recorded && !(await arrayAnswers())) {
    const known = await activateFromRecord(host, s, ref);
    if (known) {
      host.log.warn(`the array does not answer: ${ref.volume} answered from this host's LUN record (${known.device})`);
      return activationOf(ref, known, known.target, known.lun, 'host-record');
    }
  }
  return activateThroughArray(await ctx(), host, s, ref);
}

async function activateThroughArray(ctx: StorageContext, host: HostEnv, s: LoginSettings, ref: VolumeRef): Promise<Activation> {
  const attempt = async (refreshChap: boolean) => {
    const p = await publish(ctx, s, { volume: ref.volume, snapshot: ref.snapshot, vmid: ref.vmid, refreshChap });
    if (!p.wwid) throw new HostError(`the array reported no SCSI id for ${ref.volume}; cannot tell which device to wait for`);
    const r = await activate(host, {
      storageId: s.storageId,
      pool: ctx.pool,
      volume: ref.volume,
      snapshot: ref.snapshot ?? null,
      target: p.target,
      lun: p.lun,
      portals: p.portals.map((x) => parsePortal(x, s.dataPort)),
      wwid: p.wwid,
      chap: s.chap.enabled ? { user: s.chap.user as string, secret: s.chap.secret as string } : null,
      multipath: s.multipath,
    });
    return { p, r };
  };
  let out;
  try {
    out = await attempt(false);
  } catch (e) {
    // The target may still hold an older CHAP secret: push ours once and try again.
    if (!(e instanceof HostError) || e.details?.reason !== 'chap_auth_failed' || !s.chap.enabled) throw e;
    ctx.log.warn(`CHAP login to ${ref.volume}'s target failed; refreshing the CHAP user on the array and retrying once`);
    out = await attempt(true);
  }
  const { p, r } = out;
  await dropStaleRecords(host, s.storageId, ref, p.target, p.lun);
  return activationOf(ref, r, p.target, p.lun, 'array');
}

/** The answer: what the host side made (or found) of the volume's LUN at (target, lun). */
function activationOf(ref: VolumeRef, r: ActivateResult, target: string, lun: number, answeredBy: Activation['answeredBy']): Activation {
  return {
    volume: ref.volume,
    snapshot: ref.snapshot ?? null,
    device: r.device,
    wwid: r.wwid,
    sizeBytes: r.sizeBytes,
    target,
    lun,
    multipath: r.multipath,
    portals: r.portals,
    degraded: r.degraded,
    answeredBy,
  };
}

/**
 * Records of this volume (or snapshot) at another target or LUN than the array just gave: left
 * from before another node deleted and re-created it, or moved it. Their devices are another
 * LUN now, so they go (best effort: a failure only warns; the activation itself succeeded).
 */
async function dropStaleRecords(host: HostEnv, storageId: string, ref: VolumeRef, target: string, lun: number): Promise<void> {
  const stale = findByVolume(host, storageId, ref.volume, ref.snapshot ?? null).filter(
    (r) => !(sameTarget(r.target, target) && r.lun === lun),
  );
  for (const rec of stale) {
    try {
      await deactivate(host, rec);
      host.log.warn(`${ref.volume}: removed this host's stale record of it at LUN ${rec.lun} of ${rec.target} (WWID ${rec.wwid})`);
    } catch (e) {
      host.log.warn(`${ref.volume}: could not tear down the stale record at LUN ${rec.lun} of ${rec.target}: ${(e as Error).message}`);
    }
  }
}

export interface Deactivation {
  volume: string;
  snapshot: string | null;
  wasActive: boolean;
  results: DeactivateResult[];
  unpublished: boolean;
}

/** Host teardown first; a snapshot's export (or, on request, the volume) is unpublished after. */
export async function deactivateVolume(
  ctx: StorageContext,
  host: HostEnv,
  s: LoginSettings,
  ref: VolumeRef & { unpublish?: boolean },
): Promise<Deactivation> {
  const snapshot = ref.snapshot ?? null;
  const records = findByVolume(host, s.storageId, ref.volume, snapshot);
  // A volume goes down with the snapshots of it that are active here.
  const snapshots = snapshot === null ? findByVolume(host, s.storageId, ref.volume, '*') : [];
  const results: DeactivateResult[] = [];
  for (const rec of [...snapshots, ...records]) results.push(await deactivate(host, rec));
  for (const rec of snapshots) await unpublish(ctx, { volume: rec.volume, snapshot: rec.snapshot as string });
  let unpublished = false;
  if (snapshot !== null || ref.unpublish) {
    unpublished = (await unpublish(ctx, { volume: ref.volume, snapshot: ref.snapshot })).wasPublished;
  }
  return { volume: ref.volume, snapshot, wasActive: records.length > 0, results, unpublished };
}

export interface VolumeStatus {
  volume: string;
  snapshot: string | null;
  active: boolean;
  /** The device the volume has on this host, or would have once activated (null if unknown). */
  device: string | null;
  wwid: string | null;
  target: string | null;
  lun: number | null;
}

/** Answered from the host record when the volume is active here: no REST request then. */
export async function volumeStatus(
  ctx: () => Promise<StorageContext>,
  host: HostEnv,
  s: Pick<LoginSettings, 'storageId' | 'multipath'>,
  ref: VolumeRef,
): Promise<VolumeStatus> {
  const snapshot = ref.snapshot ?? null;
  const [rec] = findByVolume(host, s.storageId, ref.volume, snapshot);
  if (rec) return { volume: ref.volume, snapshot, active: true, device: rec.device, wwid: rec.wwid, target: rec.target, lun: rec.lun };
  const c = await ctx();
  const physical = publishedPhysical(c, ref.volume, snapshot);
  const v = await findPhysical(c, physical);
  if (!v && snapshot === null) throw new NotFoundError(`volume ${ref.volume} does not exist`, { volume: ref.volume });
  const wwid = v ? wwidOf(v.scsiId) : null;
  return {
    volume: ref.volume,
    snapshot,
    active: false,
    device: wwid ? lunDevice(host, wwid, s.multipath) : null,
    wwid,
    target: null,
    lun: null,
  };
}

/** After a grow on the array: wait until every path and the map of the volume show its new size. */
export async function rescanVolume(
  ctx: StorageContext,
  host: HostEnv,
  s: Pick<LoginSettings, 'storageId'>,
  ref: VolumeRef,
): Promise<{ volume: string; device: string; size: number }> {
  const [rec]: LunRecord[] = findByVolume(host, s.storageId, ref.volume, ref.snapshot ?? null);
  if (!rec) throw new NotFoundError(`volume ${ref.volume} is not active on this host`, { volume: ref.volume });
  const onArray = await findPhysical(ctx, physicalVolume(ctx, ref.volume));
  if (!onArray) throw new NotFoundError(`volume ${ref.volume} does not exist`, { volume: ref.volume });
  const r = await resizeRescan(host, rec, onArray.size);
  return { volume: ref.volume, device: r.device, size: r.sizeBytes };
}
