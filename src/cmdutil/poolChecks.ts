// The pre-flight report of `pool check`, also gathered into the support bundle: the array's
// checks (REST per address, auth, pool, VIPs, space, portals) and, unless skipped, this host's.
import { hostChecks, type HostEnv } from '../host';
import { arrayChecks, summarise, type CheckReport } from '../storage';
import { tcpProbe } from '../util/tcp';
import type { Factory } from './factory';

/** `host` undefined: the array only (e.g. run from a machine that is not a Proxmox node). */
export async function poolCheckReport(f: Factory, host: HostEnv | undefined): Promise<CheckReport> {
  const s = f.settings();
  const checks = await arrayChecks({
    pool: s.pool,
    controlAddresses: s.controlAddresses,
    controlPort: s.controlPort,
    dataAddresses: s.dataAddresses,
    dataPort: s.dataPort,
    targetPrefix: s.targetPrefix,
    probeClient: (a) => f.probeClient(a),
    tcp: tcpProbe,
  });
  if (host) checks.push(...hostChecks(host, { hostRoot: s.hostRoot, multipath: s.multipath }));
  return summarise(checks);
}
