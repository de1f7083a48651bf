// The nas-volume and share commands through their seam: argv → the args `run` receives, bad argv →
// one-line usage error before anything runs, and each `human` renderer on and off a colour TTY.
import nasVolumeCreate from '../../src/commands/nas-volume/create';
import nasVolumeDelete from '../../src/commands/nas-volume/delete';
import nasVolumeGet from '../../src/commands/nas-volume/get';
import nasVolumeList from '../../src/commands/nas-volume/list';
import nasVolumeResize from '../../src/commands/nas-volume/resize';
import shareCreate from '../../src/commands/share/create';
import shareDelete from '../../src/commands/share/delete';
import shareGet from '../../src/commands/share/get';
import shareList from '../../src/commands/share/list';
import type { NasDeleteResult, NasResizeResult, NasVolumeView, ShareView } from '../../src/storage';
import { commandTier } from './seam';

const GiB = 2 ** 30;
const vol: NasVolumeView = {
  name: 'datastore-pve-01',
  pool: 'Pool-0',
  quota: 500 * GiB,
  reservation: 0,
  used: 3 * GiB,
  available: 497 * GiB,
  referenced: 3 * GiB,
  exportPath: '/Pools/Pool-0/datastore-pve-01',
  creation: Date.UTC(2026, 0, 1) / 1000,
  origin: null,
  readonly: false,
};
const clone: NasVolumeView = {
  ...vol,
  name: 's_daily',
  reservation: GiB,
  exportPath: '/Pools/Pool-0/s_daily',
  origin: { nasVolume: 'datastore-pve-01', snapshot: 's_daily' },
  readonly: true,
  creation: null,
};
const VOL_KEYS = ['name', 'export', 'quota', 'reservation', 'used', 'available', 'origin', 'read-only', 'created'];
const VOL_LINES = [
  'name         datastore-pve-01',
  'export       /Pools/Pool-0/datastore-pve-01',
  'quota        500 GiB (536870912000 bytes)',
  'reservation  none',
  'used         3.0 GiB (3221225472 bytes)',
  'available    497 GiB (533649686528 bytes)',
  'origin       -',
  'read-only    no',
  'created      2026-01-01 00:00:00Z',
];
const share: ShareView = {
  name: 'datastore-pve-01',
  pool: 'Pool-0',
  nasVolume: 'datastore-pve-01',
  exportPath: '/Pools/Pool-0/datastore-pve-01',
  active: true,
  nfs: true,
  allow: ['192.168.31.0/24', 'fd00::/64'],
  readOnly: false,
  rootSquash: false,
};
const roShare: ShareView = {
  ...share,
  name: 'iso',
  nasVolume: 'iso',
  exportPath: '/Pools/Pool-0/iso',
  allow: [],
  readOnly: true,
  rootSquash: true,
};
const SHARE_KEYS = ['name', 'nas volume', 'export', 'access', 'allow', 'root squash', 'active'];
const resized: NasResizeResult = { name: 'datastore-pve-01', previousQuota: 500 * GiB, quota: 600 * GiB, used: 3 * GiB };
const deleted: NasDeleteResult = {
  name: 'scratch',
  sharesDeleted: ['scratch'],
  unpublished: ['daily'],
  snapshotsDeleted: ['daily', 'weekly'],
};

commandTier('nas-volume', {
  parse: [
    {
      argv: ['nas-volume', 'create', 'backups', '--quota', '2T', '--reservation', '100G'],
      def: nasVolumeCreate,
      args: { name: 'backups', quota: '2T', reservation: '100G' },
    },
    { argv: ['nas-volume', 'get', 'backups'], def: nasVolumeGet, args: { name: 'backups' } },
    { argv: ['nas-volume', 'list', '--all'], def: nasVolumeList, args: { all: true } },
    {
      argv: ['nas-volume', 'resize', 'backups', '--grow-by', '100G'],
      def: nasVolumeResize,
      args: { name: 'backups', 'grow-by': '100G', growBy: '100G' },
    },
    { argv: ['nas-volume', 'delete', 'backups', '--force'], def: nasVolumeDelete, args: { name: 'backups', force: true } },
  ],
  bad: [
    { argv: ['nas-volume', 'create', 'backups'], def: nasVolumeCreate, message: /Missing required argument: quota/ },
    { argv: ['nas-volume', 'get'], def: nasVolumeGet, message: /Not enough non-option arguments: got 0, need at least 1/ },
    { argv: ['nas-volume', 'list', 'backups'], def: nasVolumeList, message: /Unknown argument: backups/ },
    { argv: ['nas-volume', 'resize', 'backups', '--size', '1G'], def: nasVolumeResize, message: /Unknown arguments?: size/ },
    { argv: ['nas-volume', 'delete', 'a', 'b'], def: nasVolumeDelete, message: /Unknown argument: b/ },
    { argv: ['nas-volume', 'create', 'x', '--quota'], def: nasVolumeCreate, message: /--quota needs a value/ },
    { argv: ['nas-volume'], message: /give a nas-volume verb \(create, get, list, resize, delete\)/ },
  ],
  human: [
    { name: 'get: quota, use and export path', def: nasVolumeGet, result: vol, lines: VOL_LINES, bold: VOL_KEYS },
    { name: 'create: the same fields as get', def: nasVolumeCreate, result: vol, lines: VOL_LINES, bold: VOL_KEYS },
    {
      name: 'get: a published clone with its origin and reservation',
      def: nasVolumeGet,
      result: clone,
      lines: [
        'name         s_daily',
        'export       /Pools/Pool-0/s_daily',
        'quota        500 GiB (536870912000 bytes)',
        'reservation  1.0 GiB (1073741824 bytes)',
        'used         3.0 GiB (3221225472 bytes)',
        'available    497 GiB (533649686528 bytes)',
        'origin       datastore-pve-01@s_daily',
        'read-only    yes',
        'created      -',
      ],
      bold: VOL_KEYS,
    },
    {
      name: 'list: a table with a bold header',
      def: nasVolumeList,
      result: { nasVolumes: [vol, clone] },
      lines: [
        'NAME              QUOTA    USED     AVAILABLE  EXPORT',
        'datastore-pve-01  500 GiB  3.0 GiB  497 GiB    /Pools/Pool-0/datastore-pve-01',
        's_daily           500 GiB  3.0 GiB  497 GiB    /Pools/Pool-0/s_daily',
      ],
      bold: ['NAME              QUOTA    USED     AVAILABLE  EXPORT'],
    },
    { name: 'list: none', def: nasVolumeList, result: { nasVolumes: [] }, lines: ['no NAS volumes'], bold: [] },
    {
      name: 'resize: old → new quota',
      def: nasVolumeResize,
      result: resized,
      lines: ['datastore-pve-01: quota 500 GiB → 600 GiB (644245094400 bytes; 3.0 GiB used)'],
      bold: [],
    },
    {
      name: 'resize: already that quota',
      def: nasVolumeResize,
      result: { ...resized, previousQuota: resized.quota },
      lines: ['datastore-pve-01: quota is already 600 GiB (644245094400 bytes)'],
      bold: [],
    },
    {
      name: 'delete: with what --force removed',
      def: nasVolumeDelete,
      result: deleted,
      lines: ['deleted NAS volume scratch', '  shares: scratch', '  unpublished snapshots: daily', '  snapshots: daily, weekly'],
      bold: [],
    },
    {
      name: 'delete: a plain one',
      def: nasVolumeDelete,
      result: { name: 'scratch', sharesDeleted: [], unpublished: [], snapshotsDeleted: [] },
      lines: ['deleted NAS volume scratch'],
      bold: [],
    },
  ],
});

