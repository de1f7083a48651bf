// `jdssc login rescan`: after growing an active volume: rescan its paths (this target only) until every path and the map show …
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { rescanVolume } from '../../flows/login';

export default defineCommand<{ volume: string }, { volume: string; device: string; size: number }>({
  command: 'rescan <volume>',
  mutates: true,
  describe: 'After growing an active volume: rescan its paths (this target only) until every path and the map show the new size',
  examples: [['$0 volume resize vm-100-disk-0 --size 64G && $0 login rescan vm-100-disk-0', 'online resize of a running VM disk']],
  builder: (y) => y.positional('volume', { type: 'string' }),
  run: async (a, f) => {
    const s = f.settings();
    return rescanVolume(await f.storage(), await hostEnv(f), { storageId: storageIdOf(s) }, { volume: a.volume });
  },
  human: (r, p) => p.line(`${r.device}: ${sizeText(r.size)}`),
});
