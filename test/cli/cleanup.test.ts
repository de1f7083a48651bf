// cleanup finds exactly the planted orphans on the array and on the (fake) host, a dry run
// changes nothing, and --apply removes them — host side first — leaving everything else alone.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { volumeByName } from '../../src/simulator/model/model';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { FAKES_DIR } from '../host/fakes/harness';
import { removeDisk } from '../host/fakes/lib/kernel.mjs';

const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';
let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ fakeHost: true, configExtra: 'multipath: true' });
});
afterAll(async () => env.close());

const iscsiadm = (args: string[]) =>
  execFileSync(join(FAKES_DIR, 'iscsiadm'), args, { env: { ...process.env, FAKE_HOST_STATE: env.host!.statePath }, encoding: 'utf8' });
const cleanup = (extra: string[] = []) => env.run(['cleanup', '--vmids', '100,101,102', '--json', ...extra]);
const summary = (r: { json: { items: { where: string; kind: string; name: string }[] } }) =>
  r.json.items.map((i) => `${i.where}:${i.kind}:${i.name}`).sort();

const PLANTED = [
  'array:empty-target:iqn.2025-04.proxmox.joviandss.iscsi:vm-300-0',
  'array:export-clone:export of snapshot s1 of vm-100-disk-0',
  'array:intermediate-snapshot:vm-100-disk-0@v_vm-105-disk-0',
  'array:volume:vm-999-disk-0',
  'host:map:/dev/mapper/WWID101',
  'host:node-record:iqn.2025-04.proxmox.joviandss.iscsi:vm-102-0 via 127.0.0.3:3260',
  'host:record:vm-998-disk-0 (iqn.2025-04.proxmox.joviandss.iscsi:vm-998-0 LUN 0)',
  'host:session:iqn.2025-04.proxmox.joviandss.iscsi:vm-102-0 via 127.0.0.2:3260',
];
let wwid101: string;

beforeAll(async () => {
  // things that must survive
  await env.okJson(['volume', 'create', 'vm-100-disk-0', '--size', '8M']);
  await env.okJson(['snapshot', 'create', 'vm-100-disk-0', 's1']);
  await env.okJson(['volume', 'create', 'base-101-disk-0', '--size', '8M']);
  await env.okJson(['volume', 'clone', 'base-101-disk-0', 'vm-102-disk-0']); // intermediate snapshot with its clone
  await env.okJson(['login', 'activate', 'vm-100-disk-0']); // active, recorded, in use by "the VM"
  await env.rest('POST', '/san/iscsi/targets', { name: 'iqn.2026-01.other.storage:vm-7-0', active: true }); // not ours
  // orphans on the array
  await env.okJson(['volume', 'create', 'vm-999-disk-0', '--size', '8M']);
  await env.rest('POST', '/san/iscsi/targets', { name: `${PREFIX}:vm-300-0`, active: true });
  await env.rest('POST', '/volumes/v_vm-100-disk-0/clone', {
    name: 'se_s1_OZWS2MJQGAWWI2LTNMWTA---',
    snapshot: 's_s1',
    sparse: true,
    readonly: true,
  });
  await env.rest('POST', '/volumes/v_vm-100-disk-0/snapshots', { snapshot_name: 'v_vm-105-disk-0' });
  // orphans on the host: a record of a volume that is gone ...
  await env.okJson(['volume', 'create', 'vm-998-disk-0', '--size', '8M']);
  await env.okJson(['login', 'activate', 'vm-998-disk-0']);
  await env.okJson(['target', 'unpublish', 'vm-998-disk-0']);
  env.sim.state.pool('Pool-0')!.volumes.delete(volumeByName(env.sim.state.pool('Pool-0')!, 'v_vm-998-disk-0')!.id); // deleted behind our back
  env.sim.state.pool('Pool-0')!.volumeIdsByName.delete('v_vm-998-disk-0');
  // ... a session and a node record nobody accounts for ...
  await env.okJson(['target', 'publish', 'vm-102-disk-0']);
  iscsiadm(['-m', 'node', '-T', `${PREFIX}:vm-102-0`, '-p', '127.0.0.2:3260', '-o', 'new']);
  iscsiadm(['-m', 'node', '-T', `${PREFIX}:vm-102-0`, '-p', '127.0.0.2:3260', '--login']);
  iscsiadm(['-m', 'node', '-T', `${PREFIX}:vm-102-0`, '-p', '127.0.0.3:3260', '-o', 'new']);
  // ... and a multipath map whose paths are gone
  const a = await env.okJson(['login', 'activate', 'base-101-disk-0']);
  wwid101 = a.wwid;
  env.host!.update((s) => {
    for (const [name, d] of Object.entries(s.disks as Record<string, { wwid: string }>)) if (d.wwid === a.wwid) removeDisk(s, name);
  });
  rmSync(join(env.host!.root, 'var/lib/jdssc/luns/jdss-test', `${PREFIX}:vm-101-0`.toLowerCase()), { recursive: true, force: true });
  for (const p of a.portals) iscsiadm(['-m', 'node', '-T', a.target, '-p', `${p.address}:${p.port}`, '--logout']);
  for (const p of a.portals) iscsiadm(['-m', 'node', '-T', a.target, '-p', `${p.address}:${p.port}`, '-o', 'delete']);
});

