// The configuration keys jdssc understands: one table that drives YAML loading, the global
// flags (src/cli/globalOptions.ts generates them from it), validation and the README's
// reference (test/unit/docs.test.ts holds the README to it). Old (upstream jdssc YAML) and new
// (storage.cfg-style) spellings are aliases of one setting; so are old flag spellings.
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

/** Settings whose name ends in `Ms` hold milliseconds; YAML and flags give them in seconds. */
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

/** Help section a global flag is listed under (globalOptions.ts maps these to headings). */
export type FlagGroup = 'connection' | 'storage' | 'output';

export interface SettingSpec<K extends keyof Settings = keyof Settings> {
  setting: K;
  /** YAML keys, canonical first. */
  keys: string[];
  /**
   * Global flag that overrides the file (without the leading dashes): one of the keys in
   * kebab-case, so an admin can move a setting between the file, storage.cfg and the command line.
   */
  flag: string;
  /** Earlier spellings of the flag, still accepted with the same meaning (scripts and the Perl plugin use them). */
  flagAliases?: string[];
  group: FlagGroup;
  /** Left out of --help: knobs for tests and containers. */
  hidden?: boolean;
  /** The default in words, for settings whose default is not a plain value in DEFAULTS. */
  defaultText?: string;
  parse: (key: string, value: unknown) => Settings[K];
  /** Help text of the flag; the default is shown next to it, so it is not repeated here. */
  describe: string;
}

function spec<K extends keyof Settings>(s: SettingSpec<K>): SettingSpec {
  return s as unknown as SettingSpec;
}

