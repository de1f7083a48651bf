// `jdssc volume delete`: delete a volume (with --cascade also its snapshots and their export clones); fails while clones depend on it
import { defineCommand } from '../../cmdutil/command';
import { forceOption } from '../../cmdutil/options';
import { deleteVolume, type DeleteResult } from '../../storage';

export default defineCommand<{ name: string; cascade?: boolean; force?: boolean }, DeleteResult>({
  command: 'delete <name>',
  mutates: true,
  describe: 'Delete a volume (with --cascade also its snapshots and their export clones); fails while clones depend on it',
  examples: [
    ['$0 volume delete vm-100-disk-0', 'refuses if the volume has snapshots'],
    ['$0 volume delete vm-100-disk-0 --cascade', 'also deletes its snapshots'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string' })
      .option('cascade', { type: 'boolean', describe: 'delete its snapshots (and their export clones) too' })
      .options(forceOption),
  run: async (a, f) => deleteVolume(await f.storage({ forceDetach: a.force === true }), a.name, { cascade: a.cascade === true }),
  human: (r, p) => {
    p.line(`deleted ${r.name}`);
    if (r.snapshots?.length) p.line(`  snapshots: ${r.snapshots.join(', ')}`);
    if (r.exportClones.length) p.line(`  export clones: ${r.exportClones.join(', ')}`);
    for (const d of r.unpublished) p.line(`  detached from ${d.target} (LUN ${d.lun})${d.targetDeleted ? ', target deleted' : ''}`);
    if (r.intermediateSnapshot) p.line(`  clone source snapshot: ${r.intermediateSnapshot}`);
  },
});
