// What `jdssc metrics` measures, gathered once per run: the array (pool, volumes, snapshots,
// targets, LUNs, sessions per target, REST latency), this host (multipath paths per WWID of our
// LUN records) and the last cleanup (its sightings file). A part that cannot be read is left out,
// and an unreachable array is reported as up=0, so the file still says what is known.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Factory } from '../../cmdutil/factory';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { isJdsscError } from '../../errors';
import { inspectMap, listRecords } from '../../host';
import { listSnapshots, listTargetViews, listVolumes, poolStats, targetSessions, type PoolStats } from '../../storage';

export interface MultipathSample {
  wwid: string;
  volume: string;
  active: number;
  failed: number;
}

export interface Collected {
  storage: string;
  pool: string;
  up: boolean;
  /** Exit code of the array error when the array could not be read (up = false). */
  arrayExit: number | null;
  arrayError: string | null;
  capacity: PoolStats | null;
  restLatencySeconds: number | null;
  volumes: number | null;
  snapshots: number | null;
  targets: number | null;
  luns: number | null;
  sessionsPerTarget: Array<{ target: string; sessions: number }>;
  /** null: not on a Proxmox host (no LUN records) or --skip-host. */
  hostLuns: number | null;
  multipath: MultipathSample[];
  cleanup: { orphans: Record<string, number>; lastRunSeconds: number } | null;
  durationSeconds: number;
}

export interface CollectOptions {
  snapshots: boolean;
  host: boolean;
}

/** The sightings file cleanup keeps in the state dir (src/flows/cleanup/seen.ts writes it). */
export const SIGHTINGS_FILE = 'cleanup-sightings.json';
/** Snapshot listings in flight at once: one request per volume, kept gentle on the array. */
const SNAPSHOT_CONCURRENCY = 4;

export async function collect(f: Factory, o: CollectOptions): Promise<Collected> {
  const s = f.settings();
  const started = f.clock.now();
  const out: Collected = {
    storage: storageIdOf(s),
    pool: s.pool,
    up: false,
    arrayExit: null,
    arrayError: null,
    capacity: null,
    restLatencySeconds: null,
    volumes: null,
    snapshots: null,
    targets: null,
    luns: null,
    sessionsPerTarget: [],
    hostLuns: null,
    multipath: [],
    cleanup: readCleanup(f.stateDir()),
    durationSeconds: 0,
  };
  // The host first: it is local and quick, while an unreachable array may take the rest of the
  // invocation's deadline in retries — which must not cost the host metrics.
  if (o.host) await collectHost(f, out);
  try {
    await collectArray(f, o, out);
    out.up = true;
  } catch (e) {
    if (!isJdsscError(e)) throw e;
    out.arrayExit = e.exitCode;
    out.arrayError = e.message;
  }
  out.durationSeconds = (f.clock.now() - started) / 1000;
  return out;
}

async function collectArray(f: Factory, o: CollectOptions, out: Collected): Promise<void> {
  const rest = await f.rest();
  const t0 = f.clock.now();
  out.capacity = await poolStats(rest);
  out.restLatencySeconds = (f.clock.now() - t0) / 1000;
  const ctx = await f.storage();
  const volumes = await listVolumes(ctx);
  out.volumes = volumes.length;
  if (o.snapshots) {
    let total = 0;
    const queue = volumes.map((v) => v.name);
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        // Read before adding: `total += await …` would add to a stale total read before the await.
        const n = (await listSnapshots(ctx, name)).snapshots.length;
        total += n;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SNAPSHOT_CONCURRENCY, queue.length) }, worker));
    out.snapshots = total;
  }
  const targets = await listTargetViews(ctx, { prefix: f.settings().targetPrefix });
  out.targets = targets.length;
  out.luns = targets.reduce((n, t) => n + t.luns.length, 0);
  for (const t of targets) {
    const view = await targetSessions(ctx, t.name);
    out.sessionsPerTarget.push({ target: t.name, sessions: view.sessions.reduce((n, x) => n + x.addresses.length, 0) });
  }
}

/** Not on a Proxmox host (no records folder) or no tools: the host part is simply absent. */
async function collectHost(f: Factory, out: Collected): Promise<void> {
  const host = await hostEnv(f);
  if (!existsSync(host.roots.records)) return;
  let records;
  try {
    records = listRecords(host, out.storage);
  } catch {
    return;
  }
  out.hostLuns = records.length;
  for (const r of records) {
    if (!r.multipath) continue;
    try {
      const m = await inspectMap(host, r.wwid);
      out.multipath.push({
        wwid: r.wwid,
        volume: r.snapshot ? `${r.volume}@${r.snapshot}` : r.volume,
        active: m.activePaths,
        failed: m.totalPaths - m.activePaths,
      });
    } catch (e) {
      f.logger().warn(`metrics: multipath map of ${r.wwid} not inspected: ${(e as Error).message}`);
    }
  }
}

/** Orphans by kind as the last cleanup run left them (the key's prefix: volume, target, lun, …). */
function readCleanup(stateDir: string): Collected['cleanup'] {
  const file = join(stateDir, SIGHTINGS_FILE);
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const orphans: Record<string, number> = {};
    for (const key of Object.keys(data)) {
      const kind = key.split(':')[0];
      orphans[kind] = (orphans[kind] ?? 0) + 1;
    }
    return { orphans, lastRunSeconds: Math.floor(statSync(file).mtimeMs / 1000) };
  } catch {
    return null;
  }
}
