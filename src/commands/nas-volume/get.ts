// `jdssc nas-volume get`: one NAS volume (quota, reservation, use, export path)
import { defineCommand } from '../../cmdutil/command';
import type { Printer } from '../../cmdutil/output';
import { sizeText, when } from '../../cmdutil/render';
import { getNasVolume, type NasVolumeView } from '../../storage';

/** The key/value rendering of a NAS volume, shared by create and get. */
export function renderNasVolume(v: NasVolumeView, p: Printer): void {
  p.fields([
    ['name', v.name],
    ['export', v.exportPath],
    ['quota', sizeText(v.quota)],
    ['reservation', v.reservation ? sizeText(v.reservation) : 'none'],
    ['used', sizeText(v.used)],
    ['available', sizeText(v.available)],
    ['origin', v.origin ? `${v.origin.nasVolume}@${v.origin.snapshot}` : null],
    ['read-only', v.readonly ? 'yes' : 'no'],
    ['created', when(v.creation)],
  ]);
}

export default defineCommand<{ name: string }, NasVolumeView>({
  command: 'get <name>',
  describe: 'Show one NAS volume: quota, reservation, use and its NFS export path',
  examples: [
    ['$0 nas-volume get datastore-pve-01', 'quota, use and /Pools/<pool>/datastore-pve-01'],
    ['$0 nas-volume get datastore-pve-01 --json', 'sizes in bytes'],
  ],
  builder: (y) => y.positional('name', { type: 'string', describe: 'NAS volume (dataset) name' }),
  run: async (a, f) => getNasVolume(await f.storage(), a.name),
  human: renderNasVolume,
});
