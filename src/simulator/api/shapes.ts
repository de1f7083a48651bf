// Model → the JSON shapes the appliance returns for pools, volumes, snapshots, clones, targets
// and LUNs. ZFS properties are strings;
// booleans and LUN numbers are JSON natives, as on the appliance.
import {
  available,
  defaultScsiId,
  findAttachment,
  lunVolume,
  type LunRec,
  type PoolRec,
  type SnapshotRec,
  type TargetRec,
  type VolumeRec,
} from '../model/model';

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/** Appliance-local "YYYY-MM-DD HH:MM:SS"; `unpadded` reproduces the appliance's "2015-5-27 16:8:35" form. */
export function localDateTime(ms: number, unpadded = false): string {
  const d = new Date(ms);
  const p = (n: number) => (unpadded ? String(n) : String(n).padStart(2, '0'));
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function originName(pool: PoolRec, vol: VolumeRec): string | null {
  if (vol.originSnapshotId === null) return null;
  const snap = pool.snapshots.get(vol.originSnapshotId);
  const source = snap && pool.volumes.get(snap.volumeId);
  return snap && source ? `${pool.name}/${source.name}@${snap.name}` : null;
}

export function volumeShape(pool: PoolRec, vol: VolumeRec): Record<string, unknown> {
  const used = Math.max(vol.refreservation, vol.referenced);
  const origin = originName(pool, vol);
  return {
    name: vol.name,
    full_name: `${pool.name}/${vol.name}`,
    resource_name: `${pool.name}/${vol.name}`,
    type: 'volume',
    volsize: String(vol.volsize),
    volblocksize: String(vol.volblocksize),
    is_clone: origin !== null,
    origin,
    creation: String(epochSeconds(vol.creationMs)),
    createtxg: String(vol.createtxg),
    guid: vol.guid,
    default_scsi_id: defaultScsiId(vol),
    'san:volume_id': vol.sanVolumeId,
    used: String(used),
    referenced: String(vol.referenced),
    written: String(vol.referenced),
    available: String(available(pool)),
    usedbysnapshots: '0',
    usedbydataset: String(vol.referenced),
    usedbychildren: '0',
    usedbyrefreservation: String(Math.max(0, vol.refreservation - vol.referenced)),
    refreservation: String(vol.refreservation),
    reservation: '0',
    compression: 'lz4',
    compressratio: '1.00x',
    refcompressratio: '1.00x',
    sync: 'always',
    logbias: 'latency',
    primarycache: 'all',
    secondarycache: 'all',
    readonly: 'off',
    snapdev: 'hidden',
    copies: '1',
    dedup: 'off',
    checksum: 'on',
    mlslabel: 'none',
    ...vol.properties,
    clones: null,
  };
}

/** What POST /volumes and POST …/clone answer with. */
export function createdVolumeShape(pool: PoolRec, vol: VolumeRec): Record<string, unknown> {
  const origin = originName(pool, vol);
  return { name: vol.name, full_name: `${pool.name}/${vol.name}`, is_clone: origin !== null, origin };
}

function cloneNames(pool: PoolRec, snap: SnapshotRec): string[] {
  return [...snap.clones].flatMap((id) => {
    const clone = pool.volumes.get(id);
    return clone ? [`${pool.name}/${clone.name}`] : [];
  });
}

export function snapshotShape(pool: PoolRec, vol: VolumeRec, snap: SnapshotRec, unpaddedDates: boolean): Record<string, unknown> {
  return {
    name: snap.name,
    full_name: `${pool.name}/${vol.name}@${snap.name}`,
    type: 'snapshot',
    creation: localDateTime(snap.creationMs, unpaddedDates),
    volsize: String(snap.volsize),
    createtxg: String(snap.createtxg),
    guid: snap.guid,
    referenced: String(snap.referenced),
    used: '0',
    written: String(snap.referenced),
    userrefs: '0',
    defer_destroy: 'off',
    compressratio: '1.00x',
    refcompressratio: '1.00x',
    primarycache: 'all',
    secondarycache: 'all',
    mlslabel: 'none',
    clones: cloneNames(pool, snap).join(','),
    'san:volume_id': vol.sanVolumeId,
  };
}

/** v4 listing entry: a few properties nested, `creation` as an integer epoch. */
export function snapshotListEntryV4(snap: SnapshotRec): Record<string, unknown> {
  return { name: snap.name, properties: { guid: snap.guid, creation: epochSeconds(snap.creationMs) } };
}

/** v3 listing entry: attributes at top level, `creation` as a date string. */
export function snapshotListEntryV3(pool: PoolRec, vol: VolumeRec, snap: SnapshotRec, unpaddedDates: boolean): Record<string, unknown> {
  const full = snapshotShape(pool, vol, snap, unpaddedDates);
  delete full.volsize;
  delete full['san:volume_id'];
  return full;
}

/** Pool-wide snapshot listing entry (GET /volumes/snapshots): a v4 listing, so `creation` is an integer epoch too. */
export function poolSnapshotEntry(pool: PoolRec, vol: VolumeRec, snap: SnapshotRec): Record<string, unknown> {
  return {
    volume: vol.name,
    name: snap.name,
    clones: cloneNames(pool, snap).join(','),
    properties: { creation: epochSeconds(snap.creationMs) },
  };
}

export function cloneEntry(pool: PoolRec, clone: VolumeRec): Record<string, unknown> {
  return { name: clone.name, full_name: `${pool.name}/${clone.name}`, is_clone: true };
}

export function targetShape(pool: PoolRec, target: TargetRec): Record<string, unknown> {
  const shape: Record<string, unknown> = {
    name: target.name,
    active: target.active,
    incoming_users_active: target.incomingUsersActive,
    outgoing_user: target.outgoingUser ? { name: target.outgoingUser.name } : null,
    allow_ip: [...target.allowIp],
    deny_ip: [...target.denyIp],
    conflicted: false,
  };
  // Old firmware has no per-target VIP restriction at all.
  if (!pool.oldFirmware) shape.vip_allowed_portals = { enabled: target.vipsEnabled, assigned_vips: [...target.assignedVips] };
  return shape;
}

/** A LUN as listed: a dangling one (zvol destroyed behind the API) keeps its old name only. */
export function lunShapeOf(pool: PoolRec, lun: LunRec): Record<string, unknown> {
  const vol = lunVolume(pool, lun);
  if (vol) return lunShape(vol, lun);
  return {
    name: lun.goneName ?? '',
    lun: lun.lun,
    scsi_id: '',
    block_size: 512,
    mode: lun.mode,
    thin_provisioned: true,
    device_handler: 'vdisk_fileio',
    prod_id: 'Storage',
  };
}

export function lunShape(vol: VolumeRec, lun: { lun: number; mode: string }): Record<string, unknown> {
  return {
    name: vol.name,
    lun: lun.lun,
    scsi_id: defaultScsiId(vol),
    block_size: 512,
    mode: lun.mode,
    thin_provisioned: vol.sparse,
    device_handler: 'vdisk_fileio',
    prod_id: 'Storage',
  };
}

/** eui = hex of the ASCII bytes of the first 8 characters of the scsi id. */
export function euiOf(scsiId: string): string {
  return Buffer.from(scsiId.slice(0, 8), 'ascii').toString('hex');
}

export function globalLunEntry(pool: PoolRec, vol: VolumeRec): Record<string, unknown> | undefined {
  const at = findAttachment(pool, vol.id);
  if (!at) return undefined;
  const scsiId = defaultScsiId(vol);
  return {
    lun: { lun: at.lun.lun, eui: euiOf(scsiId), name: vol.name, scsi_id: scsiId },
    iscsi_target: { name: at.target.name, active: at.target.active },
    pool: pool.name,
  };
}

export function poolShape(pool: PoolRec): Record<string, unknown> {
  const iostats = { read: '0', write: '0', chksum: '0' };
  return {
    name: pool.name,
    id: pool.id,
    size: String(pool.sizeBytes),
    available: String(available(pool)),
    health: 'ONLINE',
    status: 24,
    operation: 'none',
    encryption: { enabled: false },
    iostats,
    vdevs: [
      {
        name: `scsi-SSIM_${pool.id.slice(0, 12)}`,
        type: '',
        health: 'ONLINE',
        iostats,
        vdev_replacings: [],
        vdev_spares: [],
        disks: [{ name: 'sdb', id: `scsi-SSIM_${pool.id.slice(0, 12)}`, health: 'ONLINE', size: pool.sizeBytes, led: 'off', iostats }],
      },
    ],
    scan: null,
  };
}
