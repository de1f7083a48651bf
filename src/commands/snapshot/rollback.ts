// `jdssc snapshot rollback`: roll a volume back to a snapshot; newer snapshots block unless --destroy-newer, clones always block (exit 5)
import { defineCommand } from '../../cmdutil/command';
import { rollbackCheck, rollbackVolume, type RollbackCheck, type RollbackResult } from '../../storage';

interface Args {
  volume: string;
  snapshot: string;
  check?: boolean;
  'destroy-newer'?: boolean;
}

export default defineCommand<Args, RollbackCheck | RollbackResult>({
  command: 'rollback <volume> <snapshot>',
  mutates: (a) => a.check !== true,
  describe: 'Roll a volume back to a snapshot; newer snapshots block unless --destroy-newer, clones always block (exit 5)',
  examples: [
    ['$0 snapshot rollback vm-100-disk-0 before-upgrade --check', 'only report what would block (exit 0)'],
    ['$0 snapshot rollback vm-100-disk-0 before-upgrade', 'roll back if nothing newer exists'],
    ['$0 snapshot rollback vm-100-disk-0 before-upgrade --destroy-newer', 'also destroy newer snapshots'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('check', { type: 'boolean', describe: 'report blockers, change nothing' })
      .option('destroy-newer', { type: 'boolean', describe: 'destroy snapshots newer than the target' })
      .conflicts('check', 'destroy-newer'),
  run: async (a, f) => {
    const ctx = await f.storage();
    return a.check
      ? rollbackCheck(ctx, a.volume, a.snapshot)
      : rollbackVolume(ctx, a.volume, a.snapshot, { destroyNewer: a['destroy-newer'] === true });
  },
  human: (r, p) => {
    if ('possible' in r) {
      if (r.possible) return p.line(`rollback of ${r.volume} to ${r.snapshot} is possible`);
      p.line(`rollback of ${r.volume} to ${r.snapshot} is blocked by:`);
      if (r.blockers.snapshots.length) p.line(`  newer snapshots: ${r.blockers.snapshots.join(', ')}`);
      if (r.blockers.clones.length) p.line(`  clones: ${r.blockers.clones.join(', ')}`);
      return;
    }
    p.line(`rolled back ${r.volume} to ${r.snapshot}`);
    if (r.destroyed.length) p.line(`  destroyed newer snapshots: ${r.destroyed.join(', ')}`);
  },
});
