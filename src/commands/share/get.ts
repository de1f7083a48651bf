// `jdssc share get`: one NFS share of this pool (export path, access rules, root squash)
import { defineCommand } from '../../cmdutil/command';
import type { Printer } from '../../cmdutil/output';
import { getShare, type ShareView } from '../../storage';

/** The key/value rendering of a share, shared by create and get. */
export function renderShare(s: ShareView, p: Printer): void {
  p.fields([
    ['name', s.name],
    ['nas volume', s.nasVolume],
    ['export', s.exportPath],
    ['access', s.readOnly ? 'read-only' : 'read-write'],
    ['allow', s.allow.length ? s.allow.join(', ') : 'any address'],
    ['root squash', s.rootSquash ? 'yes' : 'no (root stays root)'],
    ['active', s.active ? 'yes' : 'no'],
  ]);
}

export default defineCommand<{ name: string }, ShareView>({
  command: 'get <name>',
  describe: 'Show one NFS share of this pool: its NAS volume, export path and access rules',
  examples: [
    ['$0 share get datastore-pve-01', 'export path, allowed addresses, read-only, root squash'],
    ['$0 share get datastore-pve-01 --json', 'as a JSON document'],
  ],
  builder: (y) => y.positional('name', { type: 'string', describe: 'share name' }),
  run: async (a, f) => getShare(await f.storage(), a.name),
  human: renderShare,
});
