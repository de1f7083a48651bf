// The nas-snapshot commands through their seam: argv → the args `run` receives, bad argv →
// one-line usage error before anything runs, and each `human` renderer on and off a colour TTY.
import nasSnapshotCreate from '../../src/commands/nas-snapshot/create';
import nasSnapshotDelete from '../../src/commands/nas-snapshot/delete';
import nasSnapshotList from '../../src/commands/nas-snapshot/list';
import nasSnapshotPublish from '../../src/commands/nas-snapshot/publish';
import nasSnapshotRollback from '../../src/commands/nas-snapshot/rollback';
import nasSnapshotUnpublish from '../../src/commands/nas-snapshot/unpublish';
import type { ListNasSnapshotsResult, NasPublication, NasRollbackCheck, NasRollbackResult } from '../../src/storage';
import { commandTier } from './seam';

const PV = '100/vm-100-disk-0.qcow2';
const listed: ListNasSnapshotsResult = {
  nasVolume: 'files',
  snapshots: [
    {
      name: 'daily',
      proxmoxVolume: null,
      physicalName: 's_daily',
      guid: '1',
      creation: Date.UTC(2026, 0, 1) / 1000,
      used: 0,
      referenced: 4096,
      published: true,
      clones: [],
    },
    {
      name: 'snap1',
      proxmoxVolume: PV,
      physicalName: 'sp_…',
      guid: '2',
      creation: null,
      used: null,
      referenced: null,
      published: false,
      clones: [],
    },
  ],
};
const blocked: NasRollbackCheck = {
  nasVolume: 'files',
  snapshot: 'daily',
  possible: false,
  blockers: { snapshots: ['weekly', 'monthly'], published: ['weekly'], clones: ['copy'] },
};
const rolled: NasRollbackResult = { nasVolume: 'files', snapshot: 'daily', destroyed: ['weekly'], unpublished: ['weekly'] };
const published: NasPublication = {
  nasVolume: 'files',
  snapshot: 'daily',
  clone: 's_daily',
  share: 's_daily',
  exportPath: '/Pools/Pool-0/s_daily',
  allow: [],
  created: true,
};
const both = (extra: Record<string, unknown> = {}) => ({ 'nas-volume': 'files', nasVolume: 'files', snapshot: 'daily', ...extra });

