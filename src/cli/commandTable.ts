// The command table. Command modules are cheap to import (no work at import time); heavy
// libraries load inside `run` (axios on the first REST request).
import cleanup from '../commands/cleanup/cleanup';
import loginActivate from '../commands/login/activate';
import metrics from '../commands/metrics/metrics';
import supportBundle from '../commands/support/bundle';
import loginDeactivate from '../commands/login/deactivate';
import loginList from '../commands/login/list';
import loginRescan from '../commands/login/rescan';
import loginStatus from '../commands/login/status';
import multipathAdd from '../commands/multipath/add';
import multipathRemove from '../commands/multipath/remove';
import multipathStatus from '../commands/multipath/status';
import nfsActivate from '../commands/nfs/activate';
import nfsDeactivate from '../commands/nfs/deactivate';
import nfsStatus from '../commands/nfs/status';
import poolCheck from '../commands/pool/check';
import poolStats from '../commands/pool/stats';
import poolVips from '../commands/pool/vips';
import simulatorStart from '../commands/simulator/start';
import targetGet from '../commands/target/get';
import targetList from '../commands/target/list';
import targetPublish from '../commands/target/publish';
import targetSessions from '../commands/target/sessions';
import targetUnpublish from '../commands/target/unpublish';
import snapshotCreate from '../commands/snapshot/create';
import snapshotDelete from '../commands/snapshot/delete';
import snapshotList from '../commands/snapshot/list';
import snapshotRollback from '../commands/snapshot/rollback';
import volumeClone from '../commands/volume/clone';
import volumeCreate from '../commands/volume/create';
import volumeDelete from '../commands/volume/delete';
import volumeFreeName from '../commands/volume/freeName';
import volumeGet from '../commands/volume/get';
import volumeList from '../commands/volume/list';
import volumeRename from '../commands/volume/rename';
import volumeResize from '../commands/volume/resize';
import nasSnapshotCreate from '../commands/nas-snapshot/create';
import nasSnapshotDelete from '../commands/nas-snapshot/delete';
import nasSnapshotList from '../commands/nas-snapshot/list';
import nasSnapshotPublish from '../commands/nas-snapshot/publish';
import nasSnapshotRollback from '../commands/nas-snapshot/rollback';
import nasSnapshotUnpublish from '../commands/nas-snapshot/unpublish';
import nasVolumeCreate from '../commands/nas-volume/create';
import nasVolumeDelete from '../commands/nas-volume/delete';
import nasVolumeGet from '../commands/nas-volume/get';
import nasVolumeList from '../commands/nas-volume/list';
import nasVolumeResize from '../commands/nas-volume/resize';
import shareCreate from '../commands/share/create';
import shareDelete from '../commands/share/delete';
import shareGet from '../commands/share/get';
import shareList from '../commands/share/list';
import type { CommandDef, NounDef } from '../cmdutil/command';

export const NOUNS: NounDef[] = [
  { name: 'pool', describe: 'Pool capacity, virtual IPs and health check', verbs: [poolStats, poolVips, poolCheck] },
  {
    name: 'volume',
    describe: 'Volumes (VM disks): create, get, list, free-name, resize, rename, clone, delete',
    verbs: [volumeCreate, volumeGet, volumeList, volumeFreeName, volumeResize, volumeRename, volumeClone, volumeDelete],
  },
  {
    name: 'snapshot',
    describe: 'Snapshots: create, delete, list, rollback (with blocker check)',
    verbs: [snapshotCreate, snapshotDelete, snapshotList, snapshotRollback],
  },
  {
    name: 'target',
    describe: 'iSCSI targets on the array: publish, unpublish, get, list, sessions',
    verbs: [targetPublish, targetUnpublish, targetGet, targetList, targetSessions],
  },
  {
    name: 'nas-volume',
    describe: 'NAS volumes (file systems for NFS): create, get, list, resize (quota), delete',
    verbs: [nasVolumeCreate, nasVolumeGet, nasVolumeList, nasVolumeResize, nasVolumeDelete],
  },
  {
    name: 'share',
    describe: 'NFS shares of NAS volumes: create (access rules), get, list, delete',
    verbs: [shareCreate, shareGet, shareList, shareDelete],
  },
  {
    name: 'nas-snapshot',
    describe: 'Snapshots of NAS volumes: create, list, delete, rollback (with blocker check), publish, unpublish',
    verbs: [nasSnapshotCreate, nasSnapshotList, nasSnapshotDelete, nasSnapshotRollback, nasSnapshotPublish, nasSnapshotUnpublish],
  },
  {
    name: 'login',
    describe: 'This host: activate (publish, log in, wait for the device), deactivate, status, rescan, list',
    verbs: [loginActivate, loginDeactivate, loginStatus, loginRescan, loginList],
  },
  {
    name: 'multipath',
    describe: 'This host: the multipath map of one WWID (status, add, remove)',
    verbs: [multipathStatus, multipathAdd, multipathRemove],
  },
  {
    name: 'nfs',
    describe: 'This host: a NAS volume’s NFS export mounted at a directory (activate, deactivate, status)',
    verbs: [nfsActivate, nfsDeactivate, nfsStatus],
  },
  { name: 'simulator', describe: 'A JovianDSS REST simulator on loopback (demo, tests, safe sandbox)', verbs: [simulatorStart] },
];

/** Commands that are verbs on their own (`jdssc cleanup`). */
export const TOP_LEVEL: CommandDef[] = [cleanup, metrics, supportBundle];
