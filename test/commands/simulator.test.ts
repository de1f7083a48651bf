// `jdssc simulator start` through the parse seam only (running it starts a server): argv → the
// args `run` receives with its defaults, and bad argv → one-line usage error before anything runs.
import simulatorStart from '../../src/commands/simulator/start';
import { commandTier, type BadCase, type ParseCase } from './seam';

const DEFAULTS = {
  listen: '127.0.0.1',
  port: '0',
  'pool-size': '100G',
  poolSize: '100G',
  vip: ['vip0=127.0.0.2', 'vip1=127.0.0.3'],
  user: 'admin',
  fault: [],
  'data-port': '3260',
  dataPort: '3260',
};

const PARSE: ParseCase[] = [
  { argv: ['simulator', 'start'], def: simulatorStart, args: DEFAULTS },
  {
    argv: ['simulator', 'start', '--port', '8443', '--vip', 'vip0=127.0.0.2', '--fault', '{"kind":"latency","ms":200}', '--seed', '7'],
    def: simulatorStart,
    args: { ...DEFAULTS, port: '8443', vip: ['vip0=127.0.0.2'], fault: ['{"kind":"latency","ms":200}'], seed: '7' },
  },
  {
    argv: ['--pool', 'Pool-1', 'simulator', 'start', '--data-path', 'tgt', '--data-dir', '/var/tmp/jdss-data'],
    def: simulatorStart,
    args: { ...DEFAULTS, 'data-path': 'tgt', dataPath: 'tgt', 'data-dir': '/var/tmp/jdss-data', dataDir: '/var/tmp/jdss-data' },
    globals: { pool: 'Pool-1' },
  },
];

const BAD: BadCase[] = [
  {
    argv: ['simulator', 'start', '--data-path', 'nfs'],
    def: simulatorStart,
    message: /Argument: data-path, Given: "nfs", Choices: "tgt", "lio"/,
  },
  { argv: ['simulator', 'start', 'now'], def: simulatorStart, message: /Unknown argument: now/ },
  { argv: ['simulator'], message: /give a simulator verb \(start\)/ },
];

commandTier('simulator', { parse: PARSE, bad: BAD, human: [], noHuman: [simulatorStart] });
