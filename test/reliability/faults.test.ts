// Fault-injection run: a seeded random sequence of operations through the real CLI against the
// simulator, with faults injected (dead first address, latency, 5xx bursts, CfgParserError,
// dataless 200, hung requests, answers lost after the array applied a change). Afterwards the
// array must be consistent with what jdssc reported. Size: JDSSC_FAULT_OPS (default 500).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { volumeLogical } from '../../src/storage/arrayNames';
import type { RollbackResult } from '../../src/storage';
import { rng } from '../helpers/rng';
import { cliEnv, type CliEnv, type CliResult } from '../helpers/cli';

const OPS = Number(process.env.JDSSC_FAULT_OPS ?? 500);
const SEED = Number(process.env.JDSSC_FAULT_SEED ?? 20261121);

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ listen: ['127.0.0.1', '127.0.0.4'], seed: SEED, configExtra: 'luns_per_target: 3\nrequest_timeout: 1\ntimeout: 8' });
});
afterAll(async () => env.close());

type Fault = { kind: string; [k: string]: unknown };
const FAULTS: Array<() => Fault | 'down' | 'blackhole'> = [
  () => 'down',
  () => 'blackhole',
  () => ({ kind: 'latency', ms: 30, count: 3 }),
  () => ({ kind: 'status5xx', status: 503, count: 2 }),
  () => ({ kind: 'status5xx', status: 500, count: 1 }),
  () => ({ kind: 'cfgParserError', count: 2 }),
  () => ({ kind: 'dataless200', count: 2 }),
  () => ({ kind: 'hang', count: 1 }),
  () => ({ kind: 'dropAfterApply', count: 1, match: { method: 'POST' } }),
  () => ({ kind: 'dropAfterApply', count: 1, match: { method: 'DELETE' } }),
  () => ({ kind: 'dropAfterApply', count: 1, match: { method: 'PUT' } }),
  () => ({ kind: 'rateLimit', retryAfterSec: 0, count: 1 }),
];

