// Model-based random run: a seeded sequence of steps, each a few jdssc operations started at
// once from two "nodes" (own state dirs, one shared pve folder) on disks of a handful of VMs
// (so they share target groups), with faults injected (slow target DELETE / POST, 5xx,
// CfgParserError, answers lost after the array applied a change). After every step the array
// is checked against a model of what must exist: what jdssc reported must be true (a volume it
// created exists, a LUN it published is there, a LUN it unpublished is gone). An operation that
// failed makes its object "unknown" until the array is read again. Size: JDSSC_MODEL_STEPS
// (default 30), seed: JDSSC_MODEL_SEED. JDSSC_MODEL_NODE_LOCKS=1 leaves out <pve>/priv, so each
// node has only its own lock files: what the run then finds is what the cluster lock prevents.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { rng } from '../helpers/rng';
import { cliEnv, type CliEnv } from '../helpers/cli';

const STEPS = Number(process.env.JDSSC_MODEL_STEPS ?? 30);
const SEED = Number(process.env.JDSSC_MODEL_SEED ?? 20261202);
const VMS = [600, 601];

let env: CliEnv;
let pve: string;
beforeAll(async () => {
  env = await cliEnv({ seed: SEED, configExtra: 'luns_per_target: 2\ntimeout: 30' });
  pve = join(env.dir, 'pve');
  mkdirSync(process.env.JDSSC_MODEL_NODE_LOCKS === '1' ? pve : join(pve, 'priv'), { recursive: true });
});
afterAll(async () => env.close());

type Run = ReturnType<CliEnv['run']>;
const onNode = (node: string, args: string[]): Run =>
  env.run([...args, '--json'], { env: { JDSSC_STATE_DIR: join(env.dir, `state-${node}`), JDSSC_PVE_ROOT: pve } });

type Fault = { kind: string; [k: string]: unknown };
const SLOW_DELETE = (): Fault[] => [{ kind: 'latency', ms: 800, count: 0, match: { method: 'DELETE', path: '/san/iscsi/targets/[^/]+$' } }];
const FAULTS: Array<() => Fault[]> = [
  SLOW_DELETE,
  SLOW_DELETE,
  () => [{ kind: 'latency', ms: 200, count: 0, match: { method: 'POST', path: '/san/iscsi/targets' } }],
  () => [{ kind: 'status5xx', status: 503, count: 1, match: { path: '/san/iscsi/' } }],
  () => [{ kind: 'cfgParserError', count: 1, match: { path: '/san/iscsi/' } }],
  () => [{ kind: 'dropAfterApply', count: 1, match: { method: 'POST', path: '/san/iscsi/targets' } }],
  () => [{ kind: 'dropAfterApply', count: 1, match: { method: 'DELETE', path: '/san/iscsi/targets' } }],
];

/** What the array holds, read from the simulator's model: volume → (target, LUN) attachments. */
function arrayView() {
  const pool = env.sim.state.pool('Pool-0')!;
  const names = new Map([...pool.volumes.values()].map((v) => [v.id, v.name]));
  const attached = new Map<string, { target: string; lun: number }[]>();
  const emptyTargets: string[] = [];
  const dangling: string[] = [];
  for (const t of pool.targets.values()) {
    if (t.luns.size === 0) emptyTargets.push(t.name);
    for (const l of t.luns.values()) {
      const name = names.get(l.volumeId);
      if (name === undefined) dangling.push(`${t.name} LUN ${l.lun}`);
      else attached.set(name, [...(attached.get(name) ?? []), { target: t.name, lun: l.lun }]);
    }
  }
  return { volumes: new Set(names.values()), attached, emptyTargets, dangling };
}

/** The physical name of what a publication exposes: the zvol, or a snapshot's export clone. */
const exportPrefix = (sid: string) => `se_${sid}_`;

type Known<T> = T | 'unknown';

