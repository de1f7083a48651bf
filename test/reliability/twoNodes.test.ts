// Two Proxmox nodes (own state dirs, one shared pmxcfs folder) race on one VM's target group
// against one simulator whose target DELETE and POST are slowed down: node A unpublishes the
// VM's last disk (so its target gets deleted) while node B publishes another disk of the same
// VM 0.6 s later. Without a cluster-wide lock B attached its LUN to the target being deleted and
// exited 0 with a LUN that no longer existed. Rounds: JDSSC_RACE_ROUNDS (default 20), run in
// parallel batches of JDSSC_RACE_BATCH (default 10) different VMs.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

const ROUNDS = Number(process.env.JDSSC_RACE_ROUNDS ?? 20);
const BATCH = Number(process.env.JDSSC_RACE_BATCH ?? 10);
const DELETE_MS = 1500;
const POST_MS = 300;
const OFFSET_MS = 600;

let env: CliEnv;
let pve: string;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'luns_per_target: 8\ntimeout: 60' });
  pve = join(env.dir, 'pve');
  mkdirSync(join(pve, 'priv'), { recursive: true });
});
afterAll(async () => env.close());

/** One "node": its own state directory, the cluster's shared pve folder. */
function node(name: string) {
  return (args: string[]): ReturnType<CliEnv['run']> =>
    env.run([...args, '--json'], { env: { JDSSC_STATE_DIR: join(env.dir, `state-${name}`), JDSSC_PVE_ROOT: pve } });
}
const nodeA = node('a');
const nodeB = node('b');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the simulator has this volume attached (target, LUN), read from its model. */
function attachments(volume: string): { target: string; lun: number }[] {
  const pool = env.sim.state.pool('Pool-0')!;
  const id = pool.volumeIdsByName.get(`v_${volume}`);
  const out: { target: string; lun: number }[] = [];
  for (const t of pool.targets.values()) for (const l of t.luns.values()) if (l.volumeId === id) out.push({ target: t.name, lun: l.lun });
  return out;
}

interface Outcome {
  falseSuccess: number;
  lostLuns: number;
  failedPublishes: number;
  notes: string[];
}

async function round(vmid: number): Promise<Outcome> {
  const d0 = `vm-${vmid}-disk-0`;
  const d1 = `vm-${vmid}-disk-1`;
  const out: Outcome = { falseSuccess: 0, lostLuns: 0, failedPublishes: 0, notes: [] };
  const first = await nodeA(['target', 'publish', d0]);
  if (first.code !== 0) throw new Error(`setup publish of ${d0} failed: ${first.stderr}`);
  const [unpub, pub] = await Promise.all([
    nodeA(['target', 'unpublish', d0]),
    sleep(OFFSET_MS).then(() => nodeB(['target', 'publish', d1])),
  ]);
  const at1 = attachments(d1);
  const at0 = attachments(d0);
  if (pub.code === 0) {
    const reported = JSON.parse(pub.stdout) as { target: string; lun: number };
    if (!at1.some((a) => a.target === reported.target && a.lun === reported.lun)) {
      out.falseSuccess++;
      out.notes.push(`VM ${vmid}: publish of ${d1} exited 0 with ${reported.target} LUN ${reported.lun}, which does not exist`);
    }
  } else {
    out.failedPublishes++;
    out.notes.push(`VM ${vmid}: publish of ${d1} failed (${pub.code}): ${pub.stderr.trim()}`);
  }
  // The model: d1 is published when its publish said so; d0 is not when its unpublish said so.
  if (pub.code === 0 && at1.length !== 1) out.lostLuns++;
  if (unpub.code === 0 && at0.length !== 0) out.notes.push(`VM ${vmid}: ${d0} is still attached after its unpublish`);
  if (unpub.code !== 0) out.notes.push(`VM ${vmid}: unpublish of ${d0} failed (${unpub.code}): ${unpub.stderr.trim()}`);
  // Leave nothing behind for the next round (and nothing for the lock folder).
  await nodeA(['target', 'unpublish', d1]);
  return out;
}

test(`unpublish of a VM's last disk racing a publish of another of its disks: ${ROUNDS} rounds, two nodes`, async () => {
  const vmids = Array.from({ length: ROUNDS }, (_, i) => 5000 + i);
  for (const vmid of vmids)
    for (const d of [0, 1]) expect((await env.run(['volume', 'create', `vm-${vmid}-disk-${d}`, '--size', '1M'])).code).toBe(0);
  await env.sim.faults.add([
    { kind: 'latency', ms: DELETE_MS, count: 0, match: { method: 'DELETE', path: '/san/iscsi/targets/[^/]+$' } },
    { kind: 'latency', ms: POST_MS, count: 0, match: { method: 'POST', path: '/san/iscsi/targets(/[^/]+/luns)?$' } },
  ] as never);

  const total: Outcome = { falseSuccess: 0, lostLuns: 0, failedPublishes: 0, notes: [] };
  for (let i = 0; i < vmids.length; i += BATCH) {
    for (const o of await Promise.all(vmids.slice(i, i + BATCH).map(round))) {
      total.falseSuccess += o.falseSuccess;
      total.lostLuns += o.lostLuns;
      total.failedPublishes += o.failedPublishes;
      total.notes.push(...o.notes);
    }
  }
  env.sim.faults.clear();
  const summary = { rounds: ROUNDS, falseSuccesses: total.falseSuccess, lostLuns: total.lostLuns, failedPublishes: total.failedPublishes };
  console.log(`two-node race: ${JSON.stringify(summary)}${total.notes.length ? `\n${total.notes.slice(0, 20).join('\n')}` : ''}`);
  expect(summary).toEqual({ rounds: ROUNDS, falseSuccesses: 0, lostLuns: 0, failedPublishes: 0 });
  expect(total.notes).toEqual([]);
  // Every lock was released: the shared lock folder is empty again.
  expect(readdirSync(join(pve, 'priv', 'lock'))).toEqual([]);
}, 900_000);
