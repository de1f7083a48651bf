// The login commands (activate, deactivate, status, rescan, list) through their seam: argv → the
// args `run` receives (parse only), bad argv → one-line usage error before anything runs, and each
// `human` renderer on and off a colour TTY.
import loginActivate from '../../src/commands/login/activate';
import loginDeactivate from '../../src/commands/login/deactivate';
import loginList from '../../src/commands/login/list';
import loginRescan from '../../src/commands/login/rescan';
import loginStatus from '../../src/commands/login/status';
import type { Activation, Deactivation, VolumeStatus } from '../../src/flows/login';
import type { LunRecord } from '../../src/host';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const V = 'vm-100-disk-0';
const T0 = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
const WWID = '23965363937663665';
const DEV = `/dev/mapper/${WWID}`;

const PARSE: ParseCase[] = [
  {
    argv: ['login', 'activate', V, '--snapshot', 'before-upgrade', '--vmid', '100'],
    def: loginActivate,
    args: { volume: V, snapshot: 'before-upgrade', vmid: '100' },
  },
  { argv: ['login', 'deactivate', V, '--unpublish', '--force'], def: loginDeactivate, args: { volume: V, unpublish: true, force: true } },
  { argv: ['--multipath', 'false', 'login', 'status', V], def: loginStatus, args: { volume: V }, globals: { multipath: 'false' } },
  { argv: ['login', 'rescan', V], def: loginRescan, args: { volume: V } },
  { argv: ['login', 'list', '--all'], def: loginList, args: { all: true } },
];

const BAD: BadCase[] = [
  { argv: ['login', 'activate'], def: loginActivate, message: /Not enough non-option arguments: got 0, need at least 1/ },
  { argv: ['login', 'deactivate', V, 'vm-100-disk-1'], def: loginDeactivate, message: /Unknown argument: vm-100-disk-1/ },
  { argv: ['login', 'status', '--snapshot', 'before-upgrade'], def: loginStatus, message: /Not enough non-option arguments/ },
  { argv: ['login', 'rescan', V, '--size', '64G'], def: loginRescan, message: /Unknown arguments?: size/ },
  { argv: ['login', 'list', V], def: loginList, message: /Unknown argument: vm-100-disk-0/ },
];

const activation: Activation = {
  volume: V,
  snapshot: null,
  device: DEV,
  wwid: WWID,
  sizeBytes: 2 ** 30,
  target: T0,
  lun: 0,
  multipath: true,
  portals: [
    { address: '127.0.0.2', port: 3260, ok: true },
    { address: '127.0.0.3', port: 3260, ok: false, error: 'login timed out', errorKind: 'timeout' },
  ],
  degraded: true,
  answeredBy: 'array',
};
const deactivation: Deactivation = {
  volume: V,
  snapshot: null,
  wasActive: true,
  results: [
    {
      recordRemoved: true,
      devicesDeleted: ['sdb', 'sdc'],
      map: 'removed',
      portals: [
        { address: '127.0.0.2', port: 3260, action: 'logged-out' },
        { address: '127.0.0.3', port: 3260, action: 'kept', reason: 'still used by LUN 1 (vm-100-disk-1)' },
      ],
    },
  ],
  unpublished: true,
};
const status: VolumeStatus = { volume: V, snapshot: null, active: true, device: DEV, wwid: WWID, target: T0, lun: 0 };
const record: LunRecord = {
  version: 1,
  storageId: 'jdss-Pool-0',
  pool: 'Pool-0',
  volume: V,
  snapshot: null,
  target: T0,
  lun: 0,
  wwid: WWID,
  portals: [{ address: '127.0.0.2', port: 3260 }],
  multipath: true,
  device: DEV,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const LIST_HEADER = `VOLUME         SNAPSHOT  ${'DEVICE'.padEnd(DEV.length)}  ${'TARGET'.padEnd(T0.length)}  LUN  STORAGE`;

const HUMAN: HumanCase[] = [
  {
    name: 'activate: the device first, then each portal; degraded says what to do',
    def: loginActivate,
    result: activation,
    lines: [
      `device     ${DEV}`,
      `wwid       ${WWID}`,
      'size       1.0 GiB (1073741824 bytes)',
      `target     ${T0} LUN 0`,
      'multipath  yes',
      '  ok   127.0.0.2:3260',
      '  FAIL 127.0.0.3:3260  login timed out',
      'degraded: not every portal gave a path; run activate again once the portal is back',
    ],
    bold: ['device', 'wwid', 'size', 'target', 'multipath'],
  },
  {
    name: 'deactivate: devices, map, portals, unpublish',
    def: loginDeactivate,
    result: deactivation,
    lines: [
      `deactivated ${V}`,
      '  removed devices: sdb, sdc',
      '  multipath map: removed',
      '  127.0.0.2:3260: logged-out',
      '  127.0.0.3:3260: kept (still used by LUN 1 (vm-100-disk-1))',
      '  unpublished on the array',
    ],
    bold: [],
  },
  {
    name: 'deactivate: a snapshot that was not active',
    def: loginDeactivate,
    result: { ...deactivation, snapshot: 'before-upgrade', wasActive: false, results: [], unpublished: false },
    lines: [`${V}@before-upgrade was not active on this host`],
    bold: [],
  },
  {
    name: 'status: active',
    def: loginStatus,
    result: status,
    lines: ['active  yes', `device  ${DEV}`, `wwid    ${WWID}`, `target  ${T0} LUN 0`],
    bold: ['active', 'device', 'wwid', 'target'],
  },
  {
    name: 'status: inactive, nothing known',
    def: loginStatus,
    result: { ...status, active: false, device: null, wwid: null, target: null, lun: null },
    lines: ['active  no', 'device  -', 'wwid    -', 'target  -'],
    bold: ['active', 'device', 'wwid', 'target'],
  },
  {
    name: 'rescan: the device and its new size in bytes',
    def: loginRescan,
    result: { volume: V, device: DEV, size: 2 * 2 ** 30 },
    lines: [`${DEV}: 2.0 GiB (2147483648 bytes)`],
    bold: [],
  },
  {
    name: 'list: the LUN records of this host',
    def: loginList,
    result: { records: [record] },
    lines: [LIST_HEADER, `${V}  -         ${DEV}  ${T0}  0    jdss-Pool-0`],
    bold: [LIST_HEADER],
  },
  { name: 'list: none', def: loginList, result: { records: [] }, lines: ['nothing is active on this host'], bold: [] },
];

commandTier('login', { parse: PARSE, bad: BAD, human: HUMAN });
