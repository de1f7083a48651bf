// The configuration keys jdssc understands: one table that drives YAML loading, flag
// overrides, validation and the README's reference. Old (upstream jdssc YAML) and new
// (storage.cfg-style) spellings are aliases of one setting.
import {
  parseAddressList,
  parseBlockSize,
  parseBool,
  parseChapUser,
  parseClusterPrefix,
  parseInteger,
  parseLogLevel,
  parseSeconds,
  parseString,
  parseTargetPrefix,
  parseStorageId,
  type BlockSize,
  type LogLevel,
} from './values';

export interface Settings {
  pool: string;
  controlAddresses: string[];
  controlPort: number;
  dataAddresses: string[];
  dataPort: number;
  userName: string;
  tlsVerify: boolean;
  caFile?: string;
  targetPrefix: string;
  blockSize: BlockSize;
  thinProvision: boolean;
  lunsPerTarget: number;
  chapEnabled: boolean;
  chapUser?: string;
  clusterPrefix?: string;
  multipath: boolean;
  logLevel: LogLevel;
  logFile?: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  deadlineMs: number;
  restAttempts?: number;
  stateDir?: string;
  passwordFile?: string;
  storageId?: string;
  hostRoot: string;
  hostToolsDir?: string;
}

export interface SettingSpec<K extends keyof Settings = keyof Settings> {
  setting: K;
  /** YAML keys, canonical first. */
  keys: string[];
  /** Global flag that overrides the file (without the leading dashes). */
  flag?: string;
  parse: (key: string, value: unknown) => Settings[K];
  describe: string;
}

function spec<K extends keyof Settings>(s: SettingSpec<K>): SettingSpec {
  return s as unknown as SettingSpec;
}

