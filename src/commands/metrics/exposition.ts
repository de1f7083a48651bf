// The collected figures as Prometheus metrics (prom-client), for node_exporter's textfile
// collector. prom-client is loaded here only, inside `jdssc metrics` (tens of ms to load), so no
// other command pays for it. Every metric carries storage and pool labels.
import type { Collected } from './collect';

type Labels = Record<string, string>;
interface Def {
  name: string;
  help: string;
  labels?: string[];
  samples: Array<[Labels, number]>;
}

export function metricDefs(c: Collected): Def[] {
  const one = (v: number | null | undefined): Array<[Labels, number]> => (v === null || v === undefined ? [] : [[{}, v]]);
  const defs: Def[] = [
    { name: 'jdssc_up', help: 'Whether the array answered this run (1) or not (0)', samples: one(c.up ? 1 : 0) },
    { name: 'jdssc_pool_size_bytes', help: 'Pool size in bytes', samples: one(c.capacity?.total) },
    { name: 'jdssc_pool_free_bytes', help: 'Pool free space in bytes', samples: one(c.capacity?.free) },
    { name: 'jdssc_pool_used_bytes', help: 'Pool used space in bytes', samples: one(c.capacity?.used) },
    { name: 'jdssc_volumes', help: "Volumes (VM disks) of this storage's cluster on the pool", samples: one(c.volumes) },
    { name: 'jdssc_snapshots', help: 'User snapshots of those volumes', samples: one(c.snapshots) },
    { name: 'jdssc_targets', help: "iSCSI targets of this storage's target prefix", samples: one(c.targets) },
    { name: 'jdssc_luns', help: 'LUNs on those targets', samples: one(c.luns) },
    {
      name: 'jdssc_target_sessions',
      help: 'iSCSI sessions per target as the array sees them (every node)',
      labels: ['target'],
      samples: c.sessionsPerTarget.map((t) => [{ target: t.target }, t.sessions]),
    },
    { name: 'jdssc_rest_latency_seconds', help: 'Duration of the pool request of this run', samples: one(c.restLatencySeconds) },
    { name: 'jdssc_host_luns', help: 'LUNs this host has activated for this storage (its LUN records)', samples: one(c.hostLuns) },
    {
      name: 'jdssc_multipath_paths',
      help: 'Multipath paths per WWID on this host, by state',
      labels: ['wwid', 'volume', 'state'],
      samples: c.multipath.flatMap((m): Array<[Labels, number]> => [
        [{ wwid: m.wwid, volume: m.volume, state: 'active' }, m.active],
        [{ wwid: m.wwid, volume: m.volume, state: 'failed' }, m.failed],
      ]),
    },
    {
      name: 'jdssc_cleanup_orphans',
      help: 'Orphans the last cleanup run saw and left, by kind',
      labels: ['kind'],
      samples: Object.entries(c.cleanup?.orphans ?? {}).map(([kind, n]) => [{ kind }, n]),
    },
    {
      name: 'jdssc_cleanup_last_run_timestamp_seconds',
      help: 'When cleanup last saved its sightings',
      samples: one(c.cleanup?.lastRunSeconds),
    },
    { name: 'jdssc_scrape_duration_seconds', help: 'Duration of this jdssc metrics run', samples: one(c.durationSeconds) },
  ];
  return defs;
}

export interface Exposition {
  text: string;
  json: unknown;
}

export async function expose(c: Collected): Promise<Exposition> {
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  registry.setDefaultLabels({ storage: c.storage, pool: c.pool });
  for (const d of metricDefs(c)) {
    // A metric with no sample this run (e.g. no host part) is left out rather than shown empty.
    if (d.samples.length === 0) continue;
    const g = new Gauge({ name: d.name, help: d.help, labelNames: ['storage', 'pool', ...(d.labels ?? [])], registers: [registry] });
    for (const [labels, value] of d.samples) g.set(labels, value);
  }
  return { text: await registry.metrics(), json: await registry.getMetricsAsJSON() };
}
