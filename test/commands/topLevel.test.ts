// The top-level commands (cleanup, metrics, support-bundle) through their seam: argv → the args
// `run` receives (parse only, defaults included), bad argv → one-line usage error before anything
// runs, and each `human` renderer on and off a colour TTY (cleanup is quiet when nothing is found).
import cleanup from '../../src/commands/cleanup/cleanup';
import metrics from '../../src/commands/metrics/metrics';
import supportBundle from '../../src/commands/support/bundle';
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
  { argv: ['metrics'], def: metrics, args: { snapshots: true } },
  {
    argv: ['metrics', '--no-snapshots', '--skip-host', '--output', '/var/lib/prometheus/node-exporter/jdssc.prom'],
    def: metrics,
    args: { snapshots: false, 'skip-host': true, skipHost: true, output: '/var/lib/prometheus/node-exporter/jdssc.prom' },
  },
  { argv: ['support-bundle'], def: supportBundle, args: { 'log-lines': '1000', logLines: '1000' } },
  {
    argv: ['support-bundle', '--output', '/root/case-1234.tar.gz', '--log-lines', '2000', '--skip-array'],
    def: supportBundle,
    args: { output: '/root/case-1234.tar.gz', 'log-lines': '2000', logLines: '2000', 'skip-array': true, skipArray: true },
  },
];

const BAD: BadCase[] = [
  { argv: ['cleanup', '--only', 'both'], def: cleanup, message: /Argument: only, Given: "both", Choices: "host", "array"/ },
  { argv: ['cleanup', 'now'], def: cleanup, message: /Unknown argument: now/ },
  { argv: ['metrics', 'pool'], def: metrics, message: /Unknown argument: pool/ },
  { argv: ['support-bundle', '--skip-arrays'], def: supportBundle, message: /Unknown arguments?: skip-arrays/ },
  { argv: ['cleanups'], message: /Unknown argument: cleanups/ },
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
  {
    name: 'metrics on stdout: the exposition text as it is',
    def: metrics,
    result: {
      up: true,
      error: null,
      output: null,
      metrics: [],
      exit: 0,
      text: '# HELP jdssc_up 1 when the array answered\n# TYPE jdssc_up gauge\njdssc_up{storage="jdss-Pool-0"} 1\n',
    },
    lines: ['# HELP jdssc_up 1 when the array answered', '# TYPE jdssc_up gauge', 'jdssc_up{storage="jdss-Pool-0"} 1'],
    bold: [],
  },
  {
    name: 'metrics --output: nothing on stdout',
    def: metrics,
    result: { up: true, error: null, output: '/tmp/jdssc.prom', metrics: [], exit: 0 },
    lines: [],
    bold: [],
  },
  {
    name: 'support-bundle: the file, how many files, and what was skipped',
    def: supportBundle,
    result: {
      output: '/root/case-1234.tar.gz',
      files: ['versions.txt', 'config/jdss-Pool-0.yaml', 'manifest.json'],
      skipped: [{ part: 'pool check', reason: '--skip-array' }],
    },
    lines: ['wrote /root/case-1234.tar.gz (3 files)', '  skipped pool check: --skip-array'],
    bold: [],
  },
];

commandTier('', { parse: PARSE, bad: BAD, human: HUMAN });
