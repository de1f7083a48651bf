// `jdssc login status`: is the volume active on this host, and which device is (or would be) its path
import { defineCommand } from '../../cmdutil/command';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { volumeStatus, type VolumeStatus } from '../../flows/login';

export default defineCommand<{ volume: string; snapshot?: string }, VolumeStatus>({
  command: 'status <volume>',
  describe: 'Is the volume active on this host, and which device is (or would be) its path',
  examples: [['$0 login status vm-100-disk-0 --json', 'answered from the host record without REST when active']],
  builder: (y) => y.positional('volume', { type: 'string' }).option('snapshot', { type: 'string' }),
  run: async (a, f) => {
    const s = f.settings();
    return volumeStatus(() => f.storage(), await hostEnv(f), { storageId: storageIdOf(s), multipath: s.multipath }, a);
  },
  human: (r, p) =>
    p.fields([
      ['active', r.active ? 'yes' : 'no'],
      ['device', r.device],
      ['wwid', r.wwid],
      ['target', r.target === null ? null : `${r.target} LUN ${r.lun}`],
    ]),
});
