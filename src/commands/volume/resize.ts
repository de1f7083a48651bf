// `jdssc volume resize`: grow a volume to a new size (shrinking is refused) and wait until the array reports it
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { humanBytes } from '../../cmdutil/output';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { UsageError } from '../../errors';
import { rescanVolume } from '../../flows/login';
import { findByVolume } from '../../host';
import { resizeVolume, type ResizeResult } from '../../storage';
import { sizeOption } from '../../cmdutil/parse';

export type ResizeAnswer = ResizeResult & {
  /** Only with --rescan: the device of the volume on this host and the size it shows now; null when not active here. */
  rescanned?: { device: string; size: number } | null;
};

export default defineCommand<{ name: string; size?: string; 'grow-by'?: string; rescan?: boolean }, ResizeAnswer>({
  command: 'resize <name>',
  mutates: true,
  describe: 'Grow a volume to a new size (shrinking is refused) and wait until the array reports it',
  examples: [
    ['$0 volume resize vm-100-disk-0 --size 64G', 'grow to 64 GiB'],
    ['$0 volume resize vm-100-disk-0 --grow-by 10G', 'grow by 10 GiB'],
    ['$0 volume resize vm-100-disk-0 --size 64G --rescan', 'online resize: also what `login rescan` does, if it is active on this host'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Proxmox volume name' })
      .option('size', { type: 'string', describe: 'new total size' })
      .option('grow-by', { type: 'string', describe: 'add this much' })
      .option('rescan', {
        type: 'boolean',
        describe:
          'then, if the volume is active on this host, rescan its paths until they and the map show the new size (as `login rescan`)',
      }),
  run: async (a, f) => {
    if ((a.size === undefined) === (a['grow-by'] === undefined)) throw new UsageError('give exactly one of --size and --grow-by');
    const target = a.size !== undefined ? sizeOption('--size', a.size) : { add: sizeOption('--grow-by', a['grow-by']) };
    const ctx = await f.storage();
    const r = await resizeVolume(ctx, a.name, target);
    if (!a.rescan) return r;
    // this host's LUN records say whether there is anything to rescan: no record, no host work
    const host = await hostEnv(f);
    const storageId = storageIdOf(f.settings());
    if (findByVolume(host, storageId, a.name, null).length === 0) return { ...r, rescanned: null };
    const x = await rescanVolume(ctx, host, { storageId }, { volume: a.name });
    return { ...r, rescanned: { device: x.device, size: x.size } };
  },
  human: (r, p) => {
    p.line(
      r.size === r.previousSize
        ? `${r.name} is already ${sizeText(r.size)}`
        : `${r.name}: ${humanBytes(r.previousSize)} → ${humanBytes(r.size)} (${r.size} bytes)`,
    );
    if (r.rescanned) p.line(`${r.rescanned.device}: ${sizeText(r.rescanned.size)}`);
  },
});
