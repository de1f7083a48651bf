// `jdssc target unpublish`: remove a volume (or snapshot export) from its target; the target is deleted with its last LUN
import { defineCommand } from '../../cmdutil/command';
import { forceOption } from '../../cmdutil/options';
import { unpublish, type Unpublished } from '../../storage';
import { volumeRef } from '../../cmdutil/render';

export default defineCommand<{ volume: string; snapshot?: string; force?: boolean }, Unpublished>({
  command: 'unpublish <volume>',
  mutates: true,
  describe: 'Remove a volume (or snapshot export) from its target; the target is deleted with its last LUN',
  examples: [
    ['$0 target unpublish vm-100-disk-0', 'detach the LUN'],
    ['$0 target unpublish vm-100-disk-0 --snapshot before-upgrade', 'detach and delete the snapshot export'],
    ['$0 target unpublish vm-100-disk-0 --force', 'detach although another host is logged in (exit 5 without it)'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .option('snapshot', { type: 'string', describe: 'unpublish this snapshot export' })
      .options(forceOption),
  run: async (a, f) => unpublish(await f.storage({ forceDetach: a.force === true }), { volume: a.volume, snapshot: a.snapshot }),
  human: (r, p) => {
    if (!r.wasPublished) p.line(`${volumeRef(r)} was not published`);
    for (const d of r.detached) p.line(`detached LUN ${d.lun} from ${d.target}${d.targetDeleted ? '; target deleted' : ''}`);
    if (r.exportCloneDeleted) p.line('export clone deleted');
  },
});
