// `jdssc nfs activate`: mount a NAS volume's NFS export at a directory of this host (creating the NAS volume and share with --create)
import { defineCommand } from '../../cmdutil/command';
import { hostEnv } from '../../cmdutil/hostEnv';
import { sizeOption } from '../../cmdutil/parse';
import { UsageError } from '../../errors';
import { activateNfs, checkActivate, nasArray, type NfsActivation } from '../../flows/nfs';

interface Args {
  export: string;
  path: string;
  server?: string;
  options?: string;
  create?: boolean;
  quota?: string;
  allow?: string[];
}

export default defineCommand<Args, NfsActivation>({
  command: 'activate',
  mutates: true,
  describe:
    'Mount a NAS volume’s NFS export at a directory of this host (--server first, then each data address); refuses to cover another mount or files',
  examples: [
    [
      '$0 nfs activate --export /Pools/Pool-0/pve-files --path /mnt/pve/jdss-nfs --server 192.168.31.152',
      'mount the export; already mounted: no change',
    ],
    [
      '$0 nfs activate --export /Pools/Pool-0/pve-files --path /mnt/pve/jdss-nfs --create --quota 100G',
      'create the NAS volume and its share first when missing',
    ],
  ],
  builder: (y) =>
    y
      .option('export', { type: 'string', demandOption: true, describe: 'the export, /Pools/<pool>/<nas-volume>' })
      .option('path', { type: 'string', demandOption: true, describe: 'the directory to mount it at' })
      .option('server', { type: 'string', describe: 'NFS server address tried first (then the data addresses)' })
      .option('options', { type: 'string', describe: 'NFS mount options (comma-separated, as mount -o)' })
      .option('create', { type: 'boolean', describe: 'create the NAS volume and its share when missing (needs --quota)' })
      .option('quota', { type: 'string', describe: 'quota of a NAS volume --create makes' })
      .option('allow', {
        type: 'string',
        array: true,
        describe: 'addresses (ADDR[/PREFIX]) a share --create makes lets in (default: all)',
      }),
  run: async (a, f) => {
    if (a.create && a.quota === undefined) throw new UsageError('--create needs --quota SIZE (the NAS volume’s quota)');
    if (!a.create && a.quota !== undefined) throw new UsageError('--quota goes with --create');
    if (!a.create && a.allow !== undefined) throw new UsageError('--allow goes with --create');
    const quotaBytes = a.create ? sizeOption('--quota', a.quota) : 0;
    const s = f.settings();
    const req = {
      export: a.export,
      path: a.path,
      server: a.server,
      dataAddresses: s.dataAddresses,
      options: a.options,
      create: a.create ? { quotaBytes, allow: (a.allow ?? []).map(String) } : undefined,
    };
    checkActivate(req, s.pool); // every input checked before the host or the array is touched
    return activateNfs(async () => nasArray(await f.storage()), await hostEnv(f), req, s.pool);
  },
  human: (r, p) => {
    p.line(r.mounted ? `mounted ${r.source} on ${r.path}` : `${r.path} already holds ${r.source}`);
    if (r.created.nasVolume) p.line('  created the NAS volume');
    if (r.created.share) p.line('  created its share');
    for (const x of r.attempts.filter((t) => !t.ok)) p.line(`  ${x.address}: ${x.reason}`);
  },
});
