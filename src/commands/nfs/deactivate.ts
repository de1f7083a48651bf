// `jdssc nfs deactivate`: unmount a JovianDSS export from a directory of this host (never a mount of anything else; busy: exit 5)
import { defineCommand } from '../../cmdutil/command';
import { hostEnv } from '../../cmdutil/hostEnv';
import { deactivateNfs, type NfsDeactivation } from '../../flows/nfs';

export default defineCommand<{ path: string; export?: string }, NfsDeactivation>({
  command: 'deactivate',
  mutates: true,
  describe: 'Unmount the JovianDSS export at a directory (not mounted: no change; another mount or busy: exit 5)',
  examples: [['$0 nfs deactivate --path /mnt/pve/jdss-nfs', 'unmount it; still in use: exit 5 with the number of processes']],
  builder: (y) =>
    y
      .option('path', { type: 'string', demandOption: true, describe: 'the mount directory' })
      .option('export', { type: 'string', describe: 'unmount only if this export (/Pools/<pool>/<nas-volume>) is what is mounted' }),
  run: async (a, f) => deactivateNfs(await hostEnv(f), a.path, a.export),
  human: (r, p) => p.line(r.wasMounted ? `unmounted ${r.source} from ${r.path}` : `${r.path}: nothing mounted`),
});
