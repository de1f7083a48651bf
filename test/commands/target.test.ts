// The target commands (publish, unpublish, get, list, sessions) through their seam: argv → the
// args `run` receives (parse only), bad argv → one-line usage error before anything runs, and
// each `human` renderer on and off a colour TTY.
import targetGet from '../../src/commands/target/get';
import targetList from '../../src/commands/target/list';
import targetPublish from '../../src/commands/target/publish';
import targetSessions from '../../src/commands/target/sessions';
import targetUnpublish from '../../src/commands/target/unpublish';
import type { Publication, PublicationInfo, SessionsView, TargetView, Unpublished } from '../../src/storage';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const V = 'vm-100-disk-0';
const T0 = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
const T1 = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-101-0';
const WWID = '23965363937663665';

const PARSE: ParseCase[] = [
  {
    argv: ['target', 'publish', V, '--snapshot', 'before-upgrade', '--vmid', '100', '--refresh-chap'],
    def: targetPublish,
    args: { volume: V, snapshot: 'before-upgrade', vmid: '100', 'refresh-chap': true, refreshChap: true },
  },
  { argv: ['target', 'unpublish', V, '--force'], def: targetUnpublish, args: { volume: V, force: true } },
  { argv: ['target', 'get', V, '--snapshot', 'before-upgrade'], def: targetGet, args: { volume: V, snapshot: 'before-upgrade' } },
  { argv: ['target', 'list', '--all'], def: targetList, args: { all: true } },
  { argv: ['target', 'sessions', T0], def: targetSessions, args: { target: T0 } },
];

const BAD: BadCase[] = [
  { argv: ['target', 'publish'], def: targetPublish, message: /Not enough non-option arguments: got 0, need at least 1/ },
  { argv: ['target', 'unpublish', V, 'vm-100-disk-1'], def: targetUnpublish, message: /Unknown argument: vm-100-disk-1/ },
  {
    argv: ['target', 'get', '--snapshot', 'before-upgrade'],
    def: targetGet,
    message: /Not enough non-option arguments: got 0, need at least 1/,
  },
  { argv: ['target', 'list', '--prefix', 'iqn.x'], def: targetList, message: /Unknown arguments?: prefix/ },
  { argv: ['target', 'sessions'], def: targetSessions, message: /Not enough non-option arguments: got 0, need at least 1/ },
];

const published: Publication = {
  volume: V,
  snapshot: null,
  target: T0,
  lun: 0,
  portals: ['127.0.0.2:3260', '127.0.0.3:3260'],
  wwid: WWID,
  scsiId: '9e697f6e11336500',
  created: { target: true, lun: true, exportClone: false },
};
const unpublished: Unpublished = {
  volume: V,
  snapshot: 'before-upgrade',
  wasPublished: true,
  detached: [{ target: T0, lun: 1, targetDeleted: true }],
  exportCloneDeleted: true,
};
const where: PublicationInfo = { volume: V, snapshot: null, published: true, target: T0, lun: 0, portals: published.portals, wwid: WWID };
const targets: TargetView[] = [
  {
    name: T0,
    chap: true,
    vips: ['vip0', 'vip1'],
    luns: [
      { lun: 0, volume: V },
      { lun: 1, volume: 'vm-100-disk-1' },
    ],
  },
  { name: T1, chap: false, vips: ['vip0'], luns: [] },
];
const sessions: SessionsView = {
  target: T0,
  sessions: [{ initiator: 'iqn.1993-08.org.debian:01:pve1', addresses: ['127.0.0.11', '127.0.0.12'] }],
};

const HUMAN: HumanCase[] = [
  {
    name: 'publish: where, and what was created',
    def: targetPublish,
    result: published,
    lines: [`target   ${T0}`, 'lun      0', 'portals  127.0.0.2:3260, 127.0.0.3:3260', `wwid     ${WWID}`, 'new      target, LUN'],
    bold: ['target', 'lun', 'portals', 'wwid', 'new'],
  },
  {
    name: 'publish: already published, with a note',
    def: targetPublish,
    result: { ...published, created: { target: false, lun: false, exportClone: false }, note: `${V} stays on ${T1} while in use there` },
    lines: [
      `target   ${T0}`,
      'lun      0',
      'portals  127.0.0.2:3260, 127.0.0.3:3260',
      `wwid     ${WWID}`,
      'new      nothing (already published)',
      `note: ${V} stays on ${T1} while in use there`,
    ],
    bold: ['target', 'lun', 'portals', 'wwid', 'new'],
  },
  {
    name: 'unpublish: detached, target and export clone deleted',
    def: targetUnpublish,
    result: unpublished,
    lines: [`detached LUN 1 from ${T0}; target deleted`, 'export clone deleted'],
    bold: [],
  },
  {
    name: 'unpublish: was not published',
    def: targetUnpublish,
    result: { ...unpublished, snapshot: null, wasPublished: false, detached: [], exportCloneDeleted: false },
    lines: [`${V} was not published`],
    bold: [],
  },
  {
    name: 'get: published',
    def: targetGet,
    result: where,
    lines: [`target   ${T0}`, 'lun      0', 'portals  127.0.0.2:3260, 127.0.0.3:3260', `wwid     ${WWID}`],
    bold: ['target', 'lun', 'portals', 'wwid'],
  },
  {
    name: 'get: a snapshot export that is not published',
    def: targetGet,
    result: { ...where, snapshot: 'before-upgrade', published: false, target: null, lun: null, portals: [], wwid: null },
    lines: [`${V}@before-upgrade is not published`],
    bold: [],
  },
  {
    name: 'list: targets with CHAP, VIPs and LUNs',
    def: targetList,
    result: { targets },
    lines: [
      `${'TARGET'.padEnd(T0.length)}  CHAP  VIPS       LUNS`,
      `${T0}  yes   vip0,vip1  0:${V} 1:vm-100-disk-1`,
      `${T1}  no    vip0       (none)`,
    ],
    bold: [`${'TARGET'.padEnd(T0.length)}  CHAP  VIPS       LUNS`],
  },
  { name: 'list: none', def: targetList, result: { targets: [] }, lines: ['no targets'], bold: [] },
  {
    name: 'sessions: initiators and their addresses',
    def: targetSessions,
    result: sessions,
    lines: ['INITIATOR                       ADDRESSES', 'iqn.1993-08.org.debian:01:pve1  127.0.0.11, 127.0.0.12'],
    bold: ['INITIATOR                       ADDRESSES'],
  },
  { name: 'sessions: none', def: targetSessions, result: { target: T0, sessions: [] }, lines: [`no sessions on ${T0}`], bold: [] },
];

commandTier('target', { parse: PARSE, bad: BAD, human: HUMAN });
