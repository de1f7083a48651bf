// `jdssc login list`: volumes this host has activated (its LUN records) for this storage, or --all storages
import { defineCommand } from '../../cmdutil/command';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { listRecords, type LunRecord } from '../../host';

export default defineCommand<{ all?: boolean }, { records: LunRecord[] }>({
  command: 'list',
  describe: 'Volumes this host has activated (its LUN records) for this storage, or --all storages',
  examples: [['$0 login list', 'what is active on this node']],
  builder: (y) => y.option('all', { type: 'boolean', describe: 'every storage on this host' }),
  run: async (a, f) => ({ records: listRecords(await hostEnv(f), a.all ? undefined : storageIdOf(f.settings())) }),
  human: (r, p) =>
    r.records.length === 0
      ? p.line('nothing is active on this host')
      : p.table(
          ['VOLUME', 'SNAPSHOT', 'DEVICE', 'TARGET', 'LUN', 'STORAGE'],
          r.records.map((x) => [x.volume, x.snapshot, x.device, x.target, x.lun, x.storageId]),
        ),
});
