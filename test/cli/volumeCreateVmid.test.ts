// `volume create --vmid` and `volume clone --vmid` through the real CLI against the simulator:
// the free name is picked in the same process (free-name's rules, cluster prefix respected), and
// a name another node takes between the look-up and the create is refused by the array and the
// next free name used — never two disks under one name.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());
beforeEach(() => {
  env.sim.faults.clear();
  env.sim.requests.reset();
});

interface Vol {
  name: string;
  physicalName: string;
  size: number;
  scsiId: string;
  guid?: string;
  origin: { volume: string } | null;
}

/** Waits until the simulator holds the request the fault was queued for (the fault is then taken). */
async function untilTaken(): Promise<void> {
  for (let i = 0; i < 400 && env.sim.faults.list().length > 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(env.sim.faults.list()).toEqual([]);
}

/** Another node's create of `physical`, while ours waits in the simulator. */
const thief = (physical: string, size = 2 ** 20) => env.rest('POST', '/volumes', { name: physical, size: String(size) });

describe('volume create --vmid', () => {
  test('the first free name, in one process: 2 look-ups, the create, the read-back', async () => {
    const v = await env.okJson<Vol>(['volume', 'create', '--vmid', '100', '--size', '1M']);
    expect(v).toMatchObject({ name: 'vm-100-disk-0', physicalName: 'v_vm-100-disk-0', size: 2 ** 20 });
    expect(env.sim.requests.all().map((r) => `${r.method} ${r.path.replace(/^.*\/pools\/[^/]+/, '')}`)).toEqual([
      'GET /volumes/v_vm-100-disk-0',
      'GET /volumes/v_base-100-disk-0',
      'POST /volumes',
      'GET /volumes/v_vm-100-disk-0',
    ]);
    // disk numbers are shared between vm- and base- names, as free-name gives them
    expect((await env.okJson<Vol>(['volume', 'create', '--vmid', '100', '--base', '--size', '1M'])).name).toBe('base-100-disk-1');
    expect((await env.okJson<Vol>(['volume', 'create', '--vmid', '100', '--size', '1M'])).name).toBe('vm-100-disk-2');
  });

  test('the cluster prefix is respected: another cluster’s disk does not take the name', async () => {
    const a = await env.okJson<Vol>(['--cluster-prefix', 'clA', 'volume', 'create', '--vmid', '300', '--size', '1M']);
    expect(a.name).toBe('vm-300-disk-0');
    expect(a.physicalName).toMatch(/clA/);
    const b = await env.okJson<Vol>(['volume', 'create', '--vmid', '300', '--size', '1M']);
    expect(b).toMatchObject({ name: 'vm-300-disk-0', physicalName: 'v_vm-300-disk-0' });
    expect((await env.okJson<Vol>(['--cluster-prefix', 'clA', 'volume', 'create', '--vmid', '300', '--size', '1M'])).name).toBe(
      'vm-300-disk-1',
    );
  });

  test('a name taken between the look-up and the create: refused by the array, the next name used, no shared disk', async () => {
    // our create waits in the simulator while another node creates the same name
    await env.sim.faults.add({ kind: 'latency', ms: 1500, match: { method: 'POST', path: '/volumes$' } });
    const ours = env.run<Vol>(['volume', 'create', '--vmid', '400', '--size', '8M', '--json']);
    await untilTaken();
    expect((await thief('v_vm-400-disk-0')).status).toBeLessThan(300);
    const r = await ours;
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ name: 'vm-400-disk-1', size: 8 * 2 ** 20 });
    const theirs = await env.okJson<Vol>(['volume', 'get', 'vm-400-disk-0']);
    expect(theirs.size).toBe(2 ** 20); // the other node's disk is untouched, not ours
    expect(theirs.scsiId).not.toBe(r.json.scsiId);
    const list = await env.okJson<{ volumes: Vol[] }>(['volume', 'list', '--vmid', '400']);
    expect(list.volumes.map((v) => v.name).sort()).toEqual(['vm-400-disk-0', 'vm-400-disk-1']);
    expect(env.sim.requests.count({ method: 'POST' })).toBe(3); // ours refused, theirs, ours again
  });

  test('every try taken: gives up after a bounded number of names with exit 4', async () => {
    // each create of ours is held in the simulator while "another node" takes that very name
    const hold = () => env.sim.faults.add({ kind: 'latency', ms: 800, match: { method: 'POST', path: '/volumes$' } });
    await hold();
    const ours = env.run<Vol>(['volume', 'create', '--vmid', '450', '--size', '1M', '--json']);
    for (let n = 0; n < 5; n++) {
      await untilTaken();
      expect((await thief(`v_vm-450-disk-${n}`)).status).toBeLessThan(300);
      if (n < 4) await hold(); // queued after the thief's POST, before our next one
    }
    const r = await ours;
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/already exists/);
    const left = await env.okJson<{ volumes: Vol[] }>(['volume', 'list', '--vmid', '450']);
    expect(left.volumes.map((v) => v.size)).toEqual([2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20]); // only the other node's
  });

  test.each([
    [['volume', 'create', 'vm-100-disk-9', '--vmid', '100', '--size', '1M'], /either a volume name or --vmid/],
    [['volume', 'create', '--size', '1M'], /either a volume name or --vmid/],
    [['volume', 'create', 'vm-100-disk-9', '--base', '--size', '1M'], /--base goes with --vmid/],
    [['volume', 'create', '--vmid', 'abc', '--size', '1M'], /--vmid: expected a VM id/],
    [['volume', 'clone', 'vm-100-disk-0', 'vm-101-disk-0', '--vmid', '101'], /either a volume name or --vmid/],
  ])('%j → exit 2, one line, nothing sent', async (argv, why) => {
    const r = await env.run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(env.sim.requests.count({})).toBe(0);
  });
});

describe('volume clone --vmid', () => {
  test('a linked clone under the first free name of the VM, in one process', async () => {
    await env.okJson(['volume', 'create', 'base-500-disk-0', '--size', '1M']);
    const c = await env.okJson<Vol>(['volume', 'clone', 'base-500-disk-0', '--vmid', '501']);
    expect(c).toMatchObject({ name: 'vm-501-disk-0', origin: { volume: 'base-500-disk-0' } });
    expect((await env.okJson<Vol>(['volume', 'clone', 'base-500-disk-0', '--vmid', '501'])).name).toBe('vm-501-disk-1');
  });

  test('a name taken while the clone is under way: its own intermediate snapshot undone, the next name used', async () => {
    await env.okJson(['volume', 'create', 'base-600-disk-0', '--size', '1M']);
    // hold the intermediate snapshot's POST; another node creates vm-601-disk-0 meanwhile
    await env.sim.faults.add({ kind: 'latency', ms: 1500, match: { method: 'POST', path: '/snapshots$' } });
    const ours = env.run<Vol>(['volume', 'clone', 'base-600-disk-0', '--vmid', '601', '--json']);
    await untilTaken();
    await thief('v_vm-601-disk-0');
    const r = await ours;
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ name: 'vm-601-disk-1', origin: { volume: 'base-600-disk-0' } });
    expect((await env.okJson<Vol>(['volume', 'get', 'vm-601-disk-0'])).origin).toBeNull(); // theirs, not a clone of ours
    const snaps = await env.rest('GET', '/volumes/v_base-600-disk-0/snapshots');
    expect(snaps.text).not.toMatch(/vm-601-disk-0/); // our undone intermediate snapshot is gone
    expect(snaps.text).toMatch(/vm-601-disk-1/); // the clone's own is there
  });
});
