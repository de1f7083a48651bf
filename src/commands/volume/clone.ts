// `jdssc volume clone`: clone a volume from one of its snapshots, or from its current state (linked clone)
import { defineCommand } from '../../cmdutil/command';
import { type VolumeView, cloneVolume } from '../../storage';
import { provisioningOption } from '../../cmdutil/parse';
import { renderVolume } from '../../cmdutil/render';

interface Args {
  source: string;
  name: string;
  snapshot?: string;
  thin?: boolean;
  thick?: boolean;
}

export default defineCommand<Args, VolumeView>({
  command: 'clone <source> <name>',
  mutates: true,
  describe: 'Clone a volume from one of its snapshots, or from its current state (linked clone)',
  examples: [
    ['$0 volume clone vm-100-disk-0 vm-101-disk-0 --snapshot before-upgrade', 'clone from a snapshot'],
    ['$0 volume clone base-100-disk-0 vm-102-disk-0', 'linked clone of a template disk'],
  ],
  builder: (y) =>
    y
      .positional('source', { type: 'string', describe: 'volume to clone' })
      .positional('name', { type: 'string', describe: 'name of the new volume' })
      .option('snapshot', { type: 'string', describe: 'clone this snapshot of the source' })
      .option('thin', { type: 'boolean', describe: 'thin clone (default: thin_provisioning)' })
      .option('thick', { type: 'boolean', describe: 'thick clone' }),
  run: async (a, f) =>
    cloneVolume(await f.storage(), { source: a.source, name: a.name, snapshot: a.snapshot, thin: provisioningOption(a) }),
  human: renderVolume,
});
