// `jdssc volume list`: this cluster's volumes (export clones and internal objects are not shown)
import { defineCommand } from '../../cmdutil/command';
import { humanBytes } from '../../cmdutil/output';
import { type VolumeView, listVolumes } from '../../storage';
import { vmidOption } from '../../cmdutil/parse';
import { when } from '../../cmdutil/render';

export default defineCommand<{ vmid?: string }, { volumes: VolumeView[] }>({
  command: 'list',
  describe: "List this cluster's volumes (export clones and internal objects are not shown)",
  examples: [
    ['$0 volume list', 'every volume of this storage'],
    ['$0 volume list --vmid 100 --json', 'the disks of VM 100'],
  ],
  builder: (y) => y.option('vmid', { type: 'string', describe: 'only volumes of this VM (vm-<id>-… and base-<id>-…)' }),
  run: async (a, f) => ({ volumes: await listVolumes(await f.storage(), { vmid: a.vmid === undefined ? undefined : vmidOption(a.vmid) }) }),
  human: (r, p) =>
    r.volumes.length === 0
      ? p.line('no volumes')
      : p.table(
          ['NAME', 'VMID', 'SIZE', 'PROVISIONING', 'CREATED'],
          r.volumes.map((v) => [v.name, v.vmid, humanBytes(v.size), v.thin === null ? null : v.thin ? 'thin' : 'thick', when(v.creation)]),
        ),
});
