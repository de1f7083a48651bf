// `jdssc login deactivate`: tear down this host's device, map and sessions of a volume (never another LUN's)
import { defineCommand } from '../../cmdutil/command';
import { forceOption } from '../../cmdutil/options';
import { hostEnv } from '../../cmdutil/hostEnv';
import { deactivateVolume, type Deactivation } from '../../flows/login';
import { loginSettings } from '../../cmdutil/settings';
import { volumeRef } from '../../cmdutil/render';

export default defineCommand<{ volume: string; snapshot?: string; unpublish?: boolean; force?: boolean }, Deactivation>({
  command: 'deactivate <volume>',
  mutates: true,
  describe: "Tear down this host's device, map and sessions of a volume (never another LUN's); a snapshot export is also unpublished",
  examples: [
    ['$0 login deactivate vm-100-disk-0', 'after VM 100 stopped (the LUN stays published, ready for the next start or a migration)'],
    ['$0 login deactivate vm-100-disk-0 --unpublish', 'also detach it on the array'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .option('snapshot', { type: 'string', describe: 'deactivate this snapshot export' })
      .option('unpublish', { type: 'boolean', describe: 'also unpublish the volume on the array' })
      .options(forceOption),
  run: async (a, f) => {
    const s = await loginSettings(f);
    return deactivateVolume(await f.storage({ forceDetach: a.force === true }), await hostEnv(f, [s.chap.secret]), s, a);
  },
  human: (r, p) => {
    p.line(r.wasActive ? `deactivated ${volumeRef(r)}` : `${volumeRef(r)} was not active on this host`);
    for (const x of r.results) {
      if (x.devicesDeleted.length) p.line(`  removed devices: ${x.devicesDeleted.join(', ')}`);
      if (x.map !== 'absent') p.line(`  multipath map: ${x.map}`);
      for (const pt of x.portals) p.line(`  ${pt.address}:${pt.port}: ${pt.action}${pt.reason ? ` (${pt.reason})` : ''}`);
    }
    if (r.unpublished) p.line('  unpublished on the array');
  },
});
