// The REST v4 route table (paths relative to /api/v4 or /api/v3).
import * as luns from './luns';
import * as nas from './nasVolumes';
import * as nasSnaps from './nasSnapshots';
import * as shares from './shares';
import * as pools from './pools';
import * as snaps from './snapshots';
import * as targets from './targets';
import * as vols from './volumes';
import { Router } from '../transport/router';

export function buildRouter(): Router {
  const P = 'pools/:pool';
  const V = `${P}/volumes/:volume`;
  const S = `${V}/snapshots/:snapshot`;
  const T = `${P}/san/iscsi/targets`;
  const D = `${P}/nas-volumes/:dataset`;
  const DS = `${D}/snapshots/:snapshot`;
  return (
    new Router()
      .add('GET', 'pools', pools.listPools)
      .add('GET', P, pools.getPool)
      .add('GET', `${P}/vips`, pools.listVips)
      // volumes (the pool-wide snapshot listing shadows a volume literally named "snapshots")
      .add('GET', `${P}/volumes`, vols.listVolumes)
      .add('POST', `${P}/volumes`, vols.createVolumeHandler)
      .add('GET', `${P}/volumes/snapshots`, vols.listPoolSnapshots)
      .add('GET', V, vols.getVolume)
      .add('PUT', V, vols.modifyVolume)
      .add('DELETE', V, vols.deleteVolume)
      .add('PUT', `${V}/properties`, vols.setVolumeProperty)
      .add('POST', `${V}/clone`, vols.cloneVolume)
      // snapshots
      .add('GET', `${V}/snapshots`, snaps.listSnapshots)
      .add('POST', `${V}/snapshots`, snaps.createSnapshotHandler)
      .add('GET', S, snaps.getSnapshot)
      .add('DELETE', S, snaps.deleteSnapshot)
      .add('GET', `${S}/clones`, snaps.listSnapshotClones)
      .add('GET', `${S}/rollback`, snaps.rollbackCheck)
      .add('POST', `${S}/rollback`, snaps.rollbackDo)
      // iSCSI targets
      .add('GET', T, targets.listTargets)
      .add('POST', T, targets.createTargetHandler)
      .add('GET', `${T}/sessions`, luns.poolSessions)
      .add('GET', `${T}/:target`, targets.getTarget)
      .add('PUT', `${T}/:target`, targets.updateTarget)
      .add('DELETE', `${T}/:target`, targets.deleteTargetHandler)
      .add('GET', `${T}/:target/luns`, luns.listLuns)
      .add('POST', `${T}/:target/luns`, luns.attachLunHandler)
      .add('GET', `${T}/:target/luns/:volume`, luns.getLun)
      .add('DELETE', `${T}/:target/luns/:volume`, luns.detachLunHandler)
      .add('GET', `${T}/:target/incoming-users`, luns.listUsers)
      .add('POST', `${T}/:target/incoming-users`, luns.addUserHandler)
      .add('GET', `${T}/:target/incoming-users/:user`, luns.getUser)
      .add('DELETE', `${T}/:target/incoming-users/:user`, luns.removeUserHandler)
      .add('GET', `${T}/:target/sessions`, luns.targetSessions)
      // NAS volumes (filesystem datasets), their snapshots and clones
      .add('GET', `${P}/nas-volumes`, nas.listNasVolumes)
      .add('POST', `${P}/nas-volumes`, nas.createNasVolumeHandler)
      .add('GET', D, nas.getNasVolume)
      .add('PUT', D, nas.modifyNasVolumeHandler)
      .add('DELETE', D, nas.deleteNasVolume)
      .add('GET', `${D}/snapshots`, nasSnaps.listNasSnapshots)
      .add('POST', `${D}/snapshots`, nasSnaps.createNasSnapshotHandler)
      .add('GET', DS, nasSnaps.getNasSnapshot)
      .add('DELETE', DS, nasSnaps.deleteNasSnapshot)
      .add('GET', `${DS}/rollback`, nasSnaps.nasRollbackCheck)
      .add('POST', `${DS}/rollback`, nasSnaps.nasRollbackDo)
      .add('GET', `${DS}/clones`, nasSnaps.listNasClones)
      .add('POST', `${DS}/clones`, nasSnaps.createNasClone)
      .add('GET', `${DS}/clones/:clone`, nasSnaps.getNasClone)
      .add('DELETE', `${DS}/clones/:clone`, nasSnaps.deleteNasClone)
      // global
      .add('GET', 'san/iscsi/luns', luns.searchLuns)
      .add('GET', 'shares', shares.listShares)
      .add('POST', 'shares', shares.createShareHandler)
      .add('GET', 'shares/:share', shares.getShare)
      .add('DELETE', 'shares/:share', shares.deleteShareHandler)
  );
}
