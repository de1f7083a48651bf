// `jdssc volume clone`: clone a volume from one of its snapshots, or from its current state (linked clone)
import { defineCommand } from '../../cmdutil/command';
import { type VolumeView, cloneVolume, withFreeName } from '../../storage';
import { provisioningOption } from '../../cmdutil/parse';
import { renderVolume } from '../../cmdutil/render';
import { nameOrVmid } from './create';

interface Args {
  source: string;
  name?: string;
  vmid?: string;
  snapshot?: string;
  thin?: boolean;
  thick?: boolean;
}

export default defineCommand<Args, VolumeView>({
  command: 'clone <source> [name]',
  mutates: true,
  describe: 'Clone a volume from one of its snapshots, or from its current state (linked clone)',
  examples: [
    ['$0 volume clone vm-100-disk-0 vm-101-disk-0 --snapshot before-upgrade', 'clone from a snapshot'],
    ['$0 volume clone base-100-disk-0 vm-102-disk-0', 'linked clone of a template disk'],
    ['$0 volume clone base-100-disk-0 --vmid 102 --json', 'under the first free vm-102-disk-N name (the answer names it)'],
  ],
  builder: (y) =>
    y
      .positional('source', { type: 'string', describe: 'volume to clone' })
      .positional('name', { type: 'string', describe: 'name of the new volume (or --vmid)' })
      .option('vmid', {
        type: 'string',
        describe: 'instead of a name: the first free disk name of this VM, as `volume free-name` gives it',
      })
      .option('snapshot', { type: 'string', describe: 'clone this snapshot of the source' })
      .option('thin', { type: 'boolean', describe: 'thin clone (default: thin_provisioning)' })
      .option('thick', { type: 'boolean', describe: 'thick clone' }),
  run: async (a, f) => {
    const vmid = nameOrVmid(a);
    const req = { source: a.source, snapshot: a.snapshot, thin: provisioningOption(a) };
    const ctx = await f.storage();
    if (vmid === undefined) return cloneVolume(ctx, { ...req, name: a.name as string });
    // a name taken meanwhile by another node is refused by the array: the next free name is tried
    return withFreeName(ctx, vmid, false, (name) => cloneVolume(ctx, { ...req, name }));
  },
  human: renderVolume,
});
