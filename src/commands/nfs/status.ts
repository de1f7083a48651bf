// `jdssc nfs status`: what is mounted at a directory, whether it is a JovianDSS export, and the NAS volume's quota and use
import { defineCommand } from '../../cmdutil/command';
import { hostEnv } from '../../cmdutil/hostEnv';
import { humanBytes } from '../../cmdutil/output';
import { nasArray, nfsStatus, type NfsStatus } from '../../flows/nfs';

export default defineCommand<{ path: string; export?: string }, NfsStatus>({
  command: 'status',
  describe: 'What is mounted at a directory, whether it is a JovianDSS export, and its NAS volume’s quota and use',
  examples: [['$0 nfs status --path /mnt/pve/jdss-nfs --json', '{path, mounted, source, ours, nasVolume: {quota, used, available}}']],
  builder: (y) =>
    y
      .option('path', { type: 'string', demandOption: true, describe: 'the mount directory' })
      .option('export', { type: 'string', describe: 'the export expected there; its NAS volume is reported even when not mounted' }),
  run: async (a, f) => nfsStatus(async () => nasArray(await f.storage()), await hostEnv(f), a.path, a.export),
  human: (r, p) =>
    p.fields([
      ['mounted', r.mounted ? 'yes' : 'no'],
      ['source', r.source],
      ['ours', r.ours ? 'yes' : 'no'],
      ['quota', r.nasVolume ? humanBytes(r.nasVolume.quota) : null],
      ['used', r.nasVolume ? humanBytes(r.nasVolume.used) : null],
      ['available', r.nasVolume ? humanBytes(r.nasVolume.available) : null],
    ]),
});
