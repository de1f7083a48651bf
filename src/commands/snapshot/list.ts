// `jdssc snapshot list`: list the snapshots of a volume (name, guid, creation time, size with --size)
import { defineCommand } from '../../cmdutil/command';
import { humanBytes } from '../../cmdutil/output';
import { listSnapshots, type ListSnapshotsResult } from '../../storage';
import { when } from '../../cmdutil/render';

export default defineCommand<{ volume: string; size?: boolean }, ListSnapshotsResult>({
  command: 'list <volume>',
  describe: 'List the snapshots of a volume (name, guid, creation time, size with --size)',
  examples: [
    ['$0 snapshot list vm-100-disk-0', 'oldest first'],
    ['$0 snapshot list vm-100-disk-0 --size --json', 'with the volume size of each snapshot (one request per snapshot)'],
  ],
  builder: (y) =>
    y.positional('volume', { type: 'string' }).option('size', { type: 'boolean', describe: "also fetch each snapshot's size" }),
  run: async (a, f) => listSnapshots(await f.storage(), a.volume, { withSize: a.size === true }),
  human: (r, p) =>
    r.snapshots.length === 0
      ? p.line(`${r.volume} has no snapshots`)
      : p.table(
          ['NAME', 'CREATED', 'SIZE', 'GUID'],
          r.snapshots.map((s) => [s.name, when(s.creation), s.size === null ? null : humanBytes(s.size), s.guid]),
        ),
});
