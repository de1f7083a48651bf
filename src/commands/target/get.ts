// `jdssc target get`: show where a volume (or snapshot export) is published; changes nothing
import { defineCommand } from '../../cmdutil/command';
import { publicationOf, type PublicationInfo } from '../../storage';
import { volumeRef } from '../../cmdutil/render';

export default defineCommand<{ volume: string; snapshot?: string }, PublicationInfo>({
  command: 'get <volume>',
  describe: 'Show where a volume (or snapshot export) is published; changes nothing',
  examples: [['$0 target get vm-100-disk-0 --json', 'target, LUN, portals and WWID, or published: false']],
  builder: (y) => y.positional('volume', { type: 'string' }).option('snapshot', { type: 'string' }),
  run: async (a, f) => {
    const s = f.settings();
    return publicationOf(await f.storage(), { dataAddresses: s.dataAddresses, dataPort: s.dataPort }, a);
  },
  human: (r, p) =>
    r.published
      ? p.fields([
          ['target', r.target],
          ['lun', r.lun],
          ['portals', r.portals.join(', ')],
          ['wwid', r.wwid],
        ])
      : p.line(`${volumeRef(r)} is not published`),
});
