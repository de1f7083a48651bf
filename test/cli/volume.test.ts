import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { volumeByName } from '../../src/simulator/model/model';
import { cliEnv, runCli, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());
beforeEach(() => env.sim.requests.reset());

const GiB = 2 ** 30;

describe('volume create', () => {
  test('thin by default, configured block size, exact bytes, one POST', async () => {
    const v = await env.okJson(['volume', 'create', 'vm-100-disk-0', '--size', '1G']);
    expect(v).toMatchObject({
      name: 'vm-100-disk-0',
      vmid: 100,
      size: GiB,
      requestedSize: GiB,
      blockSize: 16384,
      thin: true,
      origin: null,
      physicalName: 'v_vm-100-disk-0',
    });
    expect(v.scsiId).toMatch(/^[0-9a-f]{16}$/);
    expect(v.wwid).toBe(`2${Buffer.from(v.scsiId!.slice(0, 8)).toString('hex')}`);
    expect(env.sim.requests.count({ method: 'POST' })).toBe(1);
  });

  test('block size: the flag wins over the config, and the config wins over the 16K default', async () => {
    expect((await env.okJson(['volume', 'create', 'bs-flag', '--size', '64M', '--block-size', '32K'])).blockSize).toBe(32768);
    const r4k = await runCli(['-c', env.config, 'volume', 'create', 'bs-cfg', '--size', '64M', '--json'], { JDSSC_STATE_DIR: env.dir });
    expect(r4k.json.blockSize).toBe(16384);
    const cfg4k = await cliEnv({ configExtra: 'block_size: 4K' });
    try {
      expect((await cfg4k.run(['volume', 'create', 'bs-4k', '--size', '64M', '--json'])).json.blockSize).toBe(4096);
      expect((await cfg4k.run(['volume', 'create', 'bs-64k', '--size', '64M', '--block-size', '64K', '--json'])).json.blockSize).toBe(
        65536,
      );
    } finally {
      await cfg4k.close();
    }
  });

  test('size is rounded up to the block size, never down', async () => {
    const v = await env.okJson(['volume', 'create', 'odd-size', '--size', '1000000', '--block-size', '64K']);
    expect(v.size).toBe(1048576);
    expect(v.requestedSize).toBe(1000000);
  });

  test('thick volumes take pool capacity', async () => {
    const before = (await env.okJson(['pool', 'stats'])).free;
    const v = await env.okJson(['volume', 'create', 'vm-101-disk-0', '--size', '2G', '--thick']);
    expect(v.thin).toBe(false);
    expect((await env.okJson(['pool', 'stats'])).free).toBe(before - 2 * GiB);
  });

  test.each([
    [['--size', '0'], 2, /more than 0/],
    [['--size=-5G'], 2, /expected a size/],
    [['--size', 'lots'], 2, /expected a size/],
    [['--size', '1G', '--block-size', '3K'], 2, /block size must be one of/],
    [['--size', '1G', '--thin', '--thick'], 2, /cannot be used together/],
    [['--size', '1P'], 8, /not enough free space/],
    [[], 2, /Missing required argument: size/],
  ])('bad input %j → exit %i and no change on the array', async (extra, code, why) => {
    const r = await env.run(['volume', 'create', 'vm-102-disk-0', ...extra, '--json']);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(env.mutations()).toBe(code === 8 ? 1 : 0); // the no-space POST is refused by the array
  });

  test.each([' vm-1', 'a/b', ''])('invalid name %p → exit 2, nothing sent', async (name) => {
    const r = await env.run(['volume', 'create', name, '--size', '1G']);
    expect(r.code).toBe(2);
    expect(env.sim.requests.count({})).toBe(0);
  });

  test('an existing name → exit 4', async () => {
    await env.okJson(['volume', 'create', 'dup-1', '--size', '1M']);
    const r = await env.run(['volume', 'create', 'dup-1', '--size', '1M', '--json']);
    expect(r.code).toBe(4);
    expect(r.json.error.code).toBe('exists');
  });

  test('concurrent creates of one name: exactly one succeeds, the rest exit 4, no orphan', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => env.run(['volume', 'create', 'race-0', '--size', '8M'])));
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    expect(results.filter((r) => r.code === 4)).toHaveLength(7);
    const names = (await env.okJson(['volume', 'list'])).volumes.map((v: { name: string }) => v.name);
    expect(names.filter((n: string) => n.startsWith('race-'))).toEqual(['race-0']);
  });

  test('an answer lost after the array created the volume is verified, not resent', async () => {
    await env.sim.faults.add({ kind: 'dropAfterApply', match: { method: 'POST', path: '/volumes$' } });
    const v = await env.okJson(['volume', 'create', 'lost-answer', '--size', '4M']);
    expect(v.name).toBe('lost-answer');
    expect(env.sim.requests.count({ method: 'POST' })).toBe(1);
  });

  test('odd names test_-2- and test$@3# round-trip through create, get, list and delete', async () => {
    for (const name of ['test1', 'test_-2-', 'test$@3#']) {
      await env.okJson(['volume', 'create', name, '--size', '1M']);
      expect((await env.okJson(['volume', 'get', name])).name).toBe(name);
    }
    const listed = (await env.okJson(['volume', 'list'])).volumes.map((v: { name: string }) => v.name);
    expect(listed).toEqual(expect.arrayContaining(['test1', 'test_-2-', 'test$@3#']));
    expect((await env.okJson(['volume', 'get', 'test$@3#'])).physicalName).toMatch(/^vh_test__3__[A-Z2-7]+-*$/);
    for (const name of ['test1', 'test_-2-', 'test$@3#']) await env.okJson(['volume', 'delete', name]);
  });
});

