// Pre-flight / health checks of the array side: each problem says what is wrong and how to fix
// it, and is classified so Proxmox's `status` (and an admin) can tell connectivity problems from
// configuration mistakes.
import { JdsscError } from '../errors';
import { type RestClient, getPool, listVips, type PoolInfo, listTargets } from '../jovian';
import type { Check, CheckCategory } from '../util/check';
import type { TcpProbe } from '../util/tcp';

export type { Check, CheckCategory, CheckStatus } from '../util/check';

export interface ArrayCheckInput {
  pool: string;
  controlAddresses: string[];
  controlPort: number;
  dataAddresses: string[];
  dataPort: number;
  targetPrefix: string;
  /** A client bound to exactly one address, one attempt, for per-address probes. */
  probeClient(address: string): Promise<RestClient>;
  tcp: TcpProbe;
}

const FREE_WARN = 0.1;
const FREE_FAIL = 0.03;

export async function arrayChecks(i: ArrayCheckInput): Promise<Check[]> {
  const checks: Check[] = [];
  let client: RestClient | undefined;
  let pool: PoolInfo | undefined;
  for (const address of i.controlAddresses) {
    const c = await i.probeClient(address);
    try {
      pool = await getPool(c);
      client ??= c;
      checks.push({
        id: `rest:${address}`,
        status: 'ok',
        category: 'connectivity',
        message: `REST API at ${address}:${i.controlPort} answers; pool ${i.pool} found`,
      });
    } catch (e) {
      checks.push(restProblem(address, i, e));
    }
  }
  if (!client || !pool) return checks;

  const used = pool.sizeBytes - pool.availableBytes;
  const free = pool.sizeBytes > 0 ? pool.availableBytes / pool.sizeBytes : 0;
  const pct = `${(free * 100).toFixed(1)}% free (${pool.availableBytes} of ${pool.sizeBytes} bytes; ${used} used)`;
  checks.push(
    free < FREE_FAIL
      ? {
          id: 'capacity',
          status: 'fail',
          category: 'capacity',
          message: `pool ${i.pool} is nearly full: ${pct}`,
          fix: 'delete unused volumes and snapshots (jdssc cleanup), or grow the pool',
        }
      : free < FREE_WARN
        ? {
            id: 'capacity',
            status: 'warn',
            category: 'capacity',
            message: `pool ${i.pool} is running out of space: ${pct}`,
            fix: 'plan to free space or grow the pool',
          }
        : { id: 'capacity', status: 'ok', category: 'capacity', message: `pool ${i.pool}: ${pct}` },
  );

  const vips = await listVips(client);
  const vipNames = new Map(vips.map((v) => [v.address, v.name]));
  if (i.dataAddresses.length === 0) {
    checks.push({
      id: 'vips',
      status: 'fail',
      category: 'configuration',
      message: 'data_addresses is empty',
      fix: `set data_addresses to VIPs of the pool: ${vips.map((v) => v.address).join(', ') || '(the pool has none)'}`,
    });
  }
  for (const address of i.dataAddresses) {
    checks.push(
      vipNames.has(address)
        ? {
            id: `vip:${address}`,
            status: 'ok',
            category: 'configuration',
            message: `data address ${address} is VIP ${vipNames.get(address)} of pool ${i.pool}`,
          }
        : {
            id: `vip:${address}`,
            status: 'fail',
            category: 'configuration',
            message: `data address ${address} is not a VIP of pool ${i.pool} (its VIPs: ${vips.map((v) => `${v.name}=${v.address}`).join(', ') || 'none'})`,
            fix: 'assign the VIP to the pool on the appliance, or correct data_addresses',
          },
    );
  }

  for (const address of i.dataAddresses) {
    const outcome = await i.tcp(address, i.dataPort, 2000);
    checks.push(
      outcome === 'open'
        ? {
            id: `portal:${address}`,
            status: 'ok',
            category: 'connectivity',
            message: `iSCSI portal ${address}:${i.dataPort} accepts connections`,
          }
        : {
            id: `portal:${address}`,
            status: 'fail',
            category: 'connectivity',
            message: `iSCSI portal ${address}:${i.dataPort}: ${outcome}`,
            fix: 'check that the iSCSI service is enabled on the appliance and that this host can route to the VIP',
          },
    );
  }

  const wanted = new Set(i.dataAddresses.map((a) => vipNames.get(a)).filter((n): n is string => n !== undefined));
  const mine = (await listTargets(client)).filter((t) => t.name.startsWith(`${i.targetPrefix}:`));
  const off = mine.filter((t) => ![...wanted].every((v) => t.vips.includes(v)));
  checks.push(
    off.length === 0
      ? {
          id: 'targets',
          status: 'ok',
          category: 'configuration',
          message: `${mine.length} target(s) of this storage, all on the data VIPs`,
        }
      : {
          id: 'targets',
          status: 'warn',
          category: 'configuration',
          message: `${off.length} target(s) are not reachable on every data address: ${off.map((t) => `${t.name} (${t.vips.join(',') || 'no VIPs'})`).join('; ')}`,
          fix: 'publishing a volume of the VM again repairs its target (jdssc target publish <volume>)',
        },
  );
  return checks;
}

function restProblem(address: string, i: ArrayCheckInput, e: unknown): Check {
  const id = `rest:${address}`;
  const err = e instanceof JdsscError ? e : undefined;
  const message = `REST API at ${address}:${i.controlPort}: ${err?.message ?? String(e)}`;
  switch (err?.code) {
    case 'auth':
      return /TLS/.test(err.message)
        ? { id, status: 'fail', category: 'configuration', message, fix: 'set ssl_ca_file to the appliance CA (or ssl_cert_verify: false)' }
        : { id, status: 'fail', category: 'configuration', message, fix: 'check user_name and the password file' };
    case 'not_found':
      return {
        id,
        status: 'fail',
        category: 'configuration',
        message,
        fix: `check pool_name: pool ${i.pool} does not exist on this appliance`,
      };
    case 'unreachable':
    case 'timeout':
      return {
        id,
        status: 'fail',
        category: 'connectivity',
        message,
        fix: 'check that REST is enabled on the appliance (System Settings → Administration), control_port, and the network path',
      };
    default:
      return { id, status: 'fail', category: 'other', message };
  }
}

export interface CheckReport {
  status: 'ok' | 'degraded' | 'down';
  /** Category of the most serious failure, for Proxmox's status and for alerts. */
  classification: CheckCategory | null;
  checks: Check[];
}

export function summarise(checks: Check[]): CheckReport {
  const failed = checks.filter((c) => c.status === 'fail');
  const restOk = checks.some((c) => c.id.startsWith('rest:') && c.status === 'ok');
  const order: CheckCategory[] = ['connectivity', 'configuration', 'host', 'capacity', 'other'];
  const classification = failed.length ? (order.find((cat) => failed.some((c) => c.category === cat)) ?? 'other') : null;
  const status = !restOk ? 'down' : failed.length || checks.some((c) => c.status === 'warn') ? 'degraded' : 'ok';
  return { status, classification, checks };
}
