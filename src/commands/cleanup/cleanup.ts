// `jdssc cleanup`: find (and with --apply remove) orphans: volumes of deleted VMs, empty targets, dangling LUNs, leftover …
import { defineCommand } from '../../cmdutil/command';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { clusterVmids, parseVmids, runCleanup, type CleanupReport, Sightings } from '../../flows/cleanup';
import { BusyError, EXIT, UsageError } from '../../errors';
import { acquireLock } from '../../host';
import { Deadline } from '../../util/deadline';

interface Args {
  apply?: boolean;
  vmids?: string;
  'pve-dir': string;
  grace: string;
  only?: 'host' | 'array';
}

export default defineCommand<Args, CleanupReport>({
  command: 'cleanup',
  mutates: (a) => a.apply === true,
  describe:
    'Find (and with --apply remove) orphans: volumes of deleted VMs, empty targets, dangling LUNs, leftover export clones and clone snapshots, stale sessions, node records, maps and records on this host',
  examples: [
    ['$0 cleanup', 'dry run: report only (exit 10 when something was found)'],
    ['$0 cleanup --apply', 'remove what was already seen by an earlier run at least --grace seconds ago'],
    ['$0 cleanup --apply --grace 0 --only array', 'now, array side only'],
  ],
  builder: (y) =>
    y
      .option('apply', { type: 'boolean', describe: 'remove what is due (default: dry run)' })
      .option('vmids', {
        type: 'string',
        describe: 'VM ids that exist, e.g. 100,101 (default: read from --pve-dir; required off a Proxmox node)',
      })
      .option('pve-dir', { type: 'string', default: '/etc/pve', describe: 'the Proxmox cluster file system' })
      .option('grace', {
        type: 'string',
        default: '600',
        describe: 'seconds an orphan must have been seen (by an earlier run) before it is removed; 0 = at once',
      })
      .option('only', { choices: ['host', 'array'] as const, describe: 'limit to one side' }),
  run: async (a, f) => {
    if (!/^\d{1,9}$/.test(String(a.grace)))
      throw new UsageError(`--grace: expected whole seconds (0 or more), got ${JSON.stringify(a.grace)}`);
    const graceSec = Number(a.grace);
    let vmids: Set<number> | undefined;
    try {
      vmids = a.vmids !== undefined ? parseVmids(a.vmids) : clusterVmids(a['pve-dir']);
    } catch (e) {
      throw new UsageError(`--vmids: ${(e as Error).message}`);
    }
    // Off a Proxmox node nothing says which VMs exist; a run that cannot judge volumes must fail
    // (cron notices an exit code, not a note), unless only this host's side was asked for.
    if (vmids === undefined && a.only !== 'host')
      throw new UsageError(
        `no VM inventory under ${a['pve-dir']}/nodes (not a Proxmox node?): give the VM ids that exist with --vmids 100,101,… (or --pve-dir, or --only host)`,
      );
    const s = f.settings();
    const host = await hostEnv(f);
    // Cron may start a run while the previous one is still going: that run is skipped, not queued.
    const lock = await acquireLock({ ...host, deadline: new Deadline(f.clock, 100) }, 'cleanup', 'jdssc cleanup').catch(() => {
      throw new BusyError('another jdssc cleanup is running');
    });
    try {
      return await runCleanup(await f.storage(), host, new Sightings(f.stateDir(), () => f.clock.now()), {
        apply: a.apply === true,
        graceMs: graceSec * 1000,
        scope: { host: a.only !== 'array', array: a.only !== 'host' },
        storageId: storageIdOf(s),
        targetPrefix: s.targetPrefix,
        vmids,
      });
    } finally {
      lock.release();
    }
  },
  exitCode: (r) => (r.remaining > 0 ? EXIT.FOUND : EXIT.OK),
  human: (r, p) => {
    // Quiet when there is nothing to do, so cron mails only when it matters.
    for (const n of r.notes) p.line(`note: ${n}`);
    for (const i of r.items) {
      const state = i.error
        ? `FAILED: ${i.error}`
        : i.result
          ? i.result
          : i.keep
            ? `kept: ${i.keep}`
            : i.due
              ? r.applied
                ? 'due'
                : 'would remove'
              : 'seen (not due yet)';
      p.line(`${i.where.padEnd(5)} ${i.kind.padEnd(21)} ${i.name}: ${i.detail} — ${state}`);
    }
  },
});
