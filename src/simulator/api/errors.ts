// The appliance's error answers: HTTP status + {class, errno?, message}. Every message here
// follows the appliance's own wording or, where that is not known, the wording ZFS / werkzeug
// would produce — clients match on these strings.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorClass: string,
    message: string,
    readonly errno?: number,
  ) {
    super(message);
  }
}

const ZFS_RESOURCE = 'zfslib.zfsapi.resources.ZfsResourceError';
const ZFS_CMD = 'zfslib.wrap.zfs.ZfsCmdError';
const ZFS_OE = 'opene.storage.zfs.ZfsOeError';
const NOT_FOUND = 'opene.exceptions.ItemNotFoundError';
const CONFLICT = 'opene.exceptions.ItemConflictError';
const VALIDATION = 'opene.exceptions.ValidationError';
const WERKZEUG_NOT_FOUND = 'werkzeug.exceptions.NotFound';

const listing = (names: string[]) => names.join('\n');

export const errors = {
  // ---- ZFS datasets (volumes, snapshots, clones) -------------------------------------------
  zfsNotFound: (pool: string, name: string) =>
    new ApiError(500, ZFS_RESOURCE, `Zfs resource: ${pool}/${name} not found in this collection.`, 1),
  /** How newer firmware reports a missing volume on snapshot pages; only the newerNotFound fault gives it. */
  resourceNotFound: (pool: string, name: string) => new ApiError(404, NOT_FOUND, `Resource ${pool}/${name} not found.`),
  resourceExists: (pool: string, name: string) => new ApiError(500, ZFS_RESOURCE, `Resource ${pool}/${name} already exists.`, 5),
  datasetExists: (pool: string, name: string) => new ApiError(500, ZFS_CMD, `cannot create '${pool}/${name}': dataset already exists`, 100),
  renameTargetExists: (pool: string, name: string) =>
    new ApiError(500, ZFS_CMD, `cannot rename to '${pool}/${name}': dataset already exists`, 100),
  noSpace: (pool: string, requested: number, available: number) =>
    new ApiError(500, ZFS_OE, `New zvol size(${requested}) exceeds available space on pool ${pool}(${available}).`),
  sizeNotBlockMultiple: (pool: string, name: string) =>
    new ApiError(500, ZFS_CMD, `cannot create '${pool}/${name}': volume size must be a multiple of volume block size`, 1000),
  resizeNotBlockMultiple: (pool: string, name: string) =>
    new ApiError(500, ZFS_CMD, `cannot set property for '${pool}/${name}': volume size must be a multiple of volume block size`, 1000),
  volumeHasChildren: (pool: string, name: string, children: string[]) =>
    new ApiError(
      500,
      ZFS_CMD,
      `cannot destroy '${pool}/${name}': volume has children\nuse '-r' to destroy the following datasets:\n${listing(children)}`,
      1000,
    ),
  volumeHasClones: () => new ApiError(500, ZFS_OE, 'In order to delete a zvol, you must delete all of its clones first.'),
  snapshotHasClones: (fullSnapshot: string, clones: string[]) =>
    new ApiError(
      500,
      ZFS_CMD,
      `cannot destroy '${fullSnapshot}': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n${listing(clones)}`,
      1000,
    ),
  /** A zvol held open by SCST (attached as a LUN) cannot be destroyed or renamed. */
  datasetBusy: (verb: 'destroy' | 'rename', fullName: string) =>
    new ApiError(500, ZFS_CMD, `cannot ${verb} '${fullName}': dataset is busy`, 1000),
  rollbackBlockedByClones: (fullSnapshot: string, clones: string[]) =>
    new ApiError(
      500,
      ZFS_CMD,
      `cannot rollback to '${fullSnapshot}': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\n${listing(clones)}`,
      1000,
    ),
  snapshotExists: (pool: string, volume: string, snapshot: string) =>
    new ApiError(500, ZFS_RESOURCE, `Resource ${pool}/${volume}@${snapshot} already exists.`, 5),

  // ---- NAS volumes (filesystem datasets), their snapshots and clones; shares -----------------
  nasNoSpace: (pool: string, quota: number, available: number) =>
    new ApiError(500, ZFS_OE, `New quota(${quota}) exceeds available space on pool ${pool}(${available}).`),
  quotaBelowUsed: () => new ApiError(500, ZFS_OE, 'size is less than current used amount'),
  filesystemHasChildren: (pool: string, name: string, children: string[]) =>
    new ApiError(
      500,
      ZFS_CMD,
      `cannot destroy '${pool}/${name}': filesystem has children\nuse '-r' to destroy the following datasets:\n${listing(children)}`,
      1000,
    ),
  datasetHasClones: () => new ApiError(500, ZFS_OE, 'In order to delete a dataset, you must delete all of its clones first.'),
  datasetShared: (pool: string, name: string, share: string) =>
    new ApiError(500, ZFS_OE, `Dataset ${pool}/${name} is used by share ${share}.`, 16),
  cloneNotFound: (clone: string) => new ApiError(404, WERKZEUG_NOT_FOUND, `Clone ${clone} not exists`),
  shareNotFound: (share: string) => new ApiError(404, WERKZEUG_NOT_FOUND, `Share ${share} not exists.`),
  shareExists: (share: string) => new ApiError(409, CONFLICT, `Share ${share} already exists.`, 1),
  shareDatasetMissing: (path: string) => new ApiError(500, ZFS_CMD, `cannot open '${path}': dataset does not exist`),

  // ---- pools and SAN objects (status-based not-found) -------------------------------------
  poolNotFound: (pool: string) => new ApiError(404, NOT_FOUND, `Pool ${pool} not exists.`),
  targetNotFound: (target: string) => new ApiError(404, NOT_FOUND, `Target ${target} not exists.`),
  userNotFound: (user: string) => new ApiError(404, NOT_FOUND, `User ${user} not exists.`),
  lunNotAttached: (volume: string, target: string) =>
    new ApiError(404, NOT_FOUND, `volume name ${volume} is not attached to target ${target}`),
  targetExists: (target: string, pool: string) =>
    new ApiError(409, 'opene.san.target.base.iscsi.TargetNameConflictError', `Target with name ${target} is already present on ${pool}.`),
  volumeAlreadyUsed: (pool: string, volume: string) => new ApiError(409, CONFLICT, `Volume /dev/${pool}/${volume} is already used.`),
  lunNumberTaken: (lun: number, target: string) => new ApiError(409, CONFLICT, `LUN ${lun} is already used on target ${target}.`),
  userExists: (user: string) => new ApiError(409, CONFLICT, `User ${user} already exists.`),
  cfgParser: () =>
    new ApiError(500, 'opene.cfgparser.CfgParserError', 'Unable to parse config file: it is being modified by another process.', 13),

  // ---- request validation ------------------------------------------------------------------
  validation: (message: string) => new ApiError(400, VALIDATION, message),
  unexpectedProperty: (name: string) => new ApiError(400, VALIDATION, `Additional properties are not allowed ('${name}' was unexpected)`),
  badRequest: () =>
    new ApiError(400, 'werkzeug.exceptions.BadRequest', 'The browser (or proxy) sent a request that this server could not understand.'),
  routeNotFound: () =>
    new ApiError(
      404,
      WERKZEUG_NOT_FOUND,
      'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
    ),
  methodNotAllowed: () => new ApiError(405, 'werkzeug.exceptions.MethodNotAllowed', 'The method is not allowed for the requested URL.'),
  payloadTooLarge: () =>
    new ApiError(413, 'werkzeug.exceptions.RequestEntityTooLarge', 'The data value transmitted exceeds the capacity limit.'),
};
