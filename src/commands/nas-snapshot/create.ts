// `jdssc nas-snapshot create`: snapshot a whole NAS volume (or, with --proxmox-volume, tagged for one Proxmox volume)
import { defineCommand } from '../../cmdutil/command';
import { createNasSnapshot, resolveNasSnapshot, type CreateNasSnapshotResult } from '../../storage';

interface Args {
  'nas-volume': string;
  snapshot: string;
  'proxmox-volume'?: string;
  'if-not-exists'?: boolean;
}

export default defineCommand<Args, CreateNasSnapshotResult>({
  command: 'create <nas-volume> <snapshot>',
  mutates: true,
  describe: 'Snapshot a NAS volume (every file in it); --proxmox-volume tags it with one Proxmox volume',
  examples: [
    ['$0 nas-snapshot create datastore-pve-01 before-upgrade', 'stored as s_before-upgrade'],
    ['$0 nas-snapshot create datastore-pve-01 snap1 --proxmox-volume 100/vm-100-disk-0.qcow2', "a VM disk's snapshot (sp_… name)"],
  ],
  builder: (y) =>
    y
      .positional('nas-volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('proxmox-volume', { type: 'string', describe: 'the Proxmox volume the snapshot is taken for' })
      .option('if-not-exists', { type: 'boolean', describe: 'succeed if it already exists' }),
  run: async (a, f) => {
    const ref = { nasVolume: a['nas-volume'], snapshot: a.snapshot, proxmoxVolume: a['proxmox-volume'] };
    const ctx = await f.storage();
    resolveNasSnapshot(ctx, ref);
    return createNasSnapshot(ctx, ref, { ifNotExists: a['if-not-exists'] === true });
  },
  human: (r, p) =>
    p.line(
      r.created
        ? `created snapshot ${r.snapshot} of ${r.nasVolume} (${r.physicalName})`
        : `snapshot ${r.snapshot} of ${r.nasVolume} already exists`,
    ),
});