export const SETTINGS: SettingSpec[] = [
  spec({
    setting: 'pool',
    keys: ['pool_name', 'jovian_pool'],
    flag: 'pool',
    parse: parseString,
    describe: 'JovianDSS pool name (default Pool-0)',
  }),
  spec({
    setting: 'controlAddresses',
    keys: ['control_addresses', 'rest_api_addresses', 'san_hosts'],
    flag: 'control-addresses',
    parse: parseAddressList,
    describe: 'REST API addresses, tried in order with failover (default: data_addresses)',
  }),
  spec({
    setting: 'controlPort',
    keys: ['control_port', 'rest_api_port', 'san_api_port'],
    flag: 'control-port',
    parse: (k, v) => parseInteger(k, v, 1, 65535),
    describe: 'REST API port (default 82)',
  }),
  spec({
    setting: 'dataAddresses',
    keys: ['data_addresses', 'iscsi_vip_addresses'],
    flag: 'data-addresses',
    parse: parseAddressList,
    describe: 'iSCSI portal addresses; must match VIPs assigned to the pool',
  }),
  spec({
    setting: 'dataPort',
    keys: ['data_port', 'target_port'],
    flag: 'data-port',
    parse: (k, v) => parseInteger(k, v, 1, 65535),
    describe: 'iSCSI portal port (default 3260)',
  }),
  spec({
    setting: 'userName',
    keys: ['user_name', 'rest_api_login', 'san_login'],
    flag: 'user-name',
    parse: parseString,
    describe: 'REST API user (default admin)',
  }),
  spec({
    setting: 'tlsVerify',
    keys: ['ssl_cert_verify', 'driver_ssl_cert_verify'],
    flag: 'ssl-cert-verify',
    parse: parseBool,
    describe: 'verify the appliance TLS certificate (default true; false is logged as a warning)',
  }),
  spec({
    setting: 'caFile',
    keys: ['ssl_ca_file', 'driver_ssl_cert_path'],
    flag: 'ca-file',
    parse: parseString,
    describe: 'CA bundle (PEM) used to verify the appliance certificate',
  }),
  spec({
    setting: 'targetPrefix',
    keys: ['target_prefix', 'iscsi_target_prefix'],
    flag: 'target-prefix',
    parse: parseTargetPrefix,
    describe: 'IQN prefix of the targets this storage creates (default iqn.2025-04.proxmox.joviandss.iscsi)',
  }),
  spec({
    setting: 'blockSize',
    keys: ['block_size', 'jovian_block_size'],
    parse: parseBlockSize,
    describe: 'default volume block size, 4K..1M (default 16K)',
  }),
  spec({
    setting: 'thinProvision',
    keys: ['thin_provisioning', 'thin_provision', 'san_thin_provision'],
    parse: parseBool,
    describe: 'create thin (sparse) volumes by default (default true)',
  }),
  spec({
    setting: 'lunsPerTarget',
    keys: ['luns_per_target'],
    flag: 'luns-per-target',
    parse: (k, v) => parseInteger(k, v, 1, 255),
    describe: 'LUNs per iSCSI target before a new target of the VM is created (default 8)',
  }),
  spec({
    setting: 'chapEnabled',
    keys: ['chap_enabled'],
    flag: 'chap-enabled',
    parse: parseBool,
    describe: 'require CHAP on targets this storage publishes (default false)',
  }),
  spec({
    setting: 'chapUser',
    keys: ['chap_user_name'],
    flag: 'chap-user',
    parse: parseChapUser,
    describe: 'CHAP user name (the secret comes from the password file)',
  }),
  spec({
    setting: 'clusterPrefix',
    keys: ['cluster_prefix'],
    flag: 'cluster-prefix',
    parse: parseClusterPrefix,
    describe: 'prefix that keeps several Proxmox clusters apart on one pool (letters and digits)',
  }),
  spec({
    setting: 'multipath',
    keys: ['multipath'],
    flag: 'multipath',
    parse: parseBool,
    describe: 'use dm-multipath devices on the host (default false)',
  }),
  spec({
    setting: 'logLevel',
    keys: ['loglevel', 'loglvl', 'log_level'],
    flag: 'log-level',
    parse: parseLogLevel,
    describe: 'critical, error, warning, info or debug (default info)',
  }),
  spec({
    setting: 'logFile',
    keys: ['logfile', 'log_file'],
    flag: 'log-file',
    parse: parseString,
    describe: 'log file, created 0600 (default: no log file)',
  }),
  spec({
    setting: 'connectTimeoutMs',
    keys: ['connect_timeout'],
    flag: 'connect-timeout',
    parse: (k, v) => parseSeconds(k, v, 0.1, 120),
    describe: 'seconds to wait for a TCP+TLS connection to one address (default 3)',
  }),
  spec({
    setting: 'requestTimeoutMs',
    keys: ['request_timeout', 'jovian_request_timeout'],
    flag: 'request-timeout',
    parse: (k, v) => parseSeconds(k, v, 1, 3600),
    describe: 'seconds to wait for one REST answer (default 60)',
  }),
  spec({
    setting: 'deadlineMs',
    keys: ['timeout'],
    flag: 'timeout',
    parse: (k, v) => parseSeconds(k, v, 1, 86400),
    describe: 'deadline in seconds for the whole invocation (default 110)',
  }),
  spec({
    setting: 'passwordFile',
    keys: ['password_file'],
    flag: 'password-file',
    parse: parseString,
    describe: 'file holding the REST password (mode 0600): one line, or `user_password <pw>` / `chap_user_password <pw>` lines',
  }),
  spec({
    setting: 'storageId',
    keys: ['storage_id'],
    flag: 'storage-id',
    parse: parseStorageId,
    describe: 'name of this storage on the host (Proxmox storage id); keeps host records of storages apart',
  }),
  spec({
    setting: 'hostRoot',
    keys: ['host_root'],
    flag: 'host-root',
    parse: parseString,
    describe: 'root of the host file system jdssc works on: /sys, /dev, /etc/iscsi, its records (default /; for tests and containers)',
  }),
  spec({
    setting: 'hostToolsDir',
    keys: ['host_tools_dir'],
    flag: 'host-tools-dir',
    parse: parseString,
    describe: 'directory holding iscsiadm, multipath, multipathd, dmsetup, udevadm, blockdev (default: their Debian paths)',
  }),
  spec({
    setting: 'restAttempts',
    keys: ['rest_attempts'],
    flag: 'attempts',
    parse: (k, v) => parseInteger(k, v, 1, 1000),
    describe: 'rounds over the REST addresses before giving up (default: keep trying until the deadline); 1 for fast polling',
  }),
  spec({
    setting: 'stateDir',
    keys: ['state_dir'],
    flag: 'state-dir',
    parse: parseString,
    describe: 'directory for jdssc state (address memory, locks, LUN records)',
  }),
];

/** Keys of upstream's YAML that mean nothing to jdssc; accepted silently so old files keep working. */
export const IGNORED_KEYS = new Set([
  'driver_use_ssl',
  'jovian_rest_send_repeats',
  'jovian_recovery_delay',
  'chap_password_len',
  'jovian_ignore_tpath',
  'reserved_percentage',
  'volume_backend_name',
  'nfs_vip_addresses',
]);

/** Keys that hold secrets: read only from a file that nobody else can read. */
export const SECRET_KEYS = new Set(['rest_api_password', 'user_password', 'san_password', 'chap_user_password']);

export const DEFAULTS: Settings = {
  pool: 'Pool-0',
  controlAddresses: [],
  controlPort: 82,
  dataAddresses: [],
  dataPort: 3260,
  userName: 'admin',
  tlsVerify: true,
  targetPrefix: 'iqn.2025-04.proxmox.joviandss.iscsi',
  blockSize: '16K',
  thinProvision: true,
  lunsPerTarget: 8,
  chapEnabled: false,
  multipath: false,
  logLevel: 'info',
  connectTimeoutMs: 3000,
  requestTimeoutMs: 60000,
  deadlineMs: 110000,
  hostRoot: '/',
};

const byKey = new Map<string, SettingSpec>();
for (const s of SETTINGS) for (const k of s.keys) byKey.set(k, s);

export function specForKey(key: string): SettingSpec | undefined {
  return byKey.get(key);
}
