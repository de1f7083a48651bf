// Which VMs and containers exist in the Proxmox cluster: the guest config files pmxcfs shows
// for every node under /etc/pve/nodes/<node>/{qemu-server,lxc}/<vmid>.conf.
import * as nodeFs from 'node:fs';
import { join } from 'node:path';

export type InventoryFs = Pick<typeof nodeFs, 'readdirSync' | 'existsSync'>;

/** VM ids of the cluster, or undefined when `pveDir` is not a mounted Proxmox cluster FS. */
export function clusterVmids(pveDir: string, fs: InventoryFs = nodeFs): Set<number> | undefined {
  const nodes = join(pveDir, 'nodes');
  if (!fs.existsSync(nodes)) return undefined;
  const ids = new Set<number>();
  for (const node of fs.readdirSync(nodes)) {
    for (const kind of ['qemu-server', 'lxc']) {
      const dir = join(nodes, node, kind);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir)) {
        const m = /^(\d+)\.conf$/.exec(f);
        if (m) ids.add(Number(m[1]));
      }
    }
  }
  return ids;
}

export function parseVmids(list: string): Set<number> {
  return new Set(
    list
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((x) => {
        if (!/^\d+$/.test(x)) throw new Error(`not a VM id: ${x}`);
        return Number(x);
      }),
  );
}
