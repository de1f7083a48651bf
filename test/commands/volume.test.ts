// The volume commands through their seam: argv → the args `run` receives (parse only), bad argv →
// one-line usage error before anything runs, and each `human` renderer on and off a colour TTY.
import volumeClone from '../../src/commands/volume/clone';
import volumeCreate from '../../src/commands/volume/create';
import volumeDelete from '../../src/commands/volume/delete';
import volumeFreeName from '../../src/commands/volume/freeName';
import volumeGet from '../../src/commands/volume/get';
import volumeList from '../../src/commands/volume/list';
import volumeRename from '../../src/commands/volume/rename';
import volumeResize from '../../src/commands/volume/resize';
import type { CreateResult, DeleteResult, RenameResult, ResizeResult, VolumeView } from '../../src/storage';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const PARSE: ParseCase[] = [
  {
    argv: ['volume', 'create', 'vm-100-disk-0', '--size', '32G', '--thick', '--block-size', '64K'],
    def: volumeCreate,
    args: { name: 'vm-100-disk-0', size: '32G', thick: true, 'block-size': '64K', blockSize: '64K' },
  },
  { argv: ['volume', 'get', 'vm-100-disk-0'], def: volumeGet, args: { name: 'vm-100-disk-0' } },
  { argv: ['volume', 'list', '--vmid', '100'], def: volumeList, args: { vmid: '100' } },
  { argv: ['volume', 'free-name', '--vmid', '100', '--base'], def: volumeFreeName, args: { vmid: '100', base: true } },
  {
    argv: ['volume', 'resize', 'vm-100-disk-0', '--grow-by', '10G'],
    def: volumeResize,
    args: { name: 'vm-100-disk-0', 'grow-by': '10G', growBy: '10G' },
  },
  {
    argv: ['volume', 'rename', 'vm-100-disk-0', 'base-100-disk-0', '--expect-scsi-id', '9e697f6e11336500'],
    def: volumeRename,
    args: {
      name: 'vm-100-disk-0',
      'new-name': 'base-100-disk-0',
      newName: 'base-100-disk-0',
      'expect-scsi-id': '9e697f6e11336500',
      expectScsiId: '9e697f6e11336500',
    },
  },
  {
    argv: ['volume', 'clone', 'vm-100-disk-0', 'vm-101-disk-0', '--snapshot', 'before-upgrade', '--thin'],
    def: volumeClone,
    args: { source: 'vm-100-disk-0', name: 'vm-101-disk-0', snapshot: 'before-upgrade', thin: true },
  },
  {
    argv: ['volume', 'delete', 'vm-100-disk-0', '--cascade', '--force'],
    def: volumeDelete,
    args: { name: 'vm-100-disk-0', cascade: true, force: true },
  },
];

const BAD: BadCase[] = [
  { argv: ['volume', 'create', 'vm-100-disk-0'], def: volumeCreate, message: /Missing required argument: size/ },
  { argv: ['volume', 'get'], def: volumeGet, message: /Not enough non-option arguments: got 0, need at least 1/ },
  { argv: ['volume', 'list', 'vm-100-disk-0'], def: volumeList, message: /Unknown argument: vm-100-disk-0/ },
  { argv: ['volume', 'free-name'], def: volumeFreeName, message: /Missing required argument: vmid/ },
  { argv: ['volume', 'resize', 'vm-100-disk-0', '--shrink-to', '1G'], def: volumeResize, message: /Unknown arguments?: shrink-to/ },
  { argv: ['volume', 'rename', 'vm-100-disk-0'], def: volumeRename, message: /Not enough non-option arguments: got 1, need at least 2/ },
  { argv: ['volume', 'clone', 'vm-100-disk-0', 'vm-101-disk-0', 'extra'], def: volumeClone, message: /Unknown argument: extra/ },
  { argv: ['volume', 'delete', '--cascade'], def: volumeDelete, message: /Not enough non-option arguments/ },
  { argv: ['volume'], message: /give a volume verb \(create, get, list, free-name, resize, rename, clone, delete\)/ },
];

