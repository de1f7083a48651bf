// `jdssc multipath remove`: remove the multipath map of one WWID once nothing uses it (multipath -f, fallbacks); never a host-wide flush
import { defineCommand } from '../../cmdutil/command';
import { hostEnv } from '../../cmdutil/hostEnv';
import { removeMap, waitMapUnused, withLock } from '../../host';
import { wwidArg } from './wwid';

export default defineCommand<{ wwid: string }, { wwid: string; map: 'absent' | 'removed' | 'deferred' }>({
  command: 'remove <wwid>',
  mutates: true,
  describe: 'Remove the multipath map of one WWID once nothing uses it (multipath -f, fallbacks); never a host-wide flush',
  examples: [['$0 multipath remove 26562313537303732', 'after its paths are gone']],
  builder: (y) => y.positional('wwid', { type: 'string' }),
  run: async (a, f) => {
    const wwid = wwidArg(a.wwid);
    const env = await hostEnv(f);
    return withLock(env, `map-${wwid}`, 'multipath remove', async () => {
      await waitMapUnused(env, wwid);
      return { wwid, map: await removeMap(env, wwid) };
    });
  },
  human: (r, p) => p.line(`${r.wwid}: ${r.map}`),
});
