// Public API of the host side: what commands use to turn a published LUN into a block device
// on this Proxmox host and back. Everything takes one injected HostEnv.
export type { Binaries, ChapCredentials, HostEnv, HostRoots, HostTuning, Portal, ToolName } from './core/types';
export { DEFAULT_BINARIES, DEFAULT_ROOTS, DEFAULT_TUNING, tuning } from './core/defaults';
export { createHostEnv, type HostEnvOptions } from './core/env';
export { execaExecutor, HostTimeoutError, runTool, type ExecOptions, type ExecResult, type Executor } from './core/exec';
export { activate, type ActivateRequest, type ActivateResult, type PortalOutcome } from './lifecycle/activate';
export { activateIfHealthy, type KnownActivation, type KnownActivationRequest } from './lifecycle/activateKnown';
export { deactivate, type DeactivateResult } from './lifecycle/deactivate';
export { resizeRescan, type ResizeResult } from './lifecycle/resize';
export { ensureMap, inspectMap, type MapState } from './multipath/mapStage';
export { removeMap, waitMapUnused, mapUsers, type MapUsers, type PortalRelease } from './lifecycle/teardown';
export { byIdLink, byPathLink, holders, lunDevice, mapperLink, resolveBlock, sizeBytes } from './devices/links';
export { listSessions, logout, nodeDelete, sessionsFor, sessionDetails } from './iscsi/iscsiadm';
export { parseInitiatorName } from './iscsi/parse';
export { diskUsers, inUse, type DiskUsers } from './devices/openers';
export { hostChecks, type HostCheckInput } from './lifecycle/check';
export type { Session, SessionDetails } from './iscsi/parse';
export { parsePortal, formatPortal, portal, samePortal, sameTarget, DEFAULT_ISCSI_PORT, MAX_HOST_LUN } from './iscsi/portal';
export { acquireLock, withLock, targetLockKey, type HeldLock } from './state/lock';
export { createClusterLocks, clusterLockId, CLUSTER_LOCK_EXPIRY_MS, type ClusterLocks, type ClusterLockOptions } from './state/clusterLock';
export {
  findByTarget,
  findByVolume,
  findRecord,
  listRecords,
  otherLunsOnTarget,
  otherStoragesOnTarget,
  readRecord,
  recordPath,
  removeRecord,
  writeRecord,
  type LunRecord,
} from './state/records';
export { isNfs, mountAt, mountsBelow, nfsSource, parseMountinfo, readMountinfo, sameNfsSource, type MountEntry } from './nfs/mountinfo';
export { dirUsers, mountNfs, mountOptions, umountPath, MOUNT_EXIT, NFS_MOUNT_TIMEOUT_MS, type MountOutcome } from './nfs/mount';
export { ensureMountDir, inspectMountDir, type DirState } from './nfs/dir';