test(`${OPS} random operations under faults leave the array consistent with what jdssc reported`, async () => {
  const r = rng(SEED);
  const reported = new Map<string, 'exists' | 'deleted'>(); // volume → last reported state
  const snapshots = new Map<string, string[]>(); // volume → snapshots jdssc reported created
  const counts: Record<string, number> = {};
  const exits: Record<string, number> = {};
  const faultsUsed: Record<string, number> = {};
  const failures: string[] = [];
  const errors: string[] = [];
  let n = 0;

  const vols = () => [...reported].filter(([, s]) => s === 'exists').map(([v]) => v);
  const newName = () => `vm-${100 + Math.floor(r.next() * 6)}-disk-${n++}`;
  const run = async <R = unknown>(op: string, args: string[]): Promise<CliResult<R>> => {
    const res = await env.run<R>([...args, '--json']);
    counts[op] = (counts[op] ?? 0) + 1;
    exits[res.code] = (exits[res.code] ?? 0) + 1;
    // every failure is a non-zero exit with one error line and an error document
    if (res.code !== 0) {
      if (errors.length < 12) errors.push(`${res.code} ${args.slice(0, 3).join(' ')}: ${res.stderr.trim()}`);
      if (!res.json?.error || res.stderr.trim().split('\n').length !== 1)
        failures.push(`${args.join(' ')}: malformed failure ${res.code} ${res.stderr}`);
      if (res.json?.error?.code === 'internal') failures.push(`${args.join(' ')}: internal error: ${res.stderr}`);
    } else if (res.json?.error) {
      failures.push(`${args.join(' ')}: exit 0 with an error document`);
    }
    return res;
  };

  for (let i = 0; i < OPS; i++) {
    let address: 'down' | 'blackhole' | undefined;
    if (r.chance(0.35)) {
      const f = r.pick(FAULTS)();
      if (typeof f === 'string') {
        address = f;
        await (f === 'down' ? env.sim.setAddressDown('127.0.0.1', true) : env.sim.setAddressBlackhole('127.0.0.1', true));
        faultsUsed[f] = (faultsUsed[f] ?? 0) + 1;
      } else {
        await env.sim.faults.add(f as never);
        faultsUsed[f.kind] = (faultsUsed[f.kind] ?? 0) + 1;
      }
    }
    const existing = vols();
    const vol = existing.length ? r.pick(existing) : '';
    const snaps = snapshots.get(vol) ?? [];
    const withSnaps = ['publish-snap', 'rollback', 'delete-snap'];
    const ops = ['create', 'snapshot', 'clone', 'publish', 'unpublish', 'resize', 'delete', ...(snaps.length ? withSnaps : [])];
    const op = existing.length < 3 ? 'create' : r.pick(ops);
    if (op === 'create') {
      const name = newName();
      if ((await run(op, ['volume', 'create', name, '--size', `${1 + Math.floor(r.next() * 4)}M`])).code === 0)
        reported.set(name, 'exists');
    } else if (op === 'snapshot') {
      const sid = `s${n++}`;
      if ((await run(op, ['snapshot', 'create', vol, sid])).code === 0) snapshots.set(vol, [...snaps, sid]);
    } else if (op === 'clone') {
      const name = newName();
      const args = ['volume', 'clone', vol, name, ...(snaps.length && r.chance(0.5) ? ['--snapshot', r.pick(snaps)] : [])];
      if ((await run(op, args)).code === 0) reported.set(name, 'exists');
    } else if (op === 'publish') {
      await run(op, ['target', 'publish', vol]);
    } else if (op === 'publish-snap' && snaps.length) {
      await run(op, ['target', 'publish', vol, '--snapshot', r.pick(snaps)]);
    } else if (op === 'unpublish') {
      await run(op, ['target', 'unpublish', vol, ...(snaps.length && r.chance(0.3) ? ['--snapshot', r.pick(snaps)] : [])]);
    } else if (op === 'rollback' && snaps.length) {
      const sid = r.pick(snaps);
      const res = await run<RollbackResult>(op, ['snapshot', 'rollback', vol, sid, '--destroy-newer']);
      if (res.code === 0)
        snapshots.set(
          vol,
          snaps.filter((s) => !res.json.destroyed.includes(s)),
        );
    } else if (op === 'resize') {
      await run(op, ['volume', 'resize', vol, '--grow-by', '1M']);
    } else if (op === 'delete') {
      if ((await run(op, ['volume', 'delete', vol, '--cascade'])).code === 0) {
        reported.set(vol, 'deleted');
        snapshots.delete(vol);
      }
    } else if (op === 'delete-snap' && snaps.length) {
      const sid = r.pick(snaps);
      if ((await run(op, ['snapshot', 'delete', vol, sid])).code === 0)
        snapshots.set(
          vol,
          snaps.filter((s) => s !== sid),
        );
    }
    if (address === 'down') await env.sim.setAddressDown('127.0.0.1', false);
    if (address === 'blackhole') await env.sim.setAddressBlackhole('127.0.0.1', false);
    env.sim.faults.clear();
  }

  // --- invariants, read from the array itself
  const pool = env.sim.state.pool('Pool-0')!;
  const onArray = new Set([...pool.volumes.values()].map((v) => v.name));
  for (const [vol, state] of reported) {
    const exists = onArray.has(`v_${vol}`);
    if (state === 'exists' && !exists) failures.push(`volume ${vol} was reported created but is gone`);
    if (state === 'deleted' && exists) failures.push(`volume ${vol} was reported deleted but exists`);
  }
  for (const t of pool.targets.values()) if (t.luns.size === 0) failures.push(`target ${t.name} has no LUNs`);
  const byId = new Map([...pool.volumes.values()].map((v) => [v.id, v]));
  for (const t of pool.targets.values())
    for (const l of t.luns.values()) if (!byId.has(l.volumeId)) failures.push(`LUN ${l.lun} of ${t.name} points to a deleted volume`);
  for (const v of pool.volumes.values()) {
    for (const s of v.snapshots.values()) {
      // an intermediate clone snapshot is named like a volume and must still carry its clone
      if (volumeLogical(s.name) !== undefined && s.clones.size === 0)
        failures.push(`intermediate snapshot ${v.name}@${s.name} left behind`);
    }
  }

  const summary = {
    operations: OPS,
    seed: SEED,
    byOperation: counts,
    exitCodes: exits,
    faultsInjected: faultsUsed,
    volumesOnArray: onArray.size,
    targets: pool.targets.size,
    violations: failures.length,
  };
  console.log(`fault-injection run: ${JSON.stringify(summary)}\nfirst failures reported by jdssc:\n${errors.join('\n')}`);
  expect(failures).toEqual([]);
  expect(exits['2']).toBeUndefined(); // every input was valid
  expect(exits['0']).toBeGreaterThan(OPS * 0.5);
  expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(OPS);
}, 600_000);
