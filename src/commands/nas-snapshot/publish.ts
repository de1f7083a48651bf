// `jdssc nas-snapshot publish`: a NAS snapshot as a read-only NFS export (clone + share); prints the export path
import { defineCommand } from '../../cmdutil/command';
import { checkAccessRules, publishNasSnapshot, resolveNasSnapshot, type NasPublication } from '../../storage';

interface Args {
  'nas-volume': string;
  snapshot: string;
  'proxmox-volume'?: string;
  allow?: string[];
}

export default defineCommand<Args, NasPublication>({
  command: 'publish <nas-volume> <snapshot>',
  mutates: true,
  describe: 'Publish a NAS snapshot read-only over NFS for file-level restore (a clone and its share); prints the export path',
  examples: [
    ['$0 nas-snapshot publish datastore-pve-01 before-upgrade', 'prints /Pools/<pool>/s_before-upgrade'],
    ['$0 nas-snapshot publish datastore-pve-01 before-upgrade --allow 192.168.31.0/24', 'only for one network'],
  ],
  builder: (y) =>
    y
      .positional('nas-volume', { type: 'string' })
      .positional('snapshot', { type: 'string' })
      .option('proxmox-volume', { type: 'string', describe: 'the Proxmox volume the snapshot was taken for' })
      .option('allow', {
        type: 'string',
        array: true,
        describe: 'address or network that may mount (ADDR[/PREFIX]); repeatable (default: any)',
      }),
  run: async (a, f) => {
    const ref = { nasVolume: a['nas-volume'], snapshot: a.snapshot, proxmoxVolume: a['proxmox-volume'] };
    const allow = checkAccessRules(a.allow);
    const ctx = await f.storage();
    resolveNasSnapshot(ctx, ref);
    return publishNasSnapshot(ctx, ref, { allow });
  },
  // Scripts read the one line: the path to mount.
  human: (r, p) => p.line(r.exportPath),
});
