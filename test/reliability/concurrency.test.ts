// Proxmox starts ~20 VMs at once on boot: 20 jdssc processes publishing disks of one VM and of
// different VMs must not create duplicate targets or put two volumes on one LUN.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'luns_per_target: 8' });
});
afterAll(async () => env.close());

function jdssc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bin/jdssc',
      ['-c', env.config, ...args],
      { env: { ...process.env, JDSSC_STATE_DIR: `${env.dir}/state` } },
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
