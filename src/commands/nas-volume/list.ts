// `jdssc nas-volume list`: the NAS volumes of the pool (published snapshot clones left out unless --all)
import { defineCommand } from '../../cmdutil/command';
import { humanBytes } from '../../cmdutil/output';
import { listNasVolumes, type NasVolumeView } from '../../storage';

export default defineCommand<{ all?: boolean }, { nasVolumes: NasVolumeView[] }>({
  command: 'list',
  describe: 'List the NAS volumes of the pool with quota, use and export path',
  examples: [
    ['$0 nas-volume list', 'one line per NAS volume'],
    ['$0 nas-volume list --all --json', 'also the clones of published snapshots'],
  ],
  builder: (y) => y.option('all', { type: 'boolean', describe: 'also list the clones made by nas-snapshot publish' }),
  run: async (a, f) => ({ nasVolumes: await listNasVolumes(await f.storage(), { withPublished: a.all === true }) }),
  human: (r, p) =>
    r.nasVolumes.length === 0
      ? p.line('no NAS volumes')
      : p.table(
          ['NAME', 'QUOTA', 'USED', 'AVAILABLE', 'EXPORT'],
          r.nasVolumes.map((v) => [v.name, humanBytes(v.quota), humanBytes(v.used), humanBytes(v.available), v.exportPath]),
        ),
});
