// Public API of the NFS flow: a NAS volume's export mounted on this host, and back.
export { activateNfs, checkActivate, type ActivateNfsRequest } from './activate';
export { deactivateNfs, exportOf, nfsStatus } from './deactivate';
export { parseExport, NAS_NAME } from './checks';
export type { NasArray, NasUsage, NfsActivation, NfsDeactivation, NfsExport, NfsShare, NfsStatus, AttemptView } from './types';
export { nasArray } from './array';
