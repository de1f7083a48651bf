// `jdssc multipath status`: show the multipath map of one WWID: dm device, active/total paths, size (dmsetup when multipath -ll is silent)
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { hostEnv } from '../../cmdutil/hostEnv';
import { inspectMap, type MapState } from '../../host';
import { wwidArg } from './wwid';

export default defineCommand<{ wwid: string }, MapState & { wwid: string }>({
  command: 'status <wwid>',
  describe: 'Show the multipath map of one WWID: dm device, active/total paths, size (dmsetup when multipath -ll is silent)',
  examples: [['$0 multipath status 26562313537303732 --json', 'one map, nothing host-wide']],
  builder: (y) => y.positional('wwid', { type: 'string' }),
  run: async (a, f) => {
    const wwid = wwidArg(a.wwid);
    return { wwid, ...(await inspectMap(await hostEnv(f), wwid)) };
  },
  human: (r, p) =>
    p.fields([
      ['wwid', r.wwid],
      ['map', r.dm ?? 'none'],
      ['paths', `${r.activePaths} active of ${r.totalPaths}`],
      ['size', sizeText(r.sizeBytes)],
      ['source', r.source],
    ]),
});
