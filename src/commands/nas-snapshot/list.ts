// `jdssc nas-snapshot list`: the snapshots of a NAS volume (--proxmox-volume: only that volume's)
import { defineCommand } from '../../cmdutil/command';
import { humanBytes } from '../../cmdutil/output';
import { when } from '../../cmdutil/render';
import { listNasSnapshots, type ListNasSnapshotsResult } from '../../storage';

export default defineCommand<{ 'nas-volume': string; 'proxmox-volume'?: string }, ListNasSnapshotsResult>({
  command: 'list <nas-volume>',
  describe: 'List the snapshots of a NAS volume: name, Proxmox volume, created, used, published',
  examples: [
    ['$0 nas-snapshot list datastore-pve-01', 'every snapshot, oldest first'],
    ['$0 nas-snapshot list datastore-pve-01 --proxmox-volume 100/vm-100-disk-0.qcow2 --json', 'only that Proxmox volume’s'],
  ],
  builder: (y) =>
    y
      .positional('nas-volume', { type: 'string' })
      .option('proxmox-volume', { type: 'string', describe: 'only snapshots taken for this Proxmox volume' }),
  run: async (a, f) => listNasSnapshots(await f.storage(), a['nas-volume'], { proxmoxVolume: a['proxmox-volume'] }),
  human: (r, p) =>
    r.snapshots.length === 0
      ? p.line(`${r.nasVolume} has no snapshots`)
      : p.table(
          ['NAME', 'PROXMOX VOLUME', 'CREATED', 'USED', 'PUBLISHED'],
          r.snapshots.map((s) => [
            s.name,
            s.proxmoxVolume,
            when(s.creation),
            s.used === null ? null : humanBytes(s.used),
            s.published ? 'yes' : 'no',
          ]),
        ),
});
