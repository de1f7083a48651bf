// `jdssc nas-snapshot unpublish`: remove the read-only export of a NAS snapshot (share, then clone)
import { defineCommand } from '../../cmdutil/command';
import { resolveNasSnapshot, unpublishNasSnapshot, type NasUnpublished } from '../../storage';

export default defineCommand<{ 'nas-volume': string; snapshot: string; 'proxmox-volume'?: string }, NasUnpublished>({
  command: 'unpublish <nas-volume> <snapshot>',
  mutates: true,
  describe: 'Remove the read-only NFS export of a NAS snapshot (its share, then its clone); not published is success',
  examples: [
    ['$0 nas-snapshot unpublish datastore-pve-01 before-upgrade', 'clients lose the export'],
    ['$0 nas-snapshot unpublish datastore-pve-01 snap1 --proxmox-volume 100/vm-100-disk-0.qcow2 --json', 'a Proxmox volume’s snapshot'],
  ],
  builder: (y) =>
    y
      .positional('nas-volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('proxmox-volume', { type: 'string', describe: 'the Proxmox volume the snapshot was taken for' }),
  run: async (a, f) => {
    const ref = { nasVolume: a['nas-volume'], snapshot: a.snapshot, proxmoxVolume: a['proxmox-volume'] };
    const ctx = await f.storage();
    resolveNasSnapshot(ctx, ref);
    return unpublishNasSnapshot(ctx, ref);
  },
  human: (r, p) =>
    p.line(
      r.unpublished ? `unpublished snapshot ${r.snapshot} of ${r.nasVolume}` : `snapshot ${r.snapshot} of ${r.nasVolume} was not published`,
    ),
});
