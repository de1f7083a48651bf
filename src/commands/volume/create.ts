// `jdssc volume create`: create a volume (size in bytes or with K/M/G/T units; rounded up to the block size)
import { defineCommand } from '../../cmdutil/command';
import { createVolume, type CreateResult } from '../../storage';
import { blockSizeOption, provisioningOption, sizeOption } from '../../cmdutil/parse';
import { renderVolume } from '../../cmdutil/render';

interface Args {
  name: string;
  size: string;
  'block-size'?: string;
  thin?: boolean;
  thick?: boolean;
}

export default defineCommand<Args, CreateResult>({
  command: 'create <name>',
  mutates: true,
  describe: 'Create a volume (size in bytes or with K/M/G/T units; rounded up to the block size)',
  examples: [
    ['$0 volume create vm-100-disk-0 --size 32G', 'thin 32 GiB disk with the configured block size'],
    ['$0 volume create vm-100-disk-1 --size 10737418240 --thick --block-size 64K', 'exact bytes, thick, 64K blocks'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Proxmox volume name, e.g. vm-100-disk-0' })
      .option('size', { type: 'string', demandOption: true, describe: 'size: bytes or 512M, 10G, 1T …' })
      .option('block-size', {
        type: 'string',
        describe: '4K, 8K, 16K, 32K, 64K, 128K, 256K, 512K or 1M (default: block_size from the config)',
      })
      .option('thin', { type: 'boolean', describe: 'allocate on demand (default: thin_provisioning from the config)' })
      .option('thick', { type: 'boolean', describe: 'reserve the full size now' }),
  run: async (a, f) => {
    const req = {
      name: a.name,
      size: sizeOption('--size', a.size),
      blockSize: blockSizeOption(a['block-size']),
      thin: provisioningOption(a),
    };
    return createVolume(await f.storage(), req);
  },
  human: (r, p) => {
    renderVolume(r, p);
    if (r.size !== r.requestedSize) p.line(`(requested ${r.requestedSize} bytes, rounded up to a multiple of the block size)`);
  },
});
