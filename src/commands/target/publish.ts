// `jdssc target publish`: a volume (or snapshot) as a LUN on its VM's iSCSI target
import { defineCommand } from '../../cmdutil/command';
import { vmidOption } from '../../cmdutil/parse';
import { publish, type Publication } from '../../storage';
import { targetSettings } from '../../cmdutil/settings';

interface Args {
  volume: string;
  snapshot?: string;
  vmid?: string;
  'refresh-chap'?: boolean;
}

export default defineCommand<Args, Publication>({
  command: 'publish <volume>',
  mutates: true,
  describe: "Publish a volume (or a snapshot) as a LUN on its VM's iSCSI target; prints target, LUN, portals and WWID",
  examples: [
    ['$0 target publish vm-100-disk-0', 'on iqn…:vm-100-0 (or the first target of VM 100 with room)'],
    ['$0 target publish vm-100-disk-0 --snapshot before-upgrade', 'a read-only export of a snapshot'],
    ['$0 target publish vm-100-disk-0 --refresh-chap', 'also push the current CHAP secret to the target'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .option('snapshot', { type: 'string', describe: 'publish this snapshot of the volume (through an export clone)' })
      .option('vmid', { type: 'string', describe: 'VM whose target group to use (default: from the volume name)' })
      .option('refresh-chap', { type: 'boolean', describe: 'replace the CHAP user on the target (after a secret change)' }),
  run: async (a, f) =>
    publish(await f.storage(), await targetSettings(f), {
      volume: a.volume,
      snapshot: a.snapshot,
      vmid: a.vmid === undefined ? undefined : vmidOption(a.vmid),
      refreshChap: a['refresh-chap'],
    }),
  human: (r, p) => {
    p.fields([
      ['target', r.target],
      ['lun', r.lun],
      ['portals', r.portals.join(', ')],
      ['wwid', r.wwid],
      [
        'new',
        [r.created.exportClone && 'export clone', r.created.target && 'target', r.created.lun && 'LUN'].filter(Boolean).join(', ') ||
          'nothing (already published)',
      ],
    ]);
    if (r.note) p.line(`note: ${r.note}`);
  },
});
