// `jdssc target list`: this storage's targets (by target_prefix) with their LUNs; --all for every target
import { defineCommand } from '../../cmdutil/command';
import { listTargetViews, type TargetView } from '../../storage';

export default defineCommand<{ all?: boolean }, { targets: TargetView[] }>({
  command: 'list',
  describe: "List this storage's targets (by target_prefix) with their LUNs; --all for every target of the pool",
  examples: [
    ['$0 target list', 'targets of this storage'],
    ['$0 target list --all --json', 'every target of the pool'],
  ],
  builder: (y) => y.option('all', { type: 'boolean', describe: 'include targets of other prefixes' }),
  run: async (a, f) => ({ targets: await listTargetViews(await f.storage(), { prefix: a.all ? undefined : f.settings().targetPrefix }) }),
  human: (r, p) => {
    if (r.targets.length === 0) return p.line('no targets');
    p.table(
      ['TARGET', 'CHAP', 'VIPS', 'LUNS'],
      r.targets.map((t) => [
        t.name,
        t.chap ? 'yes' : 'no',
        t.vips.join(','),
        t.luns.map((l) => `${l.lun}:${l.volume}`).join(' ') || '(none)',
      ]),
    );
  },
});
