// `jdssc pool check`: pre-flight / health check: REST per address, auth, pool, VIPs, space, iSCSI portals, this host
import { defineCommand } from '../../cmdutil/command';
import { EXIT, type ExitCode } from '../../errors';
import { hostEnv } from '../../cmdutil/hostEnv';
import { poolCheckReport } from '../../cmdutil/poolChecks';
import type { CheckCategory, CheckReport } from '../../storage';

const EXIT_FOR: Record<CheckCategory, ExitCode> = {
  connectivity: EXIT.UNREACHABLE,
  configuration: EXIT.USAGE,
  host: EXIT.HOST,
  capacity: EXIT.NO_SPACE,
  other: EXIT.INTERNAL,
};

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export default defineCommand<{ 'skip-host'?: boolean }, CheckReport>({
  command: 'check',
  describe: 'Pre-flight / health check: REST per address, auth, pool, VIPs, space, iSCSI portals, this host',
  examples: [
    ['$0 -c /etc/pve/jdss-Pool-0.yaml pool check', 'what is wrong and how to fix it'],
    ['$0 pool check --json', 'status ok|degraded|down and the failing category'],
  ],
  builder: (y) =>
    y.option('skip-host', { type: 'boolean', describe: 'check only the array (e.g. from a machine that is not a Proxmox node)' }),
  run: async (a, f) => poolCheckReport(f, a['skip-host'] ? undefined : await hostEnv(f)),
  // The report is the answer either way; the exit code says which kind of problem was found.
  exitCode: (r) => (r.classification ? EXIT_FOR[r.classification] : EXIT.OK),
  human: (r, p) => {
    for (const c of r.checks) {
      p.line(`${c.status === 'ok' ? MARK.ok : p.color.bold(MARK[c.status])}  ${c.id.padEnd(20)} ${c.message}`);
      if (c.fix && c.status !== 'ok') p.line(`${' '.repeat(26)}fix: ${c.fix}`);
    }
    p.line(`\nstatus: ${r.status}${r.classification ? ` (${r.classification})` : ''}`);
  },
});