// Table order is --help order within each flag group, and the README table's order.
export const SETTINGS: SettingSpec[] = [
  spec({
    setting: 'pool',
    keys: ['pool_name', 'jovian_pool'],
    flag: 'pool-name',
    flagAliases: ['pool'],
    group: 'connection',
    parse: parseString,
    describe: 'JovianDSS pool name',
  }),
  spec({
    setting: 'controlAddresses',
    keys: ['control_addresses', 'rest_api_addresses', 'san_hosts'],
    flag: 'control-addresses',
    group: 'connection',
    defaultText: 'data_addresses',
    parse: parseAddressList,
    describe: 'REST API addresses, comma-separated, tried in order with failover',
  }),
  spec({
    setting: 'controlPort',
    keys: ['control_port', 'rest_api_port', 'san_api_port'],
    flag: 'control-port',
    group: 'connection',
    parse: (k, v) => parseInteger(k, v, 1, 65535),
    describe: 'REST API port (HTTPS)',
  }),
  spec({
    setting: 'dataAddresses',
    keys: ['data_addresses', 'iscsi_vip_addresses'],
    flag: 'data-addresses',
    group: 'connection',
    parse: parseAddressList,
    describe: 'iSCSI portal addresses, comma-separated; must be VIPs assigned to the pool',
  }),
  spec({
    setting: 'dataPort',
    keys: ['data_port', 'target_port'],
    flag: 'data-port',
    group: 'connection',
    parse: (k, v) => parseInteger(k, v, 1, 65535),
    describe: 'iSCSI portal port',
  }),
  spec({
    setting: 'userName',
    keys: ['user_name', 'rest_api_login', 'san_login'],
    flag: 'user-name',
    group: 'connection',
    parse: parseString,
    describe: 'REST API user',
  }),
  spec({
    setting: 'passwordFile',
    keys: ['password_file'],
    flag: 'password-file',
    group: 'connection',
    parse: parseString,
    describe:
      'file (mode 0600) with the REST password: one line, or `user_password <pw>` / `chap_user_password <pw>` lines (also $JDSSC_PASSWORD_FILE)',
  }),
  spec({
    setting: 'tlsVerify',
    keys: ['ssl_cert_verify', 'driver_ssl_cert_verify'],
    flag: 'ssl-cert-verify',
    group: 'connection',
    parse: parseBool,
    describe: 'verify the appliance TLS certificate (true/false; false is logged as a warning)',
  }),
  spec({
    setting: 'caFile',
    keys: ['ssl_ca_file', 'driver_ssl_cert_path'],
    flag: 'ssl-ca-file',
    flagAliases: ['ca-file'],
    group: 'connection',
    defaultText: 'system CAs',
    parse: parseString,
    describe: 'CA bundle (PEM) that signed the appliance certificate',
  }),
  spec({
    setting: 'targetPrefix',
    keys: ['target_prefix', 'iscsi_target_prefix'],
    flag: 'target-prefix',
    group: 'storage',
    parse: parseTargetPrefix,
    describe: 'IQN prefix of the targets this storage creates',
  }),
  spec({
    setting: 'lunsPerTarget',
    keys: ['luns_per_target'],
    flag: 'luns-per-target',
    group: 'storage',
    parse: (k, v) => parseInteger(k, v, 1, 255),
    describe: 'LUNs per iSCSI target before the VM gets another target',
  }),
  spec({
    setting: 'blockSize',
    keys: ['block_size', 'jovian_block_size'],
    flag: 'block-size',
    group: 'storage',
    parse: parseBlockSize,
    describe: 'block size of new volumes: 4K, 8K, 16K, 32K, 64K, 128K, 256K, 512K or 1M',
  }),
  spec({
    setting: 'thinProvision',
    keys: ['thin_provisioning', 'thin_provision', 'san_thin_provision'],
    flag: 'thin-provisioning',
    group: 'storage',
    parse: parseBool,
    describe: 'create thin (sparse) volumes unless told --thick (true/false)',
  }),
  spec({
    setting: 'chapEnabled',
    keys: ['chap_enabled'],
    flag: 'chap-enabled',
    group: 'storage',
    parse: parseBool,
    describe: 'require CHAP on targets this storage publishes (true/false)',
  }),
  spec({
    setting: 'chapUser',
    keys: ['chap_user_name'],
    flag: 'chap-user-name',
    flagAliases: ['chap-user'],
    group: 'storage',
    parse: parseChapUser,
    describe: 'CHAP user name (the secret comes from the password file)',
  }),
  spec({
    setting: 'clusterPrefix',
    keys: ['cluster_prefix'],
    flag: 'cluster-prefix',
    group: 'storage',
    parse: parseClusterPrefix,
    describe: 'name prefix that keeps several Proxmox clusters apart on one pool (letters and digits)',
  }),
  spec({
    setting: 'multipath',
    keys: ['multipath'],
    flag: 'multipath',
    group: 'storage',
    parse: parseBool,
    describe: 'use dm-multipath devices on this host (true/false)',
  }),
  spec({
    setting: 'storageId',
    keys: ['storage_id'],
    flag: 'storage-id',
    group: 'storage',
    parse: parseStorageId,
    describe: 'Proxmox storage id of this storage; keeps host records of storages apart',
  }),
  spec({
    setting: 'logLevel',
    keys: ['loglevel', 'loglvl', 'log_level'],
    flag: 'log-level',
    group: 'output',
    parse: parseLogLevel,
    describe: 'critical, error, warning, info or debug',
  }),
  spec({
    setting: 'logFile',
    keys: ['logfile', 'log_file'],
    flag: 'log-file',
    group: 'output',
    defaultText: 'none',
    parse: parseString,
    describe: 'append a log here (created 0600; secrets are redacted)',
  }),
  spec({
    setting: 'connectTimeoutMs',
    keys: ['connect_timeout'],
    flag: 'connect-timeout',
    group: 'connection',
    parse: (k, v) => parseSeconds(k, v, 0.1, 120),
    describe: 'seconds to wait for a TCP+TLS connection to one address',
  }),
  spec({
    setting: 'requestTimeoutMs',
    keys: ['request_timeout', 'jovian_request_timeout'],
    flag: 'request-timeout',
    group: 'connection',
    parse: (k, v) => parseSeconds(k, v, 1, 3600),
    describe: 'seconds to wait for one REST answer',
  }),
  spec({
    setting: 'deadlineMs',
    keys: ['timeout'],
    flag: 'timeout',
    group: 'connection',
    parse: (k, v) => parseSeconds(k, v, 1, 86400),
    describe: 'deadline in seconds for the whole command',
  }),
  spec({
    setting: 'restAttempts',
    keys: ['rest_attempts'],
    flag: 'rest-attempts',
    flagAliases: ['attempts'],
    group: 'connection',
    defaultText: 'until the deadline',
    parse: (k, v) => parseInteger(k, v, 1, 1000),
    describe: 'rounds over the REST addresses before giving up; 1 for fast polling',
  }),
  spec({
    setting: 'stateDir',
    keys: ['state_dir'],
    flag: 'state-dir',
    group: 'storage',
    defaultText: '/run/jdssc (root)',
    parse: parseString,
    describe: 'directory for jdssc state: remembered REST address, locks, LUN records (also $JDSSC_STATE_DIR)',
  }),
  spec({
    setting: 'hostRoot',
    keys: ['host_root'],
    flag: 'host-root',
    group: 'storage',
    hidden: true,
    parse: parseString,
    describe: 'root of the host file system jdssc works on: /sys, /dev, /etc/iscsi, its records (for tests and containers)',
  }),
  spec({
    setting: 'hostToolsDir',
    keys: ['host_tools_dir'],
    flag: 'host-tools-dir',
    group: 'storage',
    hidden: true,
    defaultText: 'Debian paths',
    parse: parseString,
    describe: 'directory holding iscsiadm, multipath, multipathd, dmsetup, udevadm, blockdev (for tests)',
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

/** The default as --help and the README show it: DEFAULTS' value (seconds for `…Ms`), else the spec's words. */
export function shownDefault(s: SettingSpec): string | undefined {
  if (s.defaultText !== undefined) return s.defaultText;
  const v: unknown = DEFAULTS[s.setting];
  if (v === undefined || (Array.isArray(v) && v.length === 0)) return undefined;
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'number' && s.setting.endsWith('Ms')) return String(v / 1000);
  return String(v);
}
