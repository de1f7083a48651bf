// `jdssc metrics`: Prometheus text format for node_exporter's textfile collector (pool capacity, counts, sessions, multipath paths, cleanup orphans)
import * as nodeFs from 'node:fs';
import { writeFileAtomic } from '../../cmdutil/atomicWrite';
import { defineCommand } from '../../cmdutil/command';
import { EXIT, UsageError, type ExitCode } from '../../errors';
import { collect } from './collect';
import { expose } from './exposition';

interface Args {
  output?: string;
  snapshots: boolean;
  'skip-host'?: boolean;
}

interface Result {
  up: boolean;
  /** Why the array part is missing (unreachable, auth …); the file still holds the rest. */
  error: string | null;
  output: string | null;
  metrics: unknown;
  /** The exposition text when it goes to stdout; not part of the JSON answer. */
  text?: string;
  exit: ExitCode;
}

export default defineCommand<Args, Result>({
  command: 'metrics',
  describe:
    'Print Prometheus metrics (pool capacity, volume/snapshot/target/LUN counts, sessions per target, multipath paths, cleanup orphans, REST latency)',
  examples: [
    ['$0 -c /etc/pve/jdss-Pool-0.yaml metrics', 'Prometheus text format on stdout'],
    ['$0 metrics --output /var/lib/prometheus/node-exporter/jdssc.prom', 'for the textfile collector (atomic)'],
    ['$0 metrics --json', 'the same samples as JSON'],
  ],
  builder: (y) =>
    y
      .option('output', { type: 'string', describe: 'write to this file atomically (temp file + rename) instead of stdout' })
      .option('snapshots', { type: 'boolean', default: true, describe: 'count snapshots (one request per volume; --no-snapshots skips)' })
      .option('skip-host', { type: 'boolean', describe: 'leave out this host (multipath paths, LUN records)' }),
  run: async (a, f) => {
    if (a.output !== undefined && a.output.trim() === '') throw new UsageError('--output: give a file name');
    const c = await collect(f, { snapshots: a.snapshots !== false, host: a['skip-host'] !== true });
    const { text, json } = await expose(c);
    if (a.output) writeFileAtomic(a.output, text, 0o644, f.overrides.fs ?? nodeFs);
    const result: Result = {
      up: c.up,
      error: c.arrayError,
      output: a.output ?? null,
      metrics: json,
      exit: (c.arrayExit ?? EXIT.OK) as ExitCode,
    };
    // Non-enumerable: the human renderer prints it, the --json answer (JSON.stringify) leaves it out.
    if (!a.output) Object.defineProperty(result, 'text', { value: text, enumerable: false });
    return result;
  },
  // Written either way; the exit code says the array part is missing (the timer unit shows it).
  exitCode: (r) => r.exit,
  human: (r, p) => {
    if (r.text !== undefined) p.line(r.text.replace(/\n$/, ''));
    if (r.error) p.warn(`array not read: ${r.error}`);
  },
});
