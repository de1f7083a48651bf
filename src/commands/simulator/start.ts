// `jdssc simulator start`: run a JovianDSS REST API simulator on loopback until SIGTERM/SIGINT
import { defineCommand } from '../../cmdutil/command';
import { JdsscError, UsageError, type ExitCode } from '../../errors';
import { parseAddressList } from '../../config';
import { parseSize } from '../../util/size';

interface Args {
  listen: string;
  port: string;
  'pool-size': string;
  vip: string[];
  'state-file'?: string;
  'ready-file'?: string;
  'ca-file'?: string;
  'password-file'?: string;
  user: string;
  fault: string[];
  seed?: string;
  pool?: string;
  'data-path'?: string;
  'data-dir'?: string;
  'data-port': string;
}

export default defineCommand<Args, void>({
  command: 'start',
  describe: 'Run a JovianDSS REST API simulator on loopback until SIGTERM/SIGINT',
  examples: [
    ['$0 simulator start --password-file pw --ready-file ready.json --ca-file ca.pem', 'random free port; ready.json tells the port'],
    [
      '$0 simulator start --listen 127.0.0.1,127.0.0.4 --port 8443 --vip vip0=127.0.0.2 --vip vip1=127.0.0.3',
      'two REST addresses, two VIPs',
    ],
    ['$0 simulator start --state-file sim.json --fault \'{"kind":"latency","ms":200,"count":0}\'', 'persistent state, slow appliance'],
    [
      '$0 simulator start --data-path tgt --data-dir /var/tmp/jdss-data --data-port 3260',
      'real iSCSI targets (tgtd) on the VIPs, one sparse image per volume',
    ],
  ],
  builder: (y) =>
    y
      .option('listen', { type: 'string', default: '127.0.0.1', describe: 'REST addresses (loopback only), comma-separated' })
      .option('port', { type: 'string', default: '0', describe: 'port on every address; 0 picks a free one' })
      .option('pool-size', { type: 'string', default: '100G', describe: 'capacity of the pool named by --pool' })
      .option('vip', {
        type: 'string',
        array: true,
        default: ['vip0=127.0.0.2', 'vip1=127.0.0.3'],
        describe: 'pool VIP as name=address (repeatable)',
      })
      .option('state-file', { type: 'string', describe: 'keep the state in this JSON file (0600)' })
      .option('ready-file', { type: 'string', describe: 'write {pid, port, addresses, caFile} here when ready' })
      .option('ca-file', { type: 'string', describe: 'write the CA certificate (PEM) clients should trust here' })
      .option('user', { type: 'string', default: 'admin', describe: 'REST user' })
      .option('fault', {
        type: 'string',
        array: true,
        default: [],
        describe: 'fault to inject, as JSON (repeatable); see src/simulator/README.md',
      })
      .option('seed', { type: 'string', describe: 'seed for generated ids' })
      .option('data-path', {
        type: 'string',
        choices: ['tgt', 'lio'],
        describe: 'serve published volumes over real iSCSI: tgt (tgtd, host) or lio (kernel target)',
      })
      .option('data-dir', {
        type: 'string',
        describe:
          "directory for the volume images (sparse files; required with --data-path) and the NAS volumes' files (<dir>/nas/<pool>/<name>/)",
      })
      // The same flag as the global iSCSI port of the other commands: clients pass the same value.
      .option('data-port', { type: 'string', default: '3260', describe: 'iSCSI port on every VIP address (with --data-path)' }),
  run: async (args, f) => {
    const listen = parseAddressList('--listen', args.listen);
    const port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected 0..65535, got ${args.port}`);
    const vips = args.vip.map((v) => {
      const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(v);
      if (!m) throw new UsageError(`--vip: expected name=address, got ${v}`);
      return { name: m[1], address: parseAddressList('--vip', m[2])[0] };
    });
    const dataPort = Number(args['data-port']);
    if (!Number.isInteger(dataPort) || dataPort < 1 || dataPort > 65535)
      throw new UsageError(`--data-port: expected 1..65535, got ${args['data-port']}`);
    const kind = args['data-path'];
    if (kind !== undefined && kind !== 'tgt' && kind !== 'lio') throw new UsageError(`--data-path: expected tgt or lio, got ${kind}`);
    if (kind && !args['data-dir']) throw new UsageError('--data-path needs --data-dir (where the volume images go)');
    // --data-dir alone: NAS volumes get real directories (an NFS server can export them), no iSCSI
    const faults = args.fault.map((text) => {
      try {
        return JSON.parse(text);
      } catch {
        throw new UsageError(`--fault: not valid JSON: ${text}`);
      }
    });
    const { simulatorMain } = await import('../../simulator/main');
    const code = await simulatorMain(
      {
        listen,
        port,
        user: args.user,
        passwordFile: args['password-file'],
        pools: [{ name: args.pool ?? 'Pool-0', sizeBytes: parseSize('--pool-size', args['pool-size']), vips }],
        stateFile: args['state-file'],
        readyFile: args['ready-file'],
        caFile: args['ca-file'],
        faults,
        seed: args.seed === undefined ? undefined : Number(args.seed),
        ...(kind ? { dataPath: { kind, dataDir: args['data-dir'] as string, port: dataPort } } : {}),
        ...(!kind && args['data-dir'] ? { nasDataDir: args['data-dir'] } : {}),
      },
      { stdout: f.io.stdout, stderr: f.io.stderr },
    );
    if (code !== 0) {
      const e = new JdsscError('internal', code as ExitCode, 'simulator failed');
      e.reported = true;
      throw e;
    }
  },
});