commandTier('nas-snapshot', {
  parse: [
    {
      argv: ['nas-snapshot', 'create', 'files', 'daily', '--proxmox-volume', PV, '--if-not-exists'],
      def: nasSnapshotCreate,
      args: both({ 'proxmox-volume': PV, proxmoxVolume: PV, 'if-not-exists': true, ifNotExists: true }),
    },
    { argv: ['nas-snapshot', 'list', 'files'], def: nasSnapshotList, args: { 'nas-volume': 'files', nasVolume: 'files' } },
    {
      argv: ['nas-snapshot', 'delete', 'files', 'daily', '--if-exists'],
      def: nasSnapshotDelete,
      args: both({ 'if-exists': true, ifExists: true }),
    },
    { argv: ['nas-snapshot', 'rollback', 'files', 'daily', '--force'], def: nasSnapshotRollback, args: both({ force: true }) },
    {
      argv: ['nas-snapshot', 'publish', 'files', 'daily', '--allow', '10.0.0.0/24', '--allow', '10.0.1.7'],
      def: nasSnapshotPublish,
      args: both({ allow: ['10.0.0.0/24', '10.0.1.7'] }),
    },
    { argv: ['nas-snapshot', 'unpublish', 'files', 'daily'], def: nasSnapshotUnpublish, args: both() },
  ],
  bad: [
    {
      argv: ['nas-snapshot', 'create', 'files'],
      def: nasSnapshotCreate,
      message: /Not enough non-option arguments: got 1, need at least 2/,
    },
    { argv: ['nas-snapshot', 'list'], def: nasSnapshotList, message: /Not enough non-option arguments/ },
    { argv: ['nas-snapshot', 'delete', 'files', 'daily', 'x'], def: nasSnapshotDelete, message: /Unknown argument: x/ },
    {
      argv: ['nas-snapshot', 'rollback', 'files', 'daily', '--check', '--force'],
      def: nasSnapshotRollback,
      message: /Arguments check and force are mutually exclusive/,
    },
    { argv: ['nas-snapshot', 'publish', 'files'], def: nasSnapshotPublish, message: /Not enough non-option arguments/ },
    {
      argv: ['nas-snapshot', 'unpublish', 'files', 'daily', '--allow', 'x'],
      def: nasSnapshotUnpublish,
      message: /Unknown argument: allow/,
    },
    { argv: ['nas-snapshot'], message: /give a nas-snapshot verb \(create, list, delete, rollback, publish, unpublish\)/ },
  ],
  human: [
    {
      name: 'create',
      def: nasSnapshotCreate,
      result: { nasVolume: 'files', snapshot: 'daily', proxmoxVolume: null, physicalName: 's_daily', created: true },
      lines: ['created snapshot daily of files (s_daily)'],
      bold: [],
    },
    {
      name: 'create: already there (--if-not-exists)',
      def: nasSnapshotCreate,
      result: { nasVolume: 'files', snapshot: 'daily', proxmoxVolume: null, physicalName: 's_daily', created: false },
      lines: ['snapshot daily of files already exists'],
      bold: [],
    },
    {
      name: 'list: a table with the Proxmox volume and whether published',
      def: nasSnapshotList,
      result: listed,
      lines: [
        'NAME   PROXMOX VOLUME           CREATED               USED  PUBLISHED',
        'daily  -                        2026-01-01 00:00:00Z  0 B   yes',
        `snap1  ${PV}  -                     -     no`,
      ],
      bold: ['NAME   PROXMOX VOLUME           CREATED               USED  PUBLISHED'],
    },
    {
      name: 'list: none',
      def: nasSnapshotList,
      result: { nasVolume: 'files', snapshots: [] },
      lines: ['files has no snapshots'],
      bold: [],
    },
    {
      name: 'delete: unpublished first',
      def: nasSnapshotDelete,
      result: { nasVolume: 'files', snapshot: 'daily', deleted: true, unpublished: true },
      lines: ['deleted snapshot daily of files (unpublished first)'],
      bold: [],
    },
    {
      name: 'delete: already gone',
      def: nasSnapshotDelete,
      result: { nasVolume: 'files', snapshot: 'daily', deleted: false, unpublished: false },
      lines: ['snapshot daily of files does not exist'],
      bold: [],
    },
    {
      name: 'rollback --check: every blocker',
      def: nasSnapshotRollback,
      result: blocked,
      lines: [
        'rollback of files to daily is blocked by:',
        '  newer snapshots: weekly, monthly',
        '  published snapshots: weekly',
        '  clones: copy',
      ],
      bold: [],
    },
    {
      name: 'rollback --check: possible',
      def: nasSnapshotRollback,
      result: { ...blocked, possible: true, blockers: { snapshots: [], published: [], clones: [] } },
      lines: ['rollback of files to daily is possible'],
      bold: [],
    },
    {
      name: 'rollback: what went',
      def: nasSnapshotRollback,
      result: rolled,
      lines: ['rolled back files to daily', '  unpublished: weekly', '  destroyed newer snapshots: weekly'],
      bold: [],
    },
    { name: 'publish: only the export path', def: nasSnapshotPublish, result: published, lines: ['/Pools/Pool-0/s_daily'], bold: [] },
    {
      name: 'unpublish',
      def: nasSnapshotUnpublish,
      result: { nasVolume: 'files', snapshot: 'daily', unpublished: true },
      lines: ['unpublished snapshot daily of files'],
      bold: [],
    },
    {
      name: 'unpublish: was not published',
      def: nasSnapshotUnpublish,
      result: { nasVolume: 'files', snapshot: 'daily', unpublished: false },
      lines: ['snapshot daily of files was not published'],
      bold: [],
    },
  ],
});
