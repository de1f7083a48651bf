// `jdssc metrics` against the simulator and the fake host: the output parses as Prometheus text
// format and holds the pool, counts, sessions, multipath paths and the last cleanup's orphans;
// --output is atomic; an unreachable array still writes what is known (up 0) and says so in the exit code.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import parse from 'parse-prometheus-text-format';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { parseCommand } from '../../src/cli/main';
import type { Collected } from '../../src/commands/metrics/collect';
import { metricDefs } from '../../src/commands/metrics/exposition';

const EXAMPLES = fileURLToPath(new URL('../../config-examples/metrics/', import.meta.url));

let env: CliEnv;
let wwid: string;
beforeAll(async () => {
  env = await cliEnv({ fakeHost: true, configExtra: 'multipath: true' });
  for (const v of ['vm-100-disk-0', 'vm-101-disk-0']) expect((await env.run(['volume', 'create', v, '--size', '1G'])).code).toBe(0);
  expect((await env.run(['snapshot', 'create', 'vm-100-disk-0', 's1'])).code).toBe(0);
  wwid = (await env.okJson(['login', 'activate', 'vm-100-disk-0'])).wwid;
  // what a cleanup run leaves in the state dir (flows/cleanup/seen.ts)
  const state = join(env.dir, 'state');
  mkdirSync(state, { recursive: true });
  const seen = { firstSeen: 1, count: 1 };
  writeFileSync(
    join(state, 'cleanup-sightings.json'),
    JSON.stringify({ 'volume:v_vm-999-disk-0': seen, 'target:t1': seen, 'lun:t1:0:x': seen }),
  );
});
afterAll(async () => env.close());

/** name → samples (labels + numeric value) of a parsed exposition. */
function families(text: string): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  return new Map(parse(text).map((f) => [f.name, f.metrics.map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }))]));
}
const value = (m: ReturnType<typeof families>, name: string, labels: Record<string, string> = {}) =>
  m.get(name)?.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('the text parses and holds the array, this host and the last cleanup', async () => {
  const r = await env.run(['metrics']);
  expect(r.code).toBe(0);
  const m = families(r.stdout);
  const pool = await env.okJson(['pool', 'stats']);
  expect(value(m, 'jdssc_up')).toBe(1);
  expect(m.get('jdssc_up')?.[0].labels).toEqual({ storage: 'jdss-test', pool: 'Pool-0' });
  expect(value(m, 'jdssc_pool_size_bytes')).toBe(pool.total);
  expect(value(m, 'jdssc_pool_free_bytes')).toBe(pool.free);
  expect(value(m, 'jdssc_pool_used_bytes')).toBe(pool.used);
  expect(value(m, 'jdssc_volumes')).toBe(2);
  expect(value(m, 'jdssc_snapshots')).toBe(1);
  expect(value(m, 'jdssc_targets')).toBe(1);
  expect(value(m, 'jdssc_luns')).toBe(1);
  expect(m.get('jdssc_target_sessions')).toHaveLength(1);
  expect(value(m, 'jdssc_host_luns')).toBe(1);
  expect(value(m, 'jdssc_multipath_paths', { wwid, state: 'active' })).toBe(2);
  expect(value(m, 'jdssc_multipath_paths', { wwid, state: 'failed' })).toBe(0);
  expect(value(m, 'jdssc_cleanup_orphans', { kind: 'volume' })).toBe(1);
  expect(value(m, 'jdssc_cleanup_orphans', { kind: 'lun' })).toBe(1);
  expect(value(m, 'jdssc_cleanup_last_run_timestamp_seconds')).toBeGreaterThan(0);
  expect(value(m, 'jdssc_rest_latency_seconds')).toBeGreaterThanOrEqual(0);
  for (const f of parse(r.stdout)) expect(f.type).toBe('GAUGE');
});

