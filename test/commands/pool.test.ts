// The pool commands (stats, vips, check) through their seam: argv → the args `run` receives (parse
// only), bad argv → one-line usage error before anything runs, and each `human` renderer on and
// off a colour TTY.
import poolCheck from '../../src/commands/pool/check';
import poolStats from '../../src/commands/pool/stats';
import poolVips from '../../src/commands/pool/vips';
import type { CheckReport, PoolStats, VipView } from '../../src/storage';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const PARSE: ParseCase[] = [
  { argv: ['pool', 'stats'], def: poolStats, args: {} },
  { argv: ['--pool', 'Pool-1', 'pool', 'stats'], def: poolStats, args: {}, globals: { pool: 'Pool-1' } },
  { argv: ['pool', 'vips', '--data-addresses', '127.0.0.2'], def: poolVips, args: {}, globals: { dataAddresses: '127.0.0.2' } },
  { argv: ['pool', 'check', '--skip-host'], def: poolCheck, args: { 'skip-host': true, skipHost: true } },
];

const BAD: BadCase[] = [
  { argv: ['pool', 'stats', 'Pool-1'], def: poolStats, message: /Unknown argument: Pool-1/ },
  { argv: ['pool', 'vips', '--all'], def: poolVips, message: /Unknown argument: all/ },
  { argv: ['pool', 'check', '--skip-host', '--bogus'], def: poolCheck, message: /Unknown argument: bogus/ },
  { argv: ['pool', 'health'], message: /Unknown argument: health/ },
];

const stats: PoolStats = {
  name: 'Pool-0',
  id: '5214783256390829173',
  total: 100 * 2 ** 30,
  free: 99 * 2 ** 30,
  used: 2 ** 30,
  health: 'ONLINE',
};
const vips: VipView[] = [
  { name: 'vip0', address: '127.0.0.2', netmask: '255.255.255.0', iface: 'eth0', dataAddress: true },
  { name: 'vip1', address: '127.0.0.3', iface: 'eth1', dataAddress: false },
];
const report: CheckReport = {
  status: 'degraded',
  classification: 'host',
  checks: [
    { id: 'rest:127.0.0.1', status: 'ok', category: 'connectivity', message: 'REST answers' },
    {
      id: 'vips',
      status: 'warn',
      category: 'configuration',
      message: '127.0.0.9 is not a VIP of Pool-0',
      fix: 'list VIPs in data_addresses',
    },
    { id: 'tool:iscsiadm', status: 'fail', category: 'host', message: '/usr/bin/iscsiadm is missing', fix: 'apt install open-iscsi' },
  ],
};

const HUMAN: HumanCase[] = [
  {
    name: 'stats: capacity in binary units and exact bytes',
    def: poolStats,
    result: stats,
    lines: [
      'pool    Pool-0',
      'id      5214783256390829173',
      'health  ONLINE',
      'total   100 GiB (107374182400 bytes)',
      'free    99.0 GiB (106300440576 bytes)',
      'used    1.0 GiB (1073741824 bytes)',
    ],
    bold: ['pool', 'id', 'health', 'total', 'free', 'used'],
  },
  {
    name: 'vips: a table; a missing netmask is "-"',
    def: poolVips,
    result: { vips },
    lines: [
      'NAME  ADDRESS    NETMASK        INTERFACE  DATA ADDRESS',
      'vip0  127.0.0.2  255.255.255.0  eth0       yes',
      'vip1  127.0.0.3  -              eth1       no',
    ],
    bold: ['NAME  ADDRESS    NETMASK        INTERFACE  DATA ADDRESS'],
  },
  { name: 'vips: none', def: poolVips, result: { vips: [] }, lines: ['no VIPs are assigned to this pool'], bold: [] },
  {
    name: 'check: WARN and FAIL in bold with their fixes, then the status',
    def: poolCheck,
    result: report,
    lines: [
      'ok    rest:127.0.0.1       REST answers',
      'WARN  vips                 127.0.0.9 is not a VIP of Pool-0',
      '                          fix: list VIPs in data_addresses',
      'FAIL  tool:iscsiadm        /usr/bin/iscsiadm is missing',
      '                          fix: apt install open-iscsi',
      '',
      'status: degraded (host)',
    ],
    bold: ['WARN', 'FAIL'],
  },
  {
    name: 'check: all ok, no colour',
    def: poolCheck,
    result: { status: 'ok', classification: null, checks: [report.checks[0]] } satisfies CheckReport,
    lines: ['ok    rest:127.0.0.1       REST answers', '', 'status: ok'],
    bold: [],
  },
];

commandTier('pool', { parse: PARSE, bad: BAD, human: HUMAN });
