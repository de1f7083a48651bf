// `jdssc volume resize`: grow a volume to a new size (shrinking is refused) and wait until the array reports it
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { humanBytes } from '../../cmdutil/output';
import { UsageError } from '../../errors';
import { resizeVolume, type ResizeResult } from '../../storage';
import { sizeOption } from '../../cmdutil/parse';

export default defineCommand<{ name: string; size?: string; 'grow-by'?: string }, ResizeResult>({
  command: 'resize <name>',
  mutates: true,
  describe: 'Grow a volume to a new size (shrinking is refused) and wait until the array reports it',
  examples: [
    ['$0 volume resize vm-100-disk-0 --size 64G', 'grow to 64 GiB'],
    ['$0 volume resize vm-100-disk-0 --grow-by 10G', 'grow by 10 GiB'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Proxmox volume name' })
      .option('size', { type: 'string', describe: 'new total size' })
      .option('grow-by', { type: 'string', describe: 'add this much' }),
  run: async (a, f) => {
    if ((a.size === undefined) === (a['grow-by'] === undefined)) throw new UsageError('give exactly one of --size and --grow-by');
    const target = a.size !== undefined ? sizeOption('--size', a.size) : { add: sizeOption('--grow-by', a['grow-by']) };
    return resizeVolume(await f.storage(), a.name, target);
  },
  human: (r, p) =>
    p.line(
      r.size === r.previousSize
        ? `${r.name} is already ${sizeText(r.size)}`
        : `${r.name}: ${humanBytes(r.previousSize)} → ${humanBytes(r.size)} (${r.size} bytes)`,
    ),
});