test(`${STEPS} steps of concurrent operations from two nodes under faults: the array always matches what jdssc reported`, async () => {
  const r = rng(SEED);
  const volumes = new Map<string, Known<boolean>>(); // disk → exists
  const published = new Map<string, Known<{ target: string; lun: number } | null>>(); // disk or disk@snap → where
  const snapshots = new Map<string, string[]>(); // disk → snapshots reported created
  const counts: Record<string, number> = {};
  const faultsUsed: Record<string, number> = {};
  const exits: Record<string, number> = {};
  const violations: string[] = [];
  let n = 0;

  const live = () => [...volumes].filter(([, e]) => e === true).map(([v]) => v);

  for (let step = 0; step < STEPS; step++) {
    const faults = r.chance(0.6) ? r.pick(FAULTS)() : [];
    if (faults.length) await env.sim.faults.add(faults as never);
    for (const f of faults) {
      const label = [f.kind, (f.match as { method?: string } | undefined)?.method].filter(Boolean).join(' ');
      faultsUsed[label] = (faultsUsed[label] ?? 0) + 1;
    }

    // Up to four operations at once, each on its own disk (several disks of one VM share targets).
    const busy = new Set<string>();
    const ops: Array<{ op: string; node: string; run: () => Promise<void> }> = [];
    const width = 2 + Math.floor(r.next() * 3);
    for (let k = 0; k < width; k++) {
      const node = r.chance(0.5) ? 'a' : 'b';
      const free = live().filter((v) => !busy.has(v));
      const op =
        free.length < 3 || r.chance(0.15)
          ? 'create'
          : r.pick([
              'publish',
              'publish',
              'publish',
              'unpublish',
              'unpublish',
              'delete',
              'snapshot',
              'publish-snap',
              'publish-snap',
              'cleanup',
            ]);
      if (op === 'cleanup') {
        if (busy.has('cleanup')) continue;
        busy.add('cleanup');
        ops.push({
          op,
          node,
          run: async () => {
            const res = await onNode(node, ['cleanup', '--apply', '--grace', '0', '--only', 'array', '--vmids', VMS.join(',')]);
            exits[res.code] = (exits[res.code] ?? 0) + 1;
          },
        });
        continue;
      }
      if (op === 'create') {
        const name = `vm-${r.pick(VMS)}-disk-${n++}`;
        busy.add(name);
        ops.push({
          op,
          node,
          run: async () => {
            const res = await onNode(node, ['volume', 'create', name, '--size', '1M']);
            exits[res.code] = (exits[res.code] ?? 0) + 1;
            volumes.set(name, res.code === 0 ? true : 'unknown');
            published.set(name, null);
          },
        });
        continue;
      }
      const disk = r.pick(free);
      busy.add(disk);
      const record = (key: string, res: Awaited<Run>, where: { target: string; lun: number } | null) => {
        exits[res.code] = (exits[res.code] ?? 0) + 1;
        published.set(key, res.code === 0 ? where : 'unknown');
      };
      if (op === 'publish')
        ops.push({
          op,
          node,
          run: async () => {
            const res = await onNode(node, ['target', 'publish', disk]);
            record(disk, res, res.code === 0 ? (JSON.parse(res.stdout) as { target: string; lun: number }) : null);
          },
        });
      else if (op === 'unpublish')
        ops.push({ op, node, run: async () => record(disk, await onNode(node, ['target', 'unpublish', disk]), null) });
      else if (op === 'snapshot') {
        const sid = `s${n++}`;
        ops.push({
          op,
          node,
          run: async () => {
            const res = await onNode(node, ['snapshot', 'create', disk, sid]);
            exits[res.code] = (exits[res.code] ?? 0) + 1;
            if (res.code === 0) snapshots.set(disk, [...(snapshots.get(disk) ?? []), sid]);
          },
        });
      } else if (op === 'publish-snap') {
        const sid = snapshots.get(disk)?.length ? r.pick(snapshots.get(disk)!) : undefined;
        if (sid === undefined) continue;
        ops.push({
          op,
          node,
          run: async () => {
            const res = await onNode(node, ['target', 'publish', disk, '--snapshot', sid]);
            record(`${disk}@${sid}`, res, res.code === 0 ? (JSON.parse(res.stdout) as { target: string; lun: number }) : null);
          },
        });
      } else if (op === 'delete')
        ops.push({
          op,
          node,
          run: async () => {
            const res = await onNode(node, ['volume', 'delete', disk, '--cascade']);
            exits[res.code] = (exits[res.code] ?? 0) + 1;
            volumes.set(disk, res.code === 0 ? false : 'unknown');
            for (const key of [...published.keys()].filter((k) => k === disk || k.startsWith(`${disk}@`)))
              published.set(key, res.code === 0 ? null : 'unknown');
            if (res.code === 0) snapshots.delete(disk);
          },
        });
    }
    for (const o of ops) counts[o.op] = (counts[o.op] ?? 0) + 1;
    await Promise.all(ops.map((o) => o.run()));
    env.sim.faults.clear();

    // --- check the array against the model; unknowns take the array's word
    const a = arrayView();
    for (const [disk, exists] of volumes) {
      const on = a.volumes.has(`v_${disk}`);
      if (exists === 'unknown') volumes.set(disk, on);
      else if (exists !== on) {
        violations.push(`step ${step}: ${disk} was reported ${exists ? 'created' : 'deleted'} but ${on ? 'exists' : 'is gone'}`);
        volumes.set(disk, on); // reported once
      }
    }
    for (const [key, where] of published) {
      const [disk, sid] = key.split('@');
      const physicalMatches = (name: string) => (sid === undefined ? name === `v_${disk}` : name.startsWith(exportPrefix(sid)));
      const at = [...a.attached].filter(([name]) => physicalMatches(name)).flatMap(([, places]) => places);
      const truth = at.length === 1 ? at[0] : null;
      if (where === 'unknown') published.set(key, truth);
      else if (where === null && at.length > 0) violations.push(`step ${step}: ${key} was reported unpublished but is on ${at[0].target}`);
      else if (where !== null && !at.some((p) => p.target === where.target && p.lun === where.lun))
        violations.push(`step ${step}: ${key} was reported on ${where.target} LUN ${where.lun}, which ${at.length ? 'moved' : 'is gone'}`);
      else continue;
      published.set(key, truth); // reported once; from here on the array's word
    }
    for (const d of a.dangling) violations.push(`step ${step}: ${d} points to a deleted volume`);
  }

  // A failed detach may leave an empty target; one fault-free cleanup must then clear them.
  const final = await onNode('a', ['cleanup', '--apply', '--grace', '0', '--only', 'array', '--vmids', VMS.join(',')]);
  const leftover = arrayView().emptyTargets;
  if (leftover.length) violations.push(`empty targets after a clean cleanup: ${leftover.join(', ')} (cleanup exit ${final.code})`);

  const summary = { steps: STEPS, seed: SEED, operations: counts, faults: faultsUsed, exitCodes: exits, violations: violations.length };
  console.log(`model run: ${JSON.stringify(summary)}${violations.length ? `\n${violations.slice(0, 30).join('\n')}` : ''}`);
  expect(violations).toEqual([]);
  expect(exits['2']).toBeUndefined(); // every input was valid
}, 900_000);
