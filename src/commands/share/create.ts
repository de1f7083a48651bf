// `jdssc share create`: share a NAS volume over NFS, with access rules (--allow), --read-only and --root-squash
import { defineCommand } from '../../cmdutil/command';
import { checkAccessRules, checkNasVolumeName, checkShareName, createShare, type ShareView } from '../../storage';
import { renderShare } from './get';

interface Args {
  name: string;
  'nas-volume': string;
  allow?: string[];
  'read-only'?: boolean;
  'root-squash'?: boolean;
}

export default defineCommand<Args, ShareView>({
  command: 'create <name>',
  mutates: true,
  describe: 'Share a NAS volume over NFS; root stays root (no_root_squash, as Proxmox needs) unless --root-squash',
  examples: [
    ['$0 share create datastore-pve-01 --nas-volume datastore-pve-01 --allow 192.168.31.0/24', 'read-write for one network'],
    ['$0 share create iso --nas-volume iso --allow 10.0.0.5 --allow fd00::/64 --read-only', 'read-only for one host and one IPv6 network'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string', describe: 'share name (unique on the appliance)' })
      .option('nas-volume', { type: 'string', demandOption: true, describe: 'NAS volume to share' })
      .option('allow', {
        type: 'string',
        array: true,
        describe: 'address or network (ADDR[/PREFIX], IPv4 or IPv6) that may mount; repeatable (default: any)',
      })
      .option('read-only', { type: 'boolean', describe: 'clients may not write' })
      .option('root-squash', { type: 'boolean', describe: 'map root on clients to nobody' }),
  run: async (a, f) => {
    const req = {
      name: checkShareName(a.name),
      nasVolume: checkNasVolumeName(a['nas-volume'], '--nas-volume'),
      allow: checkAccessRules(a.allow),
      readOnly: a['read-only'] === true,
      rootSquash: a['root-squash'] === true,
    };
    return createShare(await f.storage(), req);
  },
  human: renderShare,
});
