// `jdssc pool vips`: list the virtual IPs assigned to the pool and which of them are data_addresses
import { defineCommand } from '../../cmdutil/command';
import { poolVips, type VipView } from '../../storage';

export default defineCommand<Record<string, never>, { vips: VipView[] }>({
  command: 'vips',
  describe: 'List the virtual IPs assigned to the pool and which of them are data_addresses',
  examples: [['$0 -c /etc/pve/jdss-Pool-0.yaml pool vips', 'which VIPs iSCSI targets can be published on']],
  run: async (_args, f) => ({ vips: await poolVips(await f.rest(), f.settings().dataAddresses) }),
  human: (r, p) =>
    r.vips.length === 0
      ? p.line('no VIPs are assigned to this pool')
      : p.table(
          ['NAME', 'ADDRESS', 'NETMASK', 'INTERFACE', 'DATA ADDRESS'],
          r.vips.map((v) => [v.name, v.address, v.netmask, v.iface, v.dataAddress ? 'yes' : 'no']),
        ),
});
