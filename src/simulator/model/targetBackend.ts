// Translating model records into what a TargetBackend (data path) needs.
import type { LunExport, TargetSettings } from './backend';
import { defaultScsiId, type LunRec, type PoolRec, type TargetRec, type VolumeRec } from './model';

export function backendSettings(pool: PoolRec, target: TargetRec): TargetSettings {
  const addresses = target.vipsEnabled
    ? target.assignedVips.flatMap((name) => pool.vips.filter((v) => v.name === name).map((v) => v.address))
    : pool.vips.map((v) => v.address);
  return { active: target.active, incomingUsersActive: target.incomingUsersActive, assignedVipAddresses: addresses };
}

export function lunExport(pool: PoolRec, vol: VolumeRec, lun: LunRec): LunExport {
  return {
    lun: lun.lun,
    volume: vol.name,
    devicePath: `/dev/${pool.name}/${vol.name}`,
    scsiId: defaultScsiId(vol),
    sizeBytes: vol.volsize,
    readonly: vol.properties.readonly === 'on' || lun.mode === 'ro',
    mode: lun.mode,
  };
}
