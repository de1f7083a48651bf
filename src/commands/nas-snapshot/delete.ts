// `jdssc nas-snapshot delete`: delete a NAS snapshot, unpublishing it first; other clones block (exit 5)
import { defineCommand } from '../../cmdutil/command';
import { deleteNasSnapshot, resolveNasSnapshot, type DeleteNasSnapshotResult } from '../../storage';

interface Args {
  'nas-volume': string;
  snapshot: string;
  'proxmox-volume'?: string;
  'if-exists'?: boolean;
}

export default defineCommand<Args, DeleteNasSnapshotResult>({
  command: 'delete <nas-volume> <snapshot>',
  mutates: true,
  describe: 'Delete a NAS snapshot; a published one is unpublished first, clones that are NAS volumes block (exit 5)',
  examples: [
    ['$0 nas-snapshot delete datastore-pve-01 before-upgrade', 'missing is exit 3'],
    ['$0 nas-snapshot delete datastore-pve-01 snap1 --proxmox-volume 100/vm-100-disk-0.qcow2 --if-exists', 'missing is success'],
  ],
  builder: (y) =>
    y
      .positional('nas-volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('proxmox-volume', { type: 'string', describe: 'the Proxmox volume the snapshot was taken for' })
      .option('if-exists', { type: 'boolean', describe: 'succeed if it is already gone' }),
  run: async (a, f) => {
    const ref = { nasVolume: a['nas-volume'], snapshot: a.snapshot, proxmoxVolume: a['proxmox-volume'] };
    const ctx = await f.storage();
    resolveNasSnapshot(ctx, ref);
    return deleteNasSnapshot(ctx, ref, { ifExists: a['if-exists'] === true });
  },
  human: (r, p) => {
    if (!r.deleted) return p.line(`snapshot ${r.snapshot} of ${r.nasVolume} does not exist`);
    p.line(`deleted snapshot ${r.snapshot} of ${r.nasVolume}${r.unpublished ? ' (unpublished first)' : ''}`);
  },
});