describe('cleanup', () => {
  test('the dry run finds exactly the planted orphans and changes nothing (exit 10)', async () => {
    env.sim.requests.reset();
    const callsBefore = env.host!.state().calls.length;
    const r = await cleanup();
    expect(r.code).toBe(10);
    expect(summary(r)).toEqual(PLANTED.map((x) => x.replace('WWID101', wwid101)).sort());
    expect(r.json.applied).toBe(false);
    expect(env.mutations()).toBe(0);
    const calls = env.host!.state().calls.slice(callsBefore) as { tool: string; argv: string[] }[];
    const changes = calls.filter(
      (c) =>
        (c.tool === 'iscsiadm' && c.argv.some((x) => ['--login', '--logout', 'new', 'delete', 'update'].includes(x))) ||
        (c.tool === 'multipath' && c.argv.includes('-f')) ||
        (c.tool === 'multipathd' && c.argv.includes('del')) ||
        (c.tool === 'dmsetup' && c.argv.includes('remove')),
    );
    expect(changes).toEqual([]);
  });

  test('--apply does not remove what was not seen long enough', async () => {
    const r = await cleanup(['--apply']);
    expect(r.code).toBe(10);
    expect(r.json.items.every((i: { due: boolean; result: unknown }) => !i.due && i.result === null)).toBe(true);
  });

  test('a bad --grace is a usage error (exit 2) and nothing is removed', async () => {
    env.sim.requests.reset();
    for (const g of ['', ' ', '-5', '1.5', '0x10', '10m']) {
      const r = await cleanup(['--apply', '--grace', g]);
      expect([g, r.code, r.stderr]).toEqual([g, 2, expect.stringMatching(/^error: --grace: expected whole seconds/)]);
    }
    expect(env.mutations()).toBe(0);
  });

  test('two runs at once: the second is refused (exit 5)', async () => {
    const [a, b] = await Promise.all([cleanup(), cleanup()]);
    expect([a.code, b.code].sort((x, y) => x - y)).toEqual([5, 10]);
  });

  test('--apply --grace 0 removes every orphan, host first, and keeps the rest', async () => {
    const r = await cleanup(['--apply', '--grace', '0']);
    expect(r.json.items.map((i: { where: string }) => i.where)).toEqual([
      'host',
      'host',
      'host',
      'host',
      'array',
      'array',
      'array',
      'array',
    ]);
    expect(r.json.items.filter((i: { result: string | null; error: string | null }) => i.result === null || i.error !== null)).toEqual([]);
    expect(r.code).toBe(0);
    // nothing is left to find
    const again = await cleanup();
    expect(again.code).toBe(0);
    expect(again.json.items).toEqual([]);
    // and the rest is untouched
    expect((await env.okJson(['login', 'status', 'vm-100-disk-0'])).active).toBe(true);
    expect((await env.okJson(['volume', 'get', 'vm-102-disk-0'])).origin).toEqual({ volume: 'base-101-disk-0', snapshot: null });
    expect((await env.okJson(['snapshot', 'list', 'vm-100-disk-0'])).snapshots.map((s: { name: string }) => s.name)).toEqual(['s1']);
    expect((await env.okJson(['target', 'list', '--all'])).targets.map((t: { name: string }) => t.name).sort()).toEqual([
      `${PREFIX}:vm-100-0`,
      `${PREFIX}:vm-101-0`,
      `${PREFIX}:vm-102-0`,
      'iqn.2026-01.other.storage:vm-7-0',
    ]);
    expect(env.host!.state().violations).toEqual([]);
  });

  test('without a VM inventory (not a Proxmox node, no --vmids) cleanup fails so cron notices, and changes nothing', async () => {
    env.sim.requests.reset();
    const r = await env.run(['cleanup', '--pve-dir', join(env.dir, 'no-pve'), '--apply', '--only', 'array']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--vmids/)]);
    expect(env.mutations()).toBe(0);
  });

  test('cron-friendly: nothing to do prints nothing', async () => {
    const r = await env.run(['cleanup', '--vmids', '100,101,102']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('cleanup removes only what it has proven unused', () => {
  const T102 = `${PREFIX}:vm-102-0`;
  const arrayItems = (r: {
    json: { items: { where: string; kind: string; name: string; keep: string | null; result: string | null }[] };
  }) => r.json.items.filter((i) => i.where === 'array');
  afterAll(() => env.sim.faults.clear());

  test('a volume published after the volume list was read is not taken for a dangling LUN', async () => {
    await env.okJson(['volume', 'create', 'vm-102-disk-4', '--size', '4M']);
    await env.okJson(['target', 'publish', 'vm-102-disk-4']);
    await env.sim.faults.add({ kind: 'staleList', match: { method: 'GET', path: '/volumes$' }, omit: 1, count: 0 });
    const r = await env.run(['cleanup', '--vmids', '100,101,102', '--only', 'array', '--json']);
    env.sim.faults.clear();
    expect(r.code).toBe(0);
    expect(arrayItems(r)).toEqual([]);
  });

  test('a LUN whose volume is gone stays while its target has sessions, goes once they end', async () => {
    env.sim.destroyOutOfBand('Pool-0', 'v_vm-102-disk-4');
    // a live session to the target (this fake host's; any initiator counts)
    iscsiadm(['-m', 'node', '-T', T102, '-p', '127.0.0.2:3260', '-o', 'new']);
    iscsiadm(['-m', 'node', '-T', T102, '-p', '127.0.0.2:3260', '--login']);
    const kept = await env.run(['cleanup', '--vmids', '100,101,102', '--only', 'array', '--apply', '--grace', '0', '--json']);
    expect(kept.code).toBe(10);
    expect(arrayItems(kept)).toEqual([
      expect.objectContaining({
        kind: 'dangling-lun',
        name: `${T102} LUN 1`,
        keep: expect.stringMatching(/in use: .*vm-102-0 has sessions from 127\.0\.0\.1/),
        result: null,
      }),
    ]);
    expect((await env.okJson(['target', 'list'])).targets.find((t: { name: string }) => t.name === T102)!.luns).toHaveLength(2);

    iscsiadm(['-m', 'node', '-T', T102, '-p', '127.0.0.2:3260', '--logout']);
    iscsiadm(['-m', 'node', '-T', T102, '-p', '127.0.0.2:3260', '-o', 'delete']);
    const gone = await env.run(['cleanup', '--vmids', '100,101,102', '--only', 'array', '--apply', '--grace', '0', '--json']);
    expect(gone.code).toBe(0);
    expect(arrayItems(gone)).toEqual([expect.objectContaining({ kind: 'dangling-lun', keep: null, result: 'detached' })]);
    expect((await env.okJson(['target', 'list'])).targets.find((t: { name: string }) => t.name === T102)!.luns).toEqual([
      { lun: 0, volume: 'vm-102-disk-0' },
    ]);
  });

  test('sessions that cannot be read count as in use: the orphan volume is kept', async () => {
    await env.okJson(['volume', 'create', 'vm-997-disk-0', '--size', '4M']);
    await env.okJson(['target', 'publish', 'vm-997-disk-0']);
    await env.sim.faults.add({ kind: 'status5xx', status: 500, match: { method: 'GET', path: '/sessions$' }, count: 0 });
    const kept = await env.run(['cleanup', '--vmids', '100,101,102', '--only', 'array', '--apply', '--grace', '0', '--json']);
    env.sim.faults.clear();
    expect(kept.code).toBe(10);
    expect(arrayItems(kept)).toEqual([
      expect.objectContaining({
        kind: 'volume',
        name: 'vm-997-disk-0',
        keep: expect.stringMatching(/sessions cannot be read/),
        result: null,
      }),
    ]);
    expect((await env.okJson(['volume', 'get', 'vm-997-disk-0'])).name).toBe('vm-997-disk-0');

    const gone = await env.run(['cleanup', '--vmids', '100,101,102', '--only', 'array', '--apply', '--grace', '0', '--json']);
    expect(gone.code).toBe(0);
    expect(arrayItems(gone)).toEqual([expect.objectContaining({ kind: 'volume', name: 'vm-997-disk-0', result: 'deleted' })]);
  });
});