commandTier('share', {
  parse: [
    {
      argv: [
        'share',
        'create',
        'iso',
        '--nas-volume',
        'iso',
        '--allow',
        '10.0.0.5',
        '--allow',
        'fd00::/64',
        '--read-only',
        '--root-squash',
      ],
      def: shareCreate,
      args: {
        name: 'iso',
        'nas-volume': 'iso',
        nasVolume: 'iso',
        allow: ['10.0.0.5', 'fd00::/64'],
        'read-only': true,
        readOnly: true,
        'root-squash': true,
        rootSquash: true,
      },
    },
    { argv: ['share', 'get', 'iso'], def: shareGet, args: { name: 'iso' } },
    { argv: ['share', 'list'], def: shareList, args: {} },
    { argv: ['share', 'delete', 'iso', '--if-exists'], def: shareDelete, args: { name: 'iso', 'if-exists': true, ifExists: true } },
  ],
  bad: [
    { argv: ['share', 'create', 'iso'], def: shareCreate, message: /Missing required argument: nas-volume/ },
    { argv: ['share', 'get'], def: shareGet, message: /Not enough non-option arguments/ },
    { argv: ['share', 'list', '--frobnicate'], def: shareList, message: /Unknown argument: frobnicate/ },
    { argv: ['share', 'delete'], def: shareDelete, message: /Not enough non-option arguments/ },
    { argv: ['share'], message: /give a share verb \(create, get, list, delete\)/ },
  ],
  human: [
    {
      name: 'get: read-write for two networks, root stays root',
      def: shareGet,
      result: share,
      lines: [
        'name         datastore-pve-01',
        'nas volume   datastore-pve-01',
        'export       /Pools/Pool-0/datastore-pve-01',
        'access       read-write',
        'allow        192.168.31.0/24, fd00::/64',
        'root squash  no (root stays root)',
        'active       yes',
      ],
      bold: SHARE_KEYS,
    },
    {
      name: 'create: read-only for any address, squashed',
      def: shareCreate,
      result: roShare,
      lines: [
        'name         iso',
        'nas volume   iso',
        'export       /Pools/Pool-0/iso',
        'access       read-only',
        'allow        any address',
        'root squash  yes',
        'active       yes',
      ],
      bold: SHARE_KEYS,
    },
    {
      name: 'list: a table',
      def: shareList,
      result: { shares: [share, roShare] },
      lines: [
        'NAME              EXPORT                          ACCESS  ALLOW',
        'datastore-pve-01  /Pools/Pool-0/datastore-pve-01  rw      192.168.31.0/24,fd00::/64',
        'iso               /Pools/Pool-0/iso               ro      any',
      ],
      bold: ['NAME              EXPORT                          ACCESS  ALLOW'],
    },
    { name: 'list: none', def: shareList, result: { shares: [] }, lines: ['no shares'], bold: [] },
    {
      name: 'delete',
      def: shareDelete,
      result: { name: 'iso', nasVolume: 'iso', deleted: true },
      lines: ['deleted share iso (of iso)'],
      bold: [],
    },
    {
      name: 'delete: already gone (--if-exists)',
      def: shareDelete,
      result: { name: 'iso', nasVolume: null, deleted: false },
      lines: ['share iso does not exist'],
      bold: [],
    },
  ],
});
