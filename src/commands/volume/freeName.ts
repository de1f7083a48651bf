// `jdssc volume free-name`: print the first unused disk name of a VM (vm-<vmid>-disk-N, or base-… with --base)
import { defineCommand } from '../../cmdutil/command';
import { freeName } from '../../storage';
import { vmidOption } from '../../cmdutil/parse';

export default defineCommand<{ vmid: string; base?: boolean }, { name: string }>({
  command: 'free-name',
  describe: 'Print the first unused disk name of a VM (vm-<vmid>-disk-N, or base-… with --base)',
  examples: [
    ['$0 volume free-name --vmid 100', 'e.g. vm-100-disk-2'],
    ['$0 volume free-name --vmid 100 --base', 'a template disk name, e.g. base-100-disk-0'],
  ],
  builder: (y) =>
    y
      .option('vmid', { type: 'string', demandOption: true, describe: 'VM id' })
      .option('base', { type: 'boolean', describe: 'a template (base-…) name' }),
  run: async (a, f) => ({ name: await freeName(await f.storage(), vmidOption(a.vmid), a.base === true) }),
  human: (r, p) => p.line(r.name),
});
