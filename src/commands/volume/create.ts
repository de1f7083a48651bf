// `jdssc volume create`: create a volume (size in bytes or with K/M/G/T units; rounded up to the block size)
import { defineCommand } from '../../cmdutil/command';
import { UsageError } from '../../errors';
import { createVolume, type CreateResult, withFreeName } from '../../storage';
import { blockSizeOption, provisioningOption, sizeOption, vmidOption } from '../../cmdutil/parse';
import { renderVolume } from '../../cmdutil/render';

interface Args {
  name?: string;
  vmid?: string;
  base?: boolean;
  size: string;
  'block-size'?: string;
  thin?: boolean;
  thick?: boolean;
}

export default defineCommand<Args, CreateResult>({
  command: 'create [name]',
  mutates: true,
  describe: 'Create a volume (size in bytes or with K/M/G/T units; rounded up to the block size)',
  examples: [
    ['$0 volume create vm-100-disk-0 --size 32G', 'thin 32 GiB disk with the configured block size'],
    ['$0 volume create vm-100-disk-1 --size 10737418240 --thick --block-size 64K', 'exact bytes, thick, 64K blocks'],
    ['$0 volume create --vmid 100 --size 32G --json', 'under the first free vm-100-disk-N name (the answer names it)'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'Proxmox volume name, e.g. vm-100-disk-0 (or --vmid)' })
      .option('vmid', {
        type: 'string',
        describe: 'instead of a name: the first free disk name of this VM, as `volume free-name` gives it',
      })
      .option('base', { type: 'boolean', describe: 'with --vmid: a template (base-…) name' })
      .option('size', { type: 'string', demandOption: true, describe: 'size: bytes or 512M, 10G, 1T …' })
      .option('block-size', {
        type: 'string',
        describe: '4K, 8K, 16K, 32K, 64K, 128K, 256K, 512K or 1M (default: block_size from the config)',
      })
      .option('thin', { type: 'boolean', describe: 'allocate on demand (default: thin_provisioning from the config)' })
      .option('thick', { type: 'boolean', describe: 'reserve the full size now' }),
  run: async (a, f) => {
    const vmid = nameOrVmid(a);
    const req = {
      size: sizeOption('--size', a.size),
      blockSize: blockSizeOption(a['block-size']),
      thin: provisioningOption(a),
    };
    const ctx = await f.storage();
    if (vmid === undefined) return createVolume(ctx, { ...req, name: a.name as string });
    // another node may create the same name meanwhile: the array refuses ours, the next free name is tried
    return withFreeName(ctx, vmid, a.base === true, (name) => createVolume(ctx, { ...req, name }));
  },
  human: (r, p) => {
    renderVolume(r, p);
    if (r.size !== r.requestedSize) p.line(`(requested ${r.requestedSize} bytes, rounded up to a multiple of the block size)`);
  },
});

/** Exactly one of <name> and --vmid; --base only with --vmid. The VM id when --vmid is given. */
export function nameOrVmid(a: { name?: string; vmid?: string; base?: boolean }): number | undefined {
  if ((a.name === undefined) === (a.vmid === undefined))
    throw new UsageError('give either a volume name or --vmid (the first free disk name of that VM)');
  if (a.base && a.vmid === undefined) throw new UsageError('--base goes with --vmid');
  return a.vmid === undefined ? undefined : vmidOption(a.vmid);
}
