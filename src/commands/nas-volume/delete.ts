// `jdssc nas-volume delete`: delete a NAS volume; refused (exit 5) while shared or with snapshots unless --force
import { defineCommand } from '../../cmdutil/command';
import { deleteNasVolume, type NasDeleteResult } from '../../storage';

export default defineCommand<{ name: string; force?: boolean }, NasDeleteResult>({
  command: 'delete <name>',
  mutates: true,
  describe:
    'Delete a NAS volume and its files; refused (exit 5, naming them) while it has shares, snapshots or clones; --force removes its shares, published snapshots and snapshots first',
  examples: [
    ['$0 nas-volume delete scratch', 'refuses if it is shared or has snapshots'],
    ['$0 nas-volume delete scratch --force', 'also deletes its shares and snapshots (clones that are NAS volumes still block)'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'NAS volume name' })
      .option('force', { type: 'boolean', describe: 'delete its shares, published snapshots and snapshots too' }),
  run: async (a, f) => deleteNasVolume(await f.storage(), a.name, { force: a.force === true }),
  human: (r, p) => {
    p.line(`deleted NAS volume ${r.name}`);
    if (r.sharesDeleted.length) p.line(`  shares: ${r.sharesDeleted.join(', ')}`);
    if (r.unpublished.length) p.line(`  unpublished snapshots: ${r.unpublished.join(', ')}`);
    if (r.snapshotsDeleted.length) p.line(`  snapshots: ${r.snapshotsDeleted.join(', ')}`);
  },
});
