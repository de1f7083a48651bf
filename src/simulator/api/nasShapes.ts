// Model → the JSON shapes of NAS volumes, NAS snapshots, their clones and shares
// (docs/NAS.md "Objects"). Numbers are strings, as the appliance sends them.
import { available, type NasSnapshotRec, type NasVolumeRec, type PoolRec, type ShareRec } from '../model/model';
import { nasCharge } from '../model/nas/volumes';
import { nasClonesOf } from '../model/nas/snapshots';

const epochSeconds = (ms: number) => String(Math.floor(ms / 1000));

export function nasOriginName(pool: PoolRec, vol: NasVolumeRec): string | null {
  if (vol.originSnapshotId === null) return null;
  const snap = pool.nasSnapshots.get(vol.originSnapshotId);
  if (!snap) return null;
  for (const source of pool.nasVolumes.values()) if (source.id === snap.volumeId) return `${pool.name}/${source.name}@${snap.name}`;
  return null;
}

export function nasVolumeShape(pool: PoolRec, vol: NasVolumeRec): Record<string, unknown> {
  const origin = nasOriginName(pool, vol);
  // What may still be written: up to the quota, and no more than the pool can give beyond
  // what this dataset already holds.
  const free = Math.max(0, Math.min(vol.quota - vol.used, available(pool) + nasCharge(vol) - vol.used));
  return {
    name: vol.name,
    full_name: `${pool.name}/${vol.name}`,
    type: 'filesystem',
    quota: String(vol.quota),
    reservation: String(vol.reservation),
    used: String(vol.used),
    available: String(free),
    referenced: String(vol.used),
    mountpoint: `/Pools/${pool.name}/${vol.name}`,
    creation: epochSeconds(vol.creationMs),
    createtxg: String(vol.createtxg),
    guid: vol.guid,
    origin,
    is_clone: origin !== null,
    readonly: vol.readonly,
  };
}

export function nasSnapshotShape(pool: PoolRec, vol: NasVolumeRec, snap: NasSnapshotRec): Record<string, unknown> {
  return {
    name: snap.name,
    full_name: `${pool.name}/${vol.name}@${snap.name}`,
    guid: snap.guid,
    creation: epochSeconds(snap.creationMs),
    createtxg: String(snap.createtxg),
    used: '0',
    referenced: String(snap.referenced),
    clones: nasClonesOf(pool, snap)
      .map((c) => `${pool.name}/${c.name}`)
      .join(','),
  };
}

export function nasCloneEntry(pool: PoolRec, clone: NasVolumeRec): Record<string, unknown> {
  return { name: clone.name, full_name: `${pool.name}/${clone.name}`, is_clone: true };
}

export function shareShape(share: ShareRec): Record<string, unknown> {
  return {
    name: share.name,
    path: `${share.pool}/${share.dataset}`,
    real_path: `/Pools/${share.pool}/${share.dataset}`,
    active: share.active,
    nfs: { ...share.nfs, enabled: share.nfs.enabled === true },
    smb: { enabled: false },
  };
}
