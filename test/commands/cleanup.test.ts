// `jdssc cleanup` (the top-level command) through its seam: argv → the args `run` receives
// (parse only, defaults included), bad argv → one-line usage error before anything runs, and its
// `human` report on and off a colour TTY (quiet when there is nothing to report).
import cleanup from '../../src/commands/cleanup/cleanup';
import type { CleanupItem, CleanupReport } from '../../src/flows/cleanup';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const DEFAULTS = { 'pve-dir': '/etc/pve', pveDir: '/etc/pve', grace: '600' };

const PARSE: ParseCase[] = [
  { argv: ['cleanup'], def: cleanup, args: DEFAULTS },
  {
    argv: ['cleanup', '--apply', '--grace', '0', '--only', 'array', '--vmids', '100,101'],
    def: cleanup,
    args: { ...DEFAULTS, apply: true, grace: '0', only: 'array', vmids: '100,101' },
  },
];

const BAD: BadCase[] = [
  { argv: ['cleanup', '--only', 'both'], def: cleanup, message: /Argument: only, Given: "both", Choices: "host", "array"/ },
  { argv: ['cleanup', 'now'], def: cleanup, message: /Unknown argument: now/ },
];

const item = (over: Partial<CleanupItem>): CleanupItem => ({
  where: 'array',
  kind: 'volume',
  name: 'vm-999-disk-0',
  detail: 'VM 999 does not exist',
  due: true,
  keep: null,
  result: null,
  error: null,
  ...over,
});
const dryRun: CleanupReport = {
  applied: false,
  notes: ['no VM list: volumes were not judged'],
  remaining: 3,
  items: [
    item({}),
    item({ where: 'host', kind: 'session', name: '127.0.0.2:3260', detail: 'no LUN record uses it', due: false }),
    item({ where: 'host', kind: 'map', name: '23965363937663665', detail: 'no LUN record', keep: 'open by pid 4242' }),
  ],
};
const applied: CleanupReport = {
  applied: true,
  notes: [],
  remaining: 2,
  items: [
    item({ result: 'deleted' }),
    item({ kind: 'intermediate-snapshot', name: 'vm-100-disk-0@clone-src', detail: 'no clone uses it', error: 'HTTP 500' }),
    item({ kind: 'empty-target', name: 'iqn.2025-04.proxmox.joviandss.iscsi:vm-999-0', detail: 'no LUNs' }),
  ],
};

const HUMAN: HumanCase[] = [
  {
    name: 'dry run: notes, then one line per orphan and what would happen',
    def: cleanup,
    result: dryRun,
    lines: [
      'note: no VM list: volumes were not judged',
      'array volume                vm-999-disk-0: VM 999 does not exist — would remove',
      'host  session               127.0.0.2:3260: no LUN record uses it — seen (not due yet)',
      'host  map                   23965363937663665: no LUN record — kept: open by pid 4242',
    ],
    bold: [],
  },
  {
    name: '--apply: removed, failed, due',
    def: cleanup,
    result: applied,
    lines: [
      'array volume                vm-999-disk-0: VM 999 does not exist — deleted',
      'array intermediate-snapshot vm-100-disk-0@clone-src: no clone uses it — FAILED: HTTP 500',
      'array empty-target          iqn.2025-04.proxmox.joviandss.iscsi:vm-999-0: no LUNs — due',
    ],
    bold: [],
  },
  {
    name: 'nothing found: no output at all (cron mails only when it matters)',
    def: cleanup,
    result: { ...applied, items: [], remaining: 0 },
    lines: [],
    bold: [],
  },
];

commandTier('', { parse: PARSE, bad: BAD, human: HUMAN });
