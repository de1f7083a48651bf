// `jdssc share delete`: remove an NFS share of this pool (the NAS volume and its files stay)
import { defineCommand } from '../../cmdutil/command';
import { deleteShare, type ShareDeleteResult } from '../../storage';

export default defineCommand<{ name: string; 'if-exists'?: boolean }, ShareDeleteResult>({
  command: 'delete <name>',
  mutates: true,
  describe: 'Remove an NFS share of this pool; the NAS volume and its files stay',
  examples: [
    ['$0 share delete datastore-pve-01', 'missing is exit 3'],
    ['$0 share delete datastore-pve-01 --if-exists', 'missing is success'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'share name' })
      .option('if-exists', { type: 'boolean', describe: 'succeed if it is already gone' }),
  run: async (a, f) => deleteShare(await f.storage(), a.name, { ifExists: a['if-exists'] === true }),
  human: (r, p) => p.line(r.deleted ? `deleted share ${r.name} (of ${r.nasVolume})` : `share ${r.name} does not exist`),
});
