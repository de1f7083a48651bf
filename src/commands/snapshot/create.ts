// `jdssc snapshot create`: snapshot a volume (exit 4 if the snapshot exists, unless --if-not-exists)
import { defineCommand } from '../../cmdutil/command';
import { createSnapshot, type CreateSnapshotResult } from '../../storage';

export default defineCommand<{ volume: string; snapshot: string; 'if-not-exists'?: boolean }, CreateSnapshotResult>({
  command: 'create <volume> <snapshot>',
  mutates: true,
  describe: 'Snapshot a volume (exit 4 if the snapshot exists, unless --if-not-exists)',
  examples: [
    ['$0 snapshot create vm-100-disk-0 before-upgrade', 'take a snapshot'],
    ['$0 snapshot create vm-100-disk-0 nightly --if-not-exists', 'idempotent, for scripts'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('if-not-exists', { type: 'boolean', describe: 'an existing snapshot of that name counts as success' }),
  run: async (a, f) => createSnapshot(await f.storage(), a.volume, a.snapshot, { ifNotExists: a['if-not-exists'] }),
  human: (r, p) => p.line(r.created ? `created snapshot ${r.volume}@${r.snapshot}` : `snapshot ${r.volume}@${r.snapshot} already exists`),
});
