// Proxmox starts ~20 VMs at once on boot: 20 jdssc processes publishing disks of one VM and of
// different VMs must not create duplicate targets or put two volumes on one LUN. And processes
// on two nodes (own state dirs, one shared pve folder) unpublishing a VM's last disk while
// publishing another of its disks must never report a LUN that the target's deletion took away.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'luns_per_target: 8' });
});
afterAll(async () => env.close());

function jdssc(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bin/jdssc',
      ['-c', env.config, ...args],
      { env: { ...process.env, JDSSC_STATE_DIR: `${env.dir}/state`, ...extraEnv } },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

test('20 processes at once: one VM with 10 disks, ten VMs with one disk each', async () => {
  const sameVm = Array.from({ length: 10 }, (_, i) => `vm-300-disk-${i}`);
  const otherVms = Array.from({ length: 10 }, (_, i) => `vm-${301 + i}-disk-0`);
  for (const v of [...sameVm, ...otherVms]) expect((await env.run(['volume', 'create', v, '--size', '1M'])).code).toBe(0);

  const results = await Promise.all([...sameVm, ...otherVms].map((v) => jdssc(['target', 'publish', v, '--json'])));
  for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const placed = results.map((r) => JSON.parse(r.stdout) as { volume: string; target: string; lun: number });

  expect(new Set(placed.map((p) => `${p.target}#${p.lun}`)).size).toBe(20);
  const vm300 = placed.filter((p) => p.volume.startsWith('vm-300-'));
  const perTarget = new Map<string, number>();
  for (const p of vm300) perTarget.set(p.target, (perTarget.get(p.target) ?? 0) + 1);
  expect([...perTarget.entries()].sort()).toEqual([
    ['iqn.2025-04.proxmox.joviandss.iscsi:vm-300-0', 8],
    ['iqn.2025-04.proxmox.joviandss.iscsi:vm-300-1', 2],
  ]);
  for (const p of placed.filter((x) => !x.volume.startsWith('vm-300-'))) {
    expect(p).toMatchObject({ target: `iqn.2025-04.proxmox.joviandss.iscsi:vm-${p.volume.split('-')[1]}-0`, lun: 0 });
  }
  const pool = env.sim.state.pool('Pool-0')!;
  expect(pool.targets.size).toBe(12);
  for (const t of pool.targets.values()) expect(t.luns.size).toBeGreaterThan(0);
}, 60_000);

test('two nodes, 20 processes: unpublishing the last disk of 10 VMs while publishing another disk of each (slow DELETE)', async () => {
  const pve = join(env.dir, 'pve');
  mkdirSync(join(pve, 'priv'), { recursive: true });
  const onNode = (node: string) => ({ JDSSC_STATE_DIR: join(env.dir, `state-${node}`), JDSSC_PVE_ROOT: pve });
  const vmids = Array.from({ length: 10 }, (_, i) => 320 + i);
  for (const vmid of vmids) {
    for (const d of [0, 1]) expect((await env.run(['volume', 'create', `vm-${vmid}-disk-${d}`, '--size', '1M'])).code).toBe(0);
    expect((await env.run(['target', 'publish', `vm-${vmid}-disk-0`])).code).toBe(0);
  }
  const fault = await env.sim.faults.add({
    kind: 'latency',
    ms: 1500,
    count: 0,
    match: { method: 'DELETE', path: '/san/iscsi/targets/[^/]+$' },
  });
  const runs = vmids.flatMap((vmid) => [
    jdssc(['target', 'unpublish', `vm-${vmid}-disk-0`, '--json'], onNode('a')),
    new Promise((r) => setTimeout(r, 600)).then(() => jdssc(['target', 'publish', `vm-${vmid}-disk-1`, '--json'], onNode('b'))),
  ]);
  const results = await Promise.all(runs);
  env.sim.faults.remove(fault[0].id);
  for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });

  const pool = env.sim.state.pool('Pool-0')!;
  let falseSuccesses = 0;
  for (const [i, vmid] of vmids.entries()) {
    const p = JSON.parse(results[2 * i + 1].stdout) as { target: string; lun: number };
    const id = pool.volumeIdsByName.get(`v_vm-${vmid}-disk-1`);
    if (pool.targets.get(p.target)?.luns.get(p.lun)?.volumeId !== id) falseSuccesses++;
  }
  console.log(`two nodes, child processes: ${JSON.stringify({ rounds: vmids.length, falseSuccesses })}`);
  expect(falseSuccesses).toBe(0);
  expect(readdirSync(join(pve, 'priv', 'lock'))).toEqual([]);
}, 60_000);
