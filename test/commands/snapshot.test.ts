// The snapshot commands (create, delete, list, rollback) through their seam: argv → the args `run`
// receives (parse only), bad argv → one-line usage error before anything runs, and each `human`
// renderer on and off a colour TTY.
import snapshotCreate from '../../src/commands/snapshot/create';
import snapshotDelete from '../../src/commands/snapshot/delete';
import snapshotList from '../../src/commands/snapshot/list';
import snapshotRollback from '../../src/commands/snapshot/rollback';
import type { CreateSnapshotResult, DeleteSnapshotResult, ListSnapshotsResult, RollbackCheck, RollbackResult } from '../../src/storage';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const V = 'vm-100-disk-0';

const PARSE: ParseCase[] = [
  {
    argv: ['snapshot', 'create', V, 'nightly', '--if-not-exists'],
    def: snapshotCreate,
    args: { volume: V, snapshot: 'nightly', 'if-not-exists': true, ifNotExists: true },
  },
  {
    argv: ['snapshot', 'delete', V, 'nightly', '--if-exists', '--force'],
    def: snapshotDelete,
    args: { volume: V, snapshot: 'nightly', 'if-exists': true, ifExists: true, force: true },
  },
  { argv: ['snapshot', 'list', V, '--size'], def: snapshotList, args: { volume: V, size: true } },
  {
    argv: ['snapshot', 'rollback', V, 'before-upgrade', '--destroy-newer'],
    def: snapshotRollback,
    args: { volume: V, snapshot: 'before-upgrade', 'destroy-newer': true, destroyNewer: true },
  },
  {
    argv: ['snapshot', 'rollback', V, 'before-upgrade', '--check'],
    def: snapshotRollback,
    args: { volume: V, snapshot: 'before-upgrade', check: true },
  },
];

const BAD: BadCase[] = [
  { argv: ['snapshot', 'create', V], def: snapshotCreate, message: /Not enough non-option arguments: got 1, need at least 2/ },
  { argv: ['snapshot', 'delete'], def: snapshotDelete, message: /Not enough non-option arguments: got 0, need at least 2/ },
  { argv: ['snapshot', 'list', V, 'nightly'], def: snapshotList, message: /Unknown argument: nightly/ },
  {
    argv: ['snapshot', 'rollback', V, 'before-upgrade', '--check', '--destroy-newer'],
    def: snapshotRollback,
    message: /Arguments check and destroy-newer are mutually exclusive/,
  },
];

const created: CreateSnapshotResult = { volume: V, snapshot: 'nightly', created: true };
const deleted: DeleteSnapshotResult = {
  volume: V,
  snapshot: 'nightly',
  deleted: true,
  exportClones: [`export of snapshot nightly of ${V}`],
};
const listed: ListSnapshotsResult = {
  volume: V,
  snapshots: [
    { name: 'before-upgrade', guid: '8817396212309571264', creation: Date.UTC(2026, 0, 2, 3, 4, 5) / 1000, size: 32 * 2 ** 30 },
    { name: 'nightly', guid: null, creation: null, size: null },
  ],
};
const blocked: RollbackCheck = {
  volume: V,
  snapshot: 'before-upgrade',
  possible: false,
  blockers: { snapshots: ['nightly', 'weekly'], clones: ['vm-101-disk-0'] },
};
const rolledBack: RollbackResult = { volume: V, snapshot: 'before-upgrade', destroyed: ['nightly'] };

const HUMAN: HumanCase[] = [
  { name: 'create', def: snapshotCreate, result: created, lines: [`created snapshot ${V}@nightly`], bold: [] },
  {
    name: 'create: already there',
    def: snapshotCreate,
    result: { ...created, created: false },
    lines: [`snapshot ${V}@nightly already exists`],
    bold: [],
  },
  {
    name: 'delete: with its export clone',
    def: snapshotDelete,
    result: deleted,
    lines: [`deleted snapshot ${V}@nightly`, `  export clones removed: export of snapshot nightly of ${V}`],
    bold: [],
  },
  {
    name: 'delete: was not there',
    def: snapshotDelete,
    result: { ...deleted, deleted: false, exportClones: [] },
    lines: [`snapshot ${V}@nightly did not exist`],
    bold: [],
  },
  {
    name: 'list: a table, oldest first, unknowns as "-"',
    def: snapshotList,
    result: listed,
    lines: [
      'NAME            CREATED               SIZE      GUID',
      'before-upgrade  2026-01-02 03:04:05Z  32.0 GiB  8817396212309571264',
      'nightly         -                     -         -',
    ],
    bold: ['NAME            CREATED               SIZE      GUID'],
  },
  { name: 'list: none', def: snapshotList, result: { volume: V, snapshots: [] }, lines: [`${V} has no snapshots`], bold: [] },
  {
    name: 'rollback --check: possible',
    def: snapshotRollback,
    result: { ...blocked, possible: true, blockers: { snapshots: [], clones: [] } },
    lines: [`rollback of ${V} to before-upgrade is possible`],
    bold: [],
  },
  {
    name: 'rollback --check: blocked by newer snapshots and clones',
    def: snapshotRollback,
    result: blocked,
    lines: [`rollback of ${V} to before-upgrade is blocked by:`, '  newer snapshots: nightly, weekly', '  clones: vm-101-disk-0'],
    bold: [],
  },
  {
    name: 'rollback: done, newer snapshots destroyed',
    def: snapshotRollback,
    result: rolledBack,
    lines: [`rolled back ${V} to before-upgrade`, '  destroyed newer snapshots: nightly'],
    bold: [],
  },
];

commandTier('snapshot', { parse: PARSE, bad: BAD, human: HUMAN });
