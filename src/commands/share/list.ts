// `jdssc share list`: the NFS shares of this pool (--all: of every pool)
import { defineCommand } from '../../cmdutil/command';
import { listShares, type ShareView } from '../../storage';

export default defineCommand<{ all?: boolean }, { shares: ShareView[] }>({
  command: 'list',
  describe: 'List the NFS shares of this pool with export path and access rules',
  examples: [
    ['$0 share list', 'shares of this pool'],
    ['$0 share list --all --json', 'shares of every pool of the appliance'],
  ],
  builder: (y) => y.option('all', { type: 'boolean', describe: 'shares of every pool (shares are global on the appliance)' }),
  run: async (a, f) => ({ shares: await listShares(await f.storage(), { all: a.all === true }) }),
  human: (r, p) =>
    r.shares.length === 0
      ? p.line('no shares')
      : p.table(
          ['NAME', 'EXPORT', 'ACCESS', 'ALLOW'],
          r.shares.map((s) => [s.name, s.exportPath, s.readOnly ? 'ro' : 'rw', s.allow.length ? s.allow.join(',') : 'any']),
        ),
});