test('--output writes the file atomically (nothing on stdout, no temp file left)', async () => {
  const dir = join(env.dir, 'textfile');
  mkdirSync(dir);
  const out = join(dir, 'jdssc.prom');
  const r = await env.run(['metrics', '--output', out, '--no-snapshots']);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('');
  expect(readdirSync(dir)).toEqual(['jdssc.prom']);
  const m = families(readFileSync(out, 'utf8'));
  expect(value(m, 'jdssc_volumes')).toBe(2);
  expect(m.has('jdssc_snapshots')).toBe(false);
  const bad = await env.run(['metrics', '--output', join(env.dir, 'no-such-dir', 'x.prom')]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^error: --output .*cannot write \(ENOENT\)\n$/);
});

test('--json answers the same samples; --skip-host and a non-Proxmox host leave the host part out', async () => {
  const j = (await env.okJson(['metrics', '--skip-host'])) as { up: boolean; metrics: Array<{ name: string }>; text?: string };
  expect(j.up).toBe(true);
  const names = j.metrics.map((x) => x.name);
  expect(names).toContain('jdssc_pool_size_bytes');
  expect(names).not.toContain('jdssc_multipath_paths');
  expect(j.text).toBeUndefined();
  const bare = join(env.dir, 'bare-root');
  mkdirSync(bare);
  const r = await env.run(['metrics', '--host-root', bare]);
  expect(r.code).toBe(0);
  expect(families(r.stdout).has('jdssc_host_luns')).toBe(false);
});

test('an unreachable array: up 0, host and cleanup still written, exit 6', async () => {
  const out = join(env.dir, 'down.prom');
  const r = await env.run(['metrics', '--output', out, '--control-addresses', '127.0.0.9', '--timeout', '2']);
  expect(r.code).toBe(6);
  expect(r.stderr).toMatch(/^warning: array not read: /);
  expect(existsSync(out)).toBe(true);
  const m = families(readFileSync(out, 'utf8'));
  expect(value(m, 'jdssc_up')).toBe(0);
  expect(m.has('jdssc_pool_size_bytes')).toBe(false);
  expect(value(m, 'jdssc_multipath_paths', { wwid, state: 'active' })).toBe(2);
  expect(value(m, 'jdssc_cleanup_orphans', { kind: 'target' })).toBe(1);
});

test('--help shows an example; an empty --output is one clear usage error', async () => {
  const h = await env.run(['metrics', '--help']);
  expect(h.stdout).toMatch(/Examples:[\s\S]*jdssc metrics --output/);
  const r = await env.run(['metrics', '--output', ' ']);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('error: --output: give a file name\n');
});

test('the Grafana dashboard and the systemd unit use only what jdssc provides', async () => {
  const known = new Set(metricDefs(emptyCollected()).map((d) => d.name));
  const dash = readFileSync(join(EXAMPLES, 'grafana-dashboard.json'), 'utf8');
  const used = new Set([...dash.matchAll(/jdssc_[a-z_]+/g)].map((m) => m[0]));
  expect(used.size).toBeGreaterThan(8);
  for (const name of used) expect(known).toContain(name);
  const unit = readFileSync(join(EXAMPLES, 'jdssc-metrics@.service'), 'utf8');
  const exec = /^ExecStart=\/usr\/bin\/jdssc (.*)$/m.exec(unit)![1].replace(/%i/g, 'jdss-Pool-0').split(' ');
  const chosen = await parseCommand(exec, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} });
  expect(chosen?.def.command).toBe('metrics');
  expect(chosen?.args.output).toBe('/var/lib/prometheus/node-exporter/jdssc-jdss-Pool-0.prom');
});

function emptyCollected(): Collected {
  return {
    storage: 's',
    pool: 'p',
    up: true,
    arrayExit: null,
    arrayError: null,
    capacity: { name: 'p', id: null, total: 1, free: 1, used: 0, health: null },
    restLatencySeconds: 0,
    volumes: 0,
    snapshots: 0,
    targets: 0,
    luns: 0,
    sessionsPerTarget: [{ target: 't', sessions: 0 }],
    hostLuns: 0,
    multipath: [{ wwid: 'w', volume: 'v', active: 1, failed: 0 }],
    cleanup: { orphans: { volume: 1 }, lastRunSeconds: 1 },
    durationSeconds: 0,
  };
}