/** Physical snapshot names of a volume, read straight from the simulator's state. */
function arraySnapshots(volume: string): string[] {
  return [...volumeByName(env.sim.state.pool('Pool-0')!, volume)!.snapshots.keys()];
}

describe('volume get / list / free-name', () => {
  test('get a missing volume → exit 3', async () => {
    const r = await env.run(['volume', 'get', 'vm-999-disk-0', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: volume vm-999-disk-0 does not exist\n');
  });

  test('a wrong pool is reported as such, never as a missing volume or a free name', async () => {
    const get = await env.run(['--pool', 'Pool-9', 'volume', 'get', 'vm-100-disk-0']);
    expect(get.code).toBe(3);
    expect(get.stderr).toBe('error: pool Pool-9 does not exist on JovianDSS\n');
    const free = await env.run(['--pool', 'Pool-9', 'volume', 'free-name', '--vmid', '100']);
    expect(free.code).toBe(3);
    expect(free.stderr).toMatch(/pool Pool-9 does not exist/);
  });

  test('list filters by VM id and skips export clones, hidden and foreign objects', async () => {
    await env.okJson(['volume', 'create', 'vm-300-disk-0', '--size', '1M']);
    await env.okJson(['volume', 'create', 'base-300-disk-1', '--size', '1M']);
    await env.okJson(['volume', 'create', 'vm-301-disk-0', '--size', '1M']);
    env.sim.seed({ pool: 'Pool-0', volumes: 1, prefix: 't_hidden-' });
    env.sim.seed({ pool: 'Pool-0', volumes: 1, prefix: 'se_snap1_OZWS2MJQGAWWI2LTNMWTA---' });
    env.sim.seed({ pool: 'Pool-0', volumes: 1, prefix: 'other-tool-' });
    const all = (await env.okJson(['volume', 'list'])).volumes.map((v: { name: string }) => v.name);
    expect(all.some((n: string) => /hidden|se_|other-tool/.test(n))).toBe(false);
    const mine = (await env.okJson(['volume', 'list', '--vmid', '300'])).volumes;
    expect(mine.map((v: { name: string }) => v.name).sort()).toEqual(['base-300-disk-1', 'vm-300-disk-0']);
    expect(mine[0]).toMatchObject({ vmid: 300, size: 1048576 });
  });

  test('free-name shares disk numbers between vm- and base- names', async () => {
    expect((await env.okJson(['volume', 'free-name', '--vmid', '300'])).name).toBe('vm-300-disk-2');
    expect((await env.okJson(['volume', 'free-name', '--vmid', '300', '--base'])).name).toBe('base-300-disk-2');
    expect((await env.okJson(['volume', 'free-name', '--vmid', '302'])).name).toBe('vm-302-disk-0');
  });

  test('free-name with a bad VM id → exit 2', async () => {
    expect((await env.run(['volume', 'free-name', '--vmid', 'x'])).code).toBe(2);
  });
});

describe('cluster prefix', () => {
  test('each cluster sees only its own volumes, under plain Proxmox names', async () => {
    await env.okJson(['--cluster-prefix', 'pveA', 'volume', 'create', 'vm-500-disk-0', '--size', '1M']);
    await env.okJson(['--cluster-prefix', 'pveB', 'volume', 'create', 'vm-500-disk-0', '--size', '1M']);
    const a = (await env.okJson(['--cluster-prefix', 'pveA', 'volume', 'list', '--vmid', '500'])).volumes;
    expect(a).toEqual([expect.objectContaining({ name: 'vm-500-disk-0', physicalName: 'v_pveA_vm-500-disk-0' })]);
    expect((await env.okJson(['--cluster-prefix', 'pveB', 'volume', 'free-name', '--vmid', '500'])).name).toBe('vm-500-disk-1');
    expect((await env.okJson(['volume', 'list', '--vmid', '500'])).volumes).toEqual([]);
  });
});

describe('volume resize', () => {
  test('grows and reports both sizes', async () => {
    await env.okJson(['volume', 'create', 'vm-600-disk-0', '--size', '1G']);
    expect(await env.okJson(['volume', 'resize', 'vm-600-disk-0', '--size', '2G'])).toEqual({
      name: 'vm-600-disk-0',
      previousSize: GiB,
      size: 2 * GiB,
    });
    expect((await env.okJson(['volume', 'resize', 'vm-600-disk-0', '--grow-by', '512M'])).size).toBe(2.5 * GiB);
    expect((await env.okJson(['volume', 'get', 'vm-600-disk-0'])).size).toBe(2.5 * GiB);
  });

  test('shrinking is refused with exit 2 and nothing sent to change it', async () => {
    const r = await env.run(['volume', 'resize', 'vm-600-disk-0', '--size', '1G']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to shrink/);
    expect(env.mutations()).toBe(0);
  });

  test('the same size is a no-op; a missing volume is exit 3', async () => {
    expect((await env.okJson(['volume', 'resize', 'vm-600-disk-0', '--size', '2560M'])).size).toBe(2.5 * GiB);
    expect(env.mutations()).toBe(0);
    expect((await env.run(['volume', 'resize', 'nope', '--size', '1G'])).code).toBe(3);
  });
});

describe('volume rename', () => {
  test('keeps the identity and refuses to overwrite', async () => {
    const v = await env.okJson(['volume', 'create', 'vm-700-disk-0', '--size', '1M']);
    await env.okJson(['volume', 'create', 'vm-701-disk-0', '--size', '1M']);
    const clash = await env.run(['volume', 'rename', 'vm-700-disk-0', 'vm-701-disk-0', '--json']);
    expect(clash.code).toBe(4);
    expect(env.mutations()).toBe(2); // only the two creates
    const r = await env.okJson(['volume', 'rename', 'vm-700-disk-0', 'base-700-disk-0']);
    expect(r).toEqual({ name: 'base-700-disk-0', previousName: 'vm-700-disk-0', scsiId: v.scsiId, alreadyRenamed: false });
    expect((await env.okJson(['volume', 'get', 'base-700-disk-0'])).scsiId).toBe(v.scsiId);
  });

  test('repeating a finished rename with --expect-scsi-id succeeds without changes', async () => {
    const v = await env.okJson(['volume', 'get', 'base-700-disk-0']);
    env.sim.requests.reset();
    const r = await env.okJson(['volume', 'rename', 'vm-700-disk-0', 'base-700-disk-0', '--expect-scsi-id', v.scsiId!]);
    expect(r.alreadyRenamed).toBe(true);
    expect(env.mutations()).toBe(0);
    expect((await env.run(['volume', 'rename', 'vm-700-disk-0', 'base-700-disk-0'])).code).toBe(3);
  });

  test('an appliance that would overwrite the destination never gets the chance', async () => {
    await env.okJson(['volume', 'create', 'keep-me', '--size', '1M']);
    await env.okJson(['volume', 'create', 'mover', '--size', '2M']);
    await env.sim.faults.add({ kind: 'renameOverwrites', count: 0 });
    const r = await env.run(['volume', 'rename', 'mover', 'keep-me']);
    env.sim.faults.clear();
    expect(r.code).toBe(4);
    expect((await env.okJson(['volume', 'get', 'keep-me'])).size).toBe(1048576);
  });
});

describe('volume clone and delete', () => {
  test('clone from a snapshot; the snapshot then cannot be deleted (exit 5 naming the clone)', async () => {
    await env.okJson(['volume', 'create', 'vm-800-disk-0', '--size', '4M']);
    await env.okJson(['snapshot', 'create', 'vm-800-disk-0', 'snap1']);
    const c = await env.okJson(['volume', 'clone', 'vm-800-disk-0', 'vm-801-disk-0', '--snapshot', 'snap1']);
    expect(c.origin).toEqual({ volume: 'vm-800-disk-0', snapshot: 'snap1' });
    const r = await env.run(['snapshot', 'delete', 'vm-800-disk-0', 'snap1', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.details.clones).toEqual(['vm-801-disk-0']);
  });

  test('deleting a volume with dependent clones fails (exit 5) naming them, and the volume stays', async () => {
    const r = await env.run(['volume', 'delete', 'vm-800-disk-0', '--cascade', '--json']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/dependent clones: vm-801-disk-0/);
    expect((await env.run(['volume', 'get', 'vm-800-disk-0'])).code).toBe(0);
  });

  test('without --cascade a volume with snapshots is refused, naming them', async () => {
    await env.okJson(['volume', 'delete', 'vm-801-disk-0']);
    const r = await env.run(['volume', 'delete', 'vm-800-disk-0', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.details.snapshots).toEqual(['snap1']);
    env.sim.requests.reset();
    const d = await env.okJson(['volume', 'delete', 'vm-800-disk-0', '--cascade']);
    expect(d.snapshots).toBeNull(); // one recursive DELETE did it; nothing had to be listed
    expect(env.sim.requests.count({})).toBe(2);
    expect((await env.run(['volume', 'get', 'vm-800-disk-0'])).code).toBe(3);
  });

  test('linked clone of a whole volume goes through an intermediate snapshot removed with the clone', async () => {
    await env.okJson(['volume', 'create', 'base-900-disk-0', '--size', '4M']);
    const c = await env.okJson(['volume', 'clone', 'base-900-disk-0', 'vm-901-disk-0']);
    expect(c.origin).toEqual({ volume: 'base-900-disk-0', snapshot: null });
    expect(arraySnapshots('v_base-900-disk-0')).toEqual(['v_vm-901-disk-0']);
    const d = await env.okJson(['volume', 'delete', 'vm-901-disk-0']);
    expect(d.intermediateSnapshot).toBe('base-900-disk-0@v_vm-901-disk-0');
    expect(arraySnapshots('v_base-900-disk-0')).toEqual([]);
  });

  test('a renamed clone still takes its intermediate snapshot along when deleted', async () => {
    await env.okJson(['volume', 'clone', 'base-900-disk-0', 'vm-904-disk-0']);
    await env.okJson(['volume', 'rename', 'vm-904-disk-0', 'vm-905-disk-0']);
    expect(arraySnapshots('v_base-900-disk-0')).toEqual(['v_vm-904-disk-0']);
    const d = await env.okJson(['volume', 'delete', 'vm-905-disk-0']);
    expect(d.intermediateSnapshot).toBe('base-900-disk-0@v_vm-904-disk-0');
    expect(arraySnapshots('v_base-900-disk-0')).toEqual([]);
  });

  test('a clone onto an existing name (exit 4) removes only its own intermediate snapshot', async () => {
    await env.okJson(['snapshot', 'create', 'base-900-disk-0', 'keep']);
    await env.okJson(['volume', 'create', 'vm-902-disk-0', '--size', '1M']);
    const r = await env.run(['volume', 'clone', 'base-900-disk-0', 'vm-902-disk-0']);
    expect(r.code).toBe(4);
    expect(arraySnapshots('v_base-900-disk-0')).toEqual(['s_keep']);
  });

  test('a whole-volume clone onto a taken name is refused before any change: no intermediate snapshot, no undo', async () => {
    env.sim.requests.reset();
    const r = await env.run(['volume', 'clone', 'base-900-disk-0', 'vm-902-disk-0', '--json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/vm-902-disk-0 already exists/);
    expect(env.mutations()).toBe(0);
    expect(arraySnapshots('v_base-900-disk-0')).toEqual(['s_keep']);
  });

  test('a whole-volume clone of a missing volume is exit 3 with nothing sent to change the array', async () => {
    env.sim.requests.reset();
    expect((await env.run(['volume', 'clone', 'base-404-disk-0', 'vm-906-disk-0'])).code).toBe(3);
    expect(env.mutations()).toBe(0);
  });

  test('clone from a missing snapshot → exit 3; delete of a missing volume → exit 3', async () => {
    expect((await env.run(['volume', 'clone', 'base-900-disk-0', 'vm-903-disk-0', '--snapshot', 'nope'])).code).toBe(3);
    expect((await env.run(['volume', 'delete', 'vm-999-disk-9'])).code).toBe(3);
  });
});