const vol: VolumeView = {
  name: 'vm-100-disk-0',
  vmid: 100,
  size: 2 ** 30,
  blockSize: 16384,
  thin: true,
  creation: Date.UTC(2026, 0, 1) / 1000,
  origin: null,
  scsiId: '9e697f6e11336500',
  wwid: '23965363937663665',
  physicalName: 'v_vm-100-disk-0',
};
const cloned: VolumeView = {
  ...vol,
  name: 'base-101-disk-0',
  vmid: 101,
  size: 100 * 2 ** 30,
  blockSize: null,
  thin: false,
  creation: null,
  origin: { volume: 'vm-100-disk-0', snapshot: 'before-upgrade' },
  physicalName: 'v_base-101-disk-0',
};
const created: CreateResult = { ...vol, size: 1_000_013_824, requestedSize: 1_000_000_000 };
const deleted: DeleteResult = {
  name: 'vm-100-disk-0',
  snapshots: ['snap1', 'snap2'],
  exportClones: ['export of snapshot snap1 of vm-100-disk-0'],
  unpublished: [{ target: 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0', lun: 0, targetDeleted: true }],
  intermediateSnapshot: null,
};
const renamed: RenameResult = { name: 'base-100-disk-0', previousName: 'vm-100-disk-0', scsiId: '9e697f6e11336500', alreadyRenamed: false };
const grown: ResizeResult = { name: 'vm-100-disk-0', previousSize: 2 ** 30, size: 2 * 2 ** 30 };
const VOLUME_KEYS = ['name', 'vmid', 'size', 'block size', 'provisioning', 'origin', 'scsi id', 'wwid', 'created', 'on array as'];

const HUMAN: HumanCase[] = [
  {
    name: 'get: every fact, sizes in binary units',
    def: volumeGet,
    result: vol,
    lines: [
      'name          vm-100-disk-0',
      'vmid          100',
      'size          1.0 GiB (1073741824 bytes)',
      'block size    16.0 KiB',
      'provisioning  thin',
      'origin        -',
      'scsi id       9e697f6e11336500',
      'wwid          23965363937663665',
      'created       2026-01-01 00:00:00Z',
      'on array as   v_vm-100-disk-0',
    ],
    bold: VOLUME_KEYS,
  },
  {
    name: 'create: says when the size was rounded up to the block size',
    def: volumeCreate,
    result: created,
    lines: [
      'name          vm-100-disk-0',
      'vmid          100',
      'size          954 MiB (1000013824 bytes)',
      'block size    16.0 KiB',
      'provisioning  thin',
      'origin        -',
      'scsi id       9e697f6e11336500',
      'wwid          23965363937663665',
      'created       2026-01-01 00:00:00Z',
      'on array as   v_vm-100-disk-0',
      '(requested 1000000000 bytes, rounded up to a multiple of the block size)',
    ],
    bold: VOLUME_KEYS,
  },
  {
    name: 'clone: origin volume@snapshot, unknown facts as "-"',
    def: volumeClone,
    result: cloned,
    lines: [
      'name          base-101-disk-0',
      'vmid          101',
      'size          100 GiB (107374182400 bytes)',
      'block size    -',
      'provisioning  thick',
      'origin        vm-100-disk-0@before-upgrade',
      'scsi id       9e697f6e11336500',
      'wwid          23965363937663665',
      'created       -',
      'on array as   v_base-101-disk-0',
    ],
    bold: VOLUME_KEYS,
  },
  {
    name: 'list: a table with a bold header',
    def: volumeList,
    result: { volumes: [vol, cloned] },
    lines: [
      'NAME             VMID  SIZE     PROVISIONING  CREATED',
      'vm-100-disk-0    100   1.0 GiB  thin          2026-01-01 00:00:00Z',
      'base-101-disk-0  101   100 GiB  thick         -',
    ],
    bold: ['NAME             VMID  SIZE     PROVISIONING  CREATED'],
  },
  { name: 'list: none', def: volumeList, result: { volumes: [] }, lines: ['no volumes'], bold: [] },
  { name: 'free-name: the bare name', def: volumeFreeName, result: { name: 'vm-100-disk-2' }, lines: ['vm-100-disk-2'], bold: [] },
  {
    name: 'resize: old → new size',
    def: volumeResize,
    result: grown,
    lines: ['vm-100-disk-0: 1.0 GiB → 2.0 GiB (2147483648 bytes)'],
    bold: [],
  },
  {
    name: 'resize: already that size',
    def: volumeResize,
    result: { ...grown, previousSize: grown.size },
    lines: ['vm-100-disk-0 is already 2.0 GiB (2147483648 bytes)'],
    bold: [],
  },
  { name: 'rename', def: volumeRename, result: renamed, lines: ['renamed vm-100-disk-0 to base-100-disk-0'], bold: [] },
  {
    name: 'rename: retried',
    def: volumeRename,
    result: { ...renamed, alreadyRenamed: true },
    lines: ['base-100-disk-0 already has that name'],
    bold: [],
  },
  {
    name: 'delete: snapshots, export clones and detached LUNs',
    def: volumeDelete,
    result: deleted,
    lines: [
      'deleted vm-100-disk-0',
      '  snapshots: snap1, snap2',
      '  export clones: export of snapshot snap1 of vm-100-disk-0',
      '  detached from iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0 (LUN 0), target deleted',
    ],
    bold: [],
  },
];

commandTier('volume', { parse: PARSE, bad: BAD, human: HUMAN });
