import { defineCommand } from '../../cli/command';
import { humanBytes } from '../../cli/output';
import type { VolumeView } from '../../storage/context';
import { listVolumes } from '../../storage/volumes';
import { vmidOption } from './options';
import { when } from './render';

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
