// `jdssc snapshot delete`: delete a snapshot; its export clones go first, volume clones make it fail (exit 5)
import { defineCommand } from '../../cmdutil/command';
import { forceOption } from '../../cmdutil/options';
import { deleteSnapshot, type DeleteSnapshotResult } from '../../storage';

export default defineCommand<{ volume: string; snapshot: string; 'if-exists'?: boolean; force?: boolean }, DeleteSnapshotResult>({
  command: 'delete <volume> <snapshot>',
  mutates: true,
  describe: 'Delete a snapshot; its export clones go first, volume clones make it fail (exit 5)',
  examples: [
    ['$0 snapshot delete vm-100-disk-0 before-upgrade', 'delete a snapshot'],
    ['$0 snapshot delete vm-100-disk-0 nightly --if-exists', 'no error if it is already gone'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('if-exists', { type: 'boolean', describe: 'a missing snapshot counts as success' })
      .options(forceOption),
  run: async (a, f) =>
    deleteSnapshot(await f.storage({ forceDetach: a.force === true }), a.volume, a.snapshot, { ifExists: a['if-exists'] }),
  human: (r, p) => {
    p.line(r.deleted ? `deleted snapshot ${r.volume}@${r.snapshot}` : `snapshot ${r.volume}@${r.snapshot} did not exist`);
    if (r.exportClones.length) p.line(`  export clones removed: ${r.exportClones.join(', ')}`);
  },
});
