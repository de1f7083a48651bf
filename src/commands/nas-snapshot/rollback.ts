// `jdssc nas-snapshot rollback`: roll a NAS volume back to a snapshot; newer snapshots or publications block (exit 5) unless --force
import { defineCommand } from '../../cmdutil/command';
import { resolveNasSnapshot, rollbackNasCheck, rollbackNasVolume, type NasRollbackCheck, type NasRollbackResult } from '../../storage';

interface Args {
  'nas-volume': string;
  snapshot: string;
  'proxmox-volume'?: string;
  check?: boolean;
  force?: boolean;
}

export default defineCommand<Args, NasRollbackCheck | NasRollbackResult>({
  command: 'rollback <nas-volume> <snapshot>',
  mutates: (a) => a.check !== true,
  describe:
    'Roll a NAS volume (every file in it) back to a snapshot; newer snapshots and published ones block (exit 5) unless --force; clones that are NAS volumes always block',
  examples: [
    ['$0 nas-snapshot rollback datastore-pve-01 before-upgrade --check', 'only report what would block (exit 0)'],
    ['$0 nas-snapshot rollback datastore-pve-01 before-upgrade', 'roll back if nothing newer exists'],
    ['$0 nas-snapshot rollback datastore-pve-01 before-upgrade --force', 'unpublish and destroy newer snapshots first'],
  ],
  builder: (y) =>
    y
      .positional('nas-volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('proxmox-volume', { type: 'string', describe: 'the Proxmox volume the snapshot was taken for' })
      .option('check', { type: 'boolean', describe: 'report blockers, change nothing' })
      .option('force', { type: 'boolean', describe: 'unpublish and destroy newer snapshots' })
      .conflicts('check', 'force'),
  run: async (a, f) => {
    const ref = { nasVolume: a['nas-volume'], snapshot: a.snapshot, proxmoxVolume: a['proxmox-volume'] };
    const ctx = await f.storage();
    resolveNasSnapshot(ctx, ref);
    return a.check ? rollbackNasCheck(ctx, ref) : rollbackNasVolume(ctx, ref, { force: a.force === true });
  },
  human: (r, p) => {
    if ('possible' in r) {
      if (r.possible) return p.line(`rollback of ${r.nasVolume} to ${r.snapshot} is possible`);
      p.line(`rollback of ${r.nasVolume} to ${r.snapshot} is blocked by:`);
      if (r.blockers.snapshots.length) p.line(`  newer snapshots: ${r.blockers.snapshots.join(', ')}`);
      if (r.blockers.published.length) p.line(`  published snapshots: ${r.blockers.published.join(', ')}`);
      if (r.blockers.clones.length) p.line(`  clones: ${r.blockers.clones.join(', ')}`);
      return;
    }
    p.line(`rolled back ${r.nasVolume} to ${r.snapshot}`);
    if (r.unpublished.length) p.line(`  unpublished: ${r.unpublished.join(', ')}`);
    if (r.destroyed.length) p.line(`  destroyed newer snapshots: ${r.destroyed.join(', ')}`);
  },
});
