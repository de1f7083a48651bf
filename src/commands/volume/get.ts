// `jdssc volume get`: show a volume: size, block size, thin/thick, origin, SCSI id and WWID, creation time
import { defineCommand } from '../../cmdutil/command';
import { type VolumeView, getVolume } from '../../storage';
import { renderVolume } from '../../cmdutil/render';

export default defineCommand<{ name: string }, VolumeView>({
  command: 'get <name>',
  describe: 'Show a volume: size, block size, thin/thick, origin, SCSI id and WWID, creation time',
  examples: [['$0 volume get vm-100-disk-0 --json', 'all facts about one disk']],
  builder: (y) => y.positional('name', { type: 'string', describe: 'Proxmox volume name' }),
  run: async (a, f) => getVolume(await f.storage(), a.name),
  human: renderVolume,
});
