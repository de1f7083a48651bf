// Public API of the host side: what commands use to turn a published LUN into a block device
// on this Proxmox host and back. Everything takes one injected HostEnv.
export type { Binaries, ChapCredentials, HostEnv, HostRoots, HostTuning, Portal, ToolName } from './types';
export { DEFAULT_BINARIES, DEFAULT_ROOTS, DEFAULT_TUNING, tuning } from './defaults';
export { createHostEnv, type HostEnvOptions } from './env';
export { execaExecutor, HostTimeoutError, runTool, type ExecOptions, type ExecResult, type Executor } from './exec';
export { activate, type ActivateRequest, type ActivateResult, type PortalOutcome } from './activate';
export { deactivate, type DeactivateResult } from './deactivate';
export { resizeRescan, type ResizeResult } from './resize';
export { ensureMap, inspectMap, type MapState } from './mapStage';
export { removeMap, waitMapUnused, mapUsers, type MapUsers, type PortalRelease } from './teardown';
export { byIdLink, byPathLink, lunDevice, mapperLink, resolveBlock, sizeBytes } from './devices';
export { listSessions, sessionsFor, sessionDetails } from './iscsiadm';
export type { Session, SessionDetails } from './iscsiParse';
export { parsePortal, formatPortal, portal, samePortal, DEFAULT_ISCSI_PORT, MAX_HOST_LUN } from './portal';
export { acquireLock, withLock, targetLockKey, type HeldLock } from './lock';
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
} from './records';
