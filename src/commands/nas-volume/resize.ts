// `jdssc nas-volume resize`: set a NAS volume's quota (--quota) or grow it (--grow-by); below what it uses is refused
import { defineCommand } from '../../cmdutil/command';
import { humanBytes } from '../../cmdutil/output';
import { sizeOption } from '../../cmdutil/parse';
import { sizeText } from '../../cmdutil/render';
import { UsageError } from '../../errors';
import { checkNasVolumeName, resizeNasVolume, type NasResizeResult } from '../../storage';

export default defineCommand<{ name: string; quota?: string; 'grow-by'?: string }, NasResizeResult>({
  command: 'resize <name>',
  mutates: true,
  describe: "Set a NAS volume's quota or grow it; a quota below what it already uses is refused (exit 2, nothing changed)",
  examples: [
    ['$0 nas-volume resize datastore-pve-01 --quota 1T', 'new quota of 1 TiB'],
    ['$0 nas-volume resize datastore-pve-01 --grow-by 100G', '100 GiB more'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'NAS volume name' })
      .option('quota', { type: 'string', describe: 'new quota' })
      .option('grow-by', { type: 'string', describe: 'add this much to the quota' }),
  run: async (a, f) => {
    if ((a.quota === undefined) === (a['grow-by'] === undefined)) throw new UsageError('give exactly one of --quota and --grow-by');
    checkNasVolumeName(a.name);
    const target = a.quota !== undefined ? sizeOption('--quota', a.quota) : { add: sizeOption('--grow-by', a['grow-by']) };
    return resizeNasVolume(await f.storage(), a.name, target);
  },
  human: (r, p) =>
    p.line(
      r.quota === r.previousQuota
        ? `${r.name}: quota is already ${sizeText(r.quota)}`
        : `${r.name}: quota ${humanBytes(r.previousQuota)} → ${humanBytes(r.quota)} (${r.quota} bytes; ${humanBytes(r.used)} used)`,
    ),
});
