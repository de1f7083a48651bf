// `jdssc target sessions`: show the initiators logged in to a target, as the appliance sees them (all nodes)
import { defineCommand } from '../../cmdutil/command';
import { targetSessions, type SessionsView } from '../../storage';

export default defineCommand<{ target: string }, SessionsView>({
  command: 'sessions <target>',
  describe: 'Show the initiators logged in to a target, as the appliance sees them (all nodes)',
  examples: [['$0 target sessions iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0', 'who uses VM 100’s target']],
  builder: (y) => y.positional('target', { type: 'string', describe: 'full target IQN' }),
  run: async (a, f) => targetSessions(await f.storage(), a.target),
  human: (r, p) =>
    r.sessions.length === 0
      ? p.line(`no sessions on ${r.target}`)
      : p.table(
          ['INITIATOR', 'ADDRESSES'],
          r.sessions.map((s) => [s.initiator, s.addresses.join(', ')]),
        ),
});
