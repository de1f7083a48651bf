// What every array-side operation needs, and the translation between the names users type
// (Proxmox names), logical names (cluster prefix applied) and physical names on the array.
import type { BlockSize } from '../config';
import { type RestClient, findVolume, type VolumeRecord } from '../jovian';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import type { Deadline } from '../util/deadline';
import {
  checkSnapshotName,
  checkVolumeName,
  parseSnapshotName,
  vmidOf,
  volumeLogical,
  withClusterPrefix,
  withoutClusterPrefix,
} from './arrayNames';

/**
 * Serializes array changes that two jdssc processes could race on, on any node of the cluster
 * (the factory gives a pmxcfs lock on a Proxmox cluster, this node's own lock elsewhere). Keys
 * come from lockKeys (targets/locking.ts); a holder never takes a second key of the same kind.
 */
export interface ArrayLocks {
  /** Runs `fn` holding `key`; waits within the invocation's deadline, then throws BusyError. */
  run<T>(key: string, purpose: string, fn: () => Promise<T>): Promise<T>;
}

export interface StorageContext {
  rest: RestClient;
  pool: string;
  clusterPrefix?: string;
  defaults: { blockSize: BlockSize; thin: boolean };
  clock: Clock;
  deadline: Deadline;
  log: Logger;
  /**
   * This host's iSCSI initiator name (null when it has none): its own sessions never block a
   * detach. A function, read only when a detach needs it (not on every command's start).
   */
  localInitiator: () => string | null;
  /** Detach even when other hosts are logged in to the target (--force). */
  forceDetach?: boolean;
  /** Cluster-wide locks around multi-step target changes (publish, detach, cleanup). */
  locks: ArrayLocks;
}

/** A volume as jdssc reports it. Sizes in bytes; names are Proxmox names. */
export interface VolumeView {
  name: string;
  vmid: number | null;
  size: number;
  blockSize: number | null;
  thin: boolean | null;
  creation: number | null;
  origin: { volume: string; snapshot: string | null } | null;
  scsiId: string | null;
  wwid: string | null;
  physicalName: string;
}

export function physicalVolume(ctx: StorageContext, name: string): string {
  return checkVolumeName(withClusterPrefix(name, ctx.clusterPrefix), ctx.pool);
}

export function physicalSnapshot(sid: string): string {
  return checkSnapshotName(sid);
}

/** Proxmox name of a physical volume name, or undefined if it is not one of this cluster's volumes. */
export function nameOfPhysical(ctx: StorageContext, physical: string): string | undefined {
  const logical = volumeLogical(physical);
  return logical === undefined ? undefined : withoutClusterPrefix(logical, ctx.clusterPrefix);
}

/** Readable name of any physical object for messages: the Proxmox name when there is one. */
export function displayName(ctx: StorageContext, physical: string): string {
  const vol = nameOfPhysical(ctx, physical);
  if (vol !== undefined) return vol;
  const snap = parseSnapshotName(physical);
  if (snap.kind === 'export')
    return `export of snapshot ${snap.name} of ${withoutClusterPrefix(snap.volume ?? '', ctx.clusterPrefix) ?? snap.volume}`;
  return physical;
}

/** The WWID a Linux host sees: '2' + hex of the ASCII of the first 8 characters of the SCSI id. */
export function wwidOf(scsiId: string | undefined): string | null {
  if (!scsiId) return null;
  return `2${Buffer.from(scsiId.slice(0, 8), 'ascii').toString('hex')}`;
}

export function volumeView(ctx: StorageContext, v: VolumeRecord, name?: string): VolumeView {
  const pveName = name ?? nameOfPhysical(ctx, v.name) ?? v.name;
  let origin: VolumeView['origin'] = null;
  if (v.origin) {
    const snap = parseSnapshotName(v.origin.snapshot);
    origin = {
      volume: nameOfPhysical(ctx, v.origin.volume) ?? v.origin.volume,
      // a whole-volume clone hangs off an internal snapshot named after the clone itself
      snapshot: snap.kind === 'user' ? snap.name : null,
    };
  }
  return {
    name: pveName,
    vmid: vmidOf(pveName) ?? null,
    size: v.size,
    blockSize: v.blockSize ?? null,
    thin: v.thin ?? null,
    creation: v.creation ?? null,
    origin,
    scsiId: v.scsiId ?? null,
    wwid: wwidOf(v.scsiId),
    physicalName: v.name,
  };
}

/** The array's record of one physical volume (zvol or export clone), or undefined when absent. */
export async function findPhysical(ctx: StorageContext, physical: string): Promise<VolumeRecord | undefined> {
  return findVolume(ctx.rest, physical);
}
