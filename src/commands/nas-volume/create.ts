// `jdssc nas-volume create`: a NAS volume (ZFS filesystem) with a quota and optional reservation
import { defineCommand } from '../../cmdutil/command';
import { sizeOption } from '../../cmdutil/parse';
import { parseSize } from '../../util/size';
import { UsageError } from '../../errors';
import { createNasVolume, checkNasVolumeName, type NasVolumeView } from '../../storage';
import { renderNasVolume } from './get';

export default defineCommand<{ name: string; quota: string; reservation?: string }, NasVolumeView>({
  command: 'create <name>',
  mutates: true,
  describe: 'Create a NAS volume (a file system on the pool) with a quota and an optional reservation',
  examples: [
    ['$0 nas-volume create datastore-pve-01 --quota 500G', 'exported later as /Pools/<pool>/datastore-pve-01'],
    ['$0 nas-volume create backups --quota 2T --reservation 100G', 'with 100 GiB guaranteed'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'NAS volume name: a-z, 0-9, ".", "_", "-"' })
      .option('quota', { type: 'string', demandOption: true, describe: 'most it may hold: bytes or 500G, 2T …' })
      .option('reservation', { type: 'string', describe: 'space guaranteed to it (default none)' }),
  run: async (a, f) => {
    checkNasVolumeName(a.name);
    const quota = sizeOption('--quota', a.quota);
    let reservation: number | undefined;
    if (a.reservation !== undefined) {
      if (/^\s*[-+]/.test(a.reservation))
        throw new UsageError(`--reservation: expected a size without a sign, got ${JSON.stringify(a.reservation)}`);
      reservation = parseSize('--reservation', a.reservation);
    }
    return createNasVolume(await f.storage(), { name: a.name, quota, reservation });
  },
  human: renderNasVolume,
});
