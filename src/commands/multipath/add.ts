// `jdssc multipath add`: allow and build the multipath map of one WWID (multipath -a, multipathd add map) and wait for an active path
import { defineCommand } from '../../cmdutil/command';
import { hostEnv } from '../../cmdutil/hostEnv';
import { ensureMap, withLock } from '../../host';
import { wwidArg } from './wwid';

export default defineCommand<{ wwid: string }, { wwid: string; dm: string; created: boolean }>({
  command: 'add <wwid>',
  mutates: true,
  describe: 'Allow and build the multipath map of one WWID (multipath -a, multipathd add map) and wait for an active path',
  examples: [['$0 multipath add 26562313537303732', 'never a host-wide scan']],
  builder: (y) => y.positional('wwid', { type: 'string' }),
  run: async (a, f) => {
    const wwid = wwidArg(a.wwid);
    const env = await hostEnv(f);
    const r = await withLock(env, `map-${wwid}`, 'multipath add', () => ensureMap(env, wwid, []));
    return { wwid, dm: r.dm, created: r.created };
  },
  human: (r, p) => p.line(`${r.wwid}: ${r.dm}${r.created ? ' (created)' : ' (already there)'}`),
});
