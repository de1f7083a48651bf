// Snapshots and clones: shapes, exact errors, ZFS busy rules, recursive deletes, rollback
// (count with the appliance's same-second blind spot vs the destructive POST).
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { localDateTime } from '../../src/simulator/api/shapes';
import { call, createSnapshot, createVolume, GiB, manualClock, poolPath } from './client';

let sim: RunningSimulator;
let clock: ReturnType<typeof manualClock>;
beforeEach(async () => {
  clock = manualClock(1_700_000_000_000);
  sim = await startSimulator({ listen: ['127.0.0.1'], seed: 5, now: clock.now, pools: [{ name: 'Pool-0', sizeBytes: 20 * GiB }] });
  await createVolume(sim, 'v_src', '1G');
});
afterEach(async () => sim.close());

const clone = (name: string, snapshot: string, extra: Record<string, unknown> = {}) =>
  call(sim, 'POST', poolPath('/volumes/v_src/clone'), { body: { name, snapshot, sparse: true, ...extra } });

describe('create, list, get', () => {
  test('POST answers 200 with JSON; duplicates are errno 5; a missing volume is errno 1', async () => {
    const r = await call(sim, 'POST', poolPath('/volumes/v_src/snapshots'), { body: { snapshot_name: 's_snap1' } });
    expect(r.status).toBe(200);
    expect(r.json.error).toBeNull();
    expect(r.json.data.name).toBe('s_snap1');
    const dup = await call(sim, 'POST', poolPath('/volumes/v_src/snapshots'), { body: { snapshot_name: 's_snap1' } });
    expect(dup.status).toBe(500);
    expect(dup.json.error.errno).toBe(5);
    const orphan = await call(sim, 'POST', poolPath('/volumes/v_nope/snapshots'), { body: { snapshot_name: 's_x' } });
    expect(orphan.status).toBe(500);
    expect(orphan.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/v_nope not found in this collection.' });
  });

  test('v4 listing entries nest guid and an integer creation; paging ends with an empty page', async () => {
    await createSnapshot(sim, 'v_src', 's_a');
    clock.advance(5000);
    await createSnapshot(sim, 'v_src', 's_b');
    const page0 = (await call(sim, 'GET', poolPath('/volumes/v_src/snapshots?page=0'))).json.data;
    expect(page0.results).toBe(2);
    expect(page0.entries).toEqual([
      { name: 's_a', properties: { guid: expect.stringMatching(/^\d+$/), creation: 1_700_000_000 } },
      { name: 's_b', properties: { guid: expect.stringMatching(/^\d+$/), creation: 1_700_000_005 } },
    ]);
    expect((await call(sim, 'GET', poolPath('/volumes/v_src/snapshots?page=1'))).json.data.entries).toEqual([]);
    expect((await call(sim, 'GET', poolPath('/volumes/v_src/snapshots?page=1&per_page=1'))).json.data.entries[0].name).toBe('s_b');
    const v3 = (await call(sim, 'GET', '/api/v3/pools/Pool-0/volumes/v_src/snapshots?page=0')).json.data.entries[0];
    expect(v3).toMatchObject({ name: 's_a', creation: localDateTime(1_700_000_000_000) });
    const missing = await call(sim, 'GET', poolPath('/volumes/v_nope/snapshots?page=0'));
    expect(missing.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/v_nope not found in this collection.' });
  });

  test('the pool-wide listing gives creation as the same integer epoch as the per-volume listing', async () => {
    await createSnapshot(sim, 'v_src', 's_a');
    const perVolume = (await call(sim, 'GET', poolPath('/volumes/v_src/snapshots?page=0'))).json.data.entries[0];
    const poolWide = (await call(sim, 'GET', poolPath('/volumes/snapshots?page=0'))).json.data.entries[0];
    expect(poolWide).toMatchObject({ volume: 'v_src', name: 's_a', properties: { creation: 1_700_000_000 } });
    expect(typeof poolWide.properties.creation).toBe('number');
    expect(poolWide.properties.creation).toBe(perVolume.properties.creation);
  });

  test('the newerNotFound fault answers a missing volume on snapshot pages the newer way', async () => {
    await sim.faults.add({ kind: 'newerNotFound' });
    const r = await call(sim, 'GET', poolPath('/volumes/v_nope/snapshots?page=0'));
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ class: 'opene.exceptions.ItemNotFoundError', message: 'Resource Pool-0/v_nope not found.' });
  });

  test('single snapshot: local date string, volsize, the parent san:volume_id, clones', async () => {
    await createSnapshot(sim, 'v_src', 's_snap1');
    await clone('v_c1', 's_snap1');
    await call(sim, 'PUT', poolPath('/volumes/v_src'), { body: { size: '2G' } });
    const parent = (await call(sim, 'GET', poolPath('/volumes/v_src'))).json.data;
    const s = (await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_snap1'))).json.data;
    expect(s).toMatchObject({
      name: 's_snap1',
      type: 'snapshot',
      volsize: String(GiB),
      clones: 'Pool-0/v_c1',
      'san:volume_id': parent['san:volume_id'],
    });
    expect(s.creation).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(s.creation).toBe(localDateTime(clock.t));
    const missing = await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_nope'));
    expect(missing.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/v_src@s_nope not found in this collection.' });
  });

  test('the unpaddedDates fault reproduces the appliance date form with unpadded fields', async () => {
    clock.t = new Date(2024, 4, 7, 6, 5, 4).getTime();
    await createSnapshot(sim, 'v_src', 's_early');
    await sim.faults.add({ kind: 'unpaddedDates' });
    expect((await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_early'))).json.data.creation).toBe('2024-5-7 6:5:4');
    expect((await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_early'))).json.data.creation).toBe('2024-05-07 06:05:04');
  });
});

describe('clones', () => {
  test('a clone has origin/is_clone, its own ids, and is listed under the snapshot', async () => {
    await createSnapshot(sim, 'v_src', 's_snap1');
    const r = await clone('se_snap1_X', 's_snap1', { readonly: true });
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ name: 'se_snap1_X', full_name: 'Pool-0/se_snap1_X', is_clone: true, origin: 'Pool-0/v_src@s_snap1' });
    const c = (await call(sim, 'GET', poolPath('/volumes/se_snap1_X'))).json.data;
    const src = (await call(sim, 'GET', poolPath('/volumes/v_src'))).json.data;
    expect(c).toMatchObject({ is_clone: true, origin: 'Pool-0/v_src@s_snap1', volsize: String(GiB), readonly: 'on' });
    expect(c.default_scsi_id).not.toBe(src.default_scsi_id);
    const clones = await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_snap1/clones'));
    expect(clones.json.data).toEqual([{ name: 'se_snap1_X', full_name: 'Pool-0/se_snap1_X', is_clone: true }]);
  });

  test('clone errors: name taken is errno 100; a missing snapshot is errno 1; thick clones need space', async () => {
    await createSnapshot(sim, 'v_src', 's_snap1');
    const taken = await clone('v_src', 's_snap1');
    expect(taken.status).toBe(500);
    expect(taken.json.error).toMatchObject({ errno: 100, message: "cannot create 'Pool-0/v_src': dataset already exists" });
    const noSnap = await clone('v_x', 's_nope');
    expect(noSnap.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/v_src@s_nope not found in this collection.' });
    await createVolume(sim, 'v_hog', '19.5G', { sparse: false });
    const full = await clone('v_thick', 's_snap1', { sparse: false });
    expect(full.json.error.message).toBe(`New zvol size(${GiB}) exceeds available space on pool Pool-0(${GiB / 2}).`);
  });
});

describe('ZFS busy rules and recursive deletes', () => {
  test('a snapshot with clones cannot be deleted (errno 1000) until its clones are gone', async () => {
    await createSnapshot(sim, 'v_src', 's_snap1');
    await clone('v_c1', 's_snap1');
    for (const body of [{}, { recursively_children: true }]) {
      const r = await call(sim, 'DELETE', poolPath('/volumes/v_src/snapshots/s_snap1'), { body });
      expect(r.status).toBe(500);
      expect(r.json.error.errno).toBe(1000);
      expect(r.json.error.message).toContain('Pool-0/v_c1');
    }
    expect((await call(sim, 'DELETE', poolPath('/volumes/v_c1'))).status).toBe(204);
    const ok = await call(sim, 'DELETE', poolPath('/volumes/v_src/snapshots/s_snap1'), { body: {} });
    expect(ok.status).toBe(204);
  });

  test('recursively_dependents destroys the clones too (zfs destroy -R), unless one is a LUN', async () => {
    await createSnapshot(sim, 'v_src', 's_snap1');
    await clone('v_c1', 's_snap1');
    await createSnapshot(sim, 'v_c1', 's_inner');
    await call(sim, 'POST', '/api/v4/pools/Pool-0/volumes/v_c1/clone', { body: { name: 'v_c2', snapshot: 's_inner' } });
    await call(sim, 'POST', poolPath('/san/iscsi/targets'), { body: { name: 'iqn.2025-01.test:t0' } });
    await call(sim, 'POST', poolPath('/san/iscsi/targets/iqn.2025-01.test:t0/luns'), { body: { name: 'v_c2' } });
    const busy = await call(sim, 'DELETE', poolPath('/volumes/v_src/snapshots/s_snap1'), { body: { recursively_dependents: true } });
    expect(busy.json.error).toMatchObject({ errno: 1000, message: "cannot destroy 'Pool-0/v_c2': dataset is busy" });
    expect((await call(sim, 'GET', poolPath('/volumes/v_c1'))).status).toBe(200); // nothing destroyed
    await call(sim, 'DELETE', poolPath('/san/iscsi/targets/iqn.2025-01.test:t0/luns/v_c2'));
    const r = await call(sim, 'DELETE', poolPath('/volumes/v_src/snapshots/s_snap1'), { body: { recursively_dependents: true } });
    expect(r.status).toBe(204);
    const names = (await call(sim, 'GET', poolPath('/volumes'))).json.data.entries.map((e: { name: string }) => e.name);
    expect(names).toEqual(['v_src']);
  });

  test('a volume with snapshots needs recursively_children (exact ZfsCmdError message)', async () => {
    await createSnapshot(sim, 'v_src', 's_a');
    await createSnapshot(sim, 'v_src', 's_b');
    const r = await call(sim, 'DELETE', poolPath('/volumes/v_src'));
    expect(r.status).toBe(500);
    expect(r.json.error).toMatchObject({
      class: 'zfslib.wrap.zfs.ZfsCmdError',
      errno: 1000,
      message:
        "cannot destroy 'Pool-0/v_src': volume has children\nuse '-r' to destroy the following datasets:\nPool-0/v_src@s_a\nPool-0/v_src@s_b",
    });
    expect((await call(sim, 'DELETE', poolPath('/volumes/v_src'), { body: { recursively_children: true } })).status).toBe(204);
  });

  test('a volume with clones cannot be deleted, recursive or not (ZfsOeError)', async () => {
    await createSnapshot(sim, 'v_src', 's_a');
    await clone('v_c1', 's_a');
    for (const body of [undefined, { recursively_children: true }, { recursively_children: true, force_umount: true }]) {
      const r = await call(sim, 'DELETE', poolPath('/volumes/v_src'), { body });
      expect(r.status).toBe(500);
      expect(r.json.error).toMatchObject({
        class: 'opene.storage.zfs.ZfsOeError',
        message: 'In order to delete a zvol, you must delete all of its clones first.',
      });
    }
  });
});

describe('rollback', () => {
  test('GET counts newer snapshots by whole seconds: a same-second snapshot is missed; POST destroys it', async () => {
    clock.t = 1_700_000_000_100;
    await createSnapshot(sim, 'v_src', 's_target');
    clock.t = 1_700_000_000_900; // same second
    await createSnapshot(sim, 'v_src', 's_same_second');
    let counts = (await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_target/rollback'))).json;
    expect(counts).toEqual({ data: { snapshots: 0, clones: 0 }, error: null });
    clock.t = 1_700_000_002_000;
    await createSnapshot(sim, 'v_src', 's_later');
    await clone('v_c1', 's_later');
    counts = (await call(sim, 'GET', poolPath('/volumes/v_src/snapshots/s_target/rollback'))).json.data;
    expect(counts).toEqual({ snapshots: 1, clones: 1 });
    await call(sim, 'DELETE', poolPath('/volumes/v_c1'));
    const r = await call(sim, 'POST', poolPath('/volumes/v_src/snapshots/s_target/rollback'));
    expect(r.status).toBe(200);
    expect(r.json.error).toBeNull();
    const left = (await call(sim, 'GET', poolPath('/volumes/v_src/snapshots?page=0'))).json.data.entries.map(
      (e: { name: string }) => e.name,
    );
    expect(left).toEqual(['s_target']);
  });

  test('POST refuses when a newer snapshot has clones, and destroys nothing', async () => {
    await createSnapshot(sim, 'v_src', 's_target');
    clock.advance(1000);
    await createSnapshot(sim, 'v_src', 's_newer');
    await clone('v_c1', 's_newer');
    const r = await call(sim, 'POST', poolPath('/volumes/v_src/snapshots/s_target/rollback'));
    expect(r.status).toBe(500);
    expect(r.json.error.errno).toBe(1000);
    expect(r.json.error.message).toMatch(/^cannot rollback to 'Pool-0\/v_src@s_target': clones of previous snapshots exist\n/);
    expect((await call(sim, 'GET', poolPath('/volumes/v_src/snapshots?page=0'))).json.data.results).toBe(2);
  });

  test('rollback restores the size the volume had at the snapshot', async () => {
    await createSnapshot(sim, 'v_src', 's_target');
    await call(sim, 'PUT', poolPath('/volumes/v_src'), { body: { size: '3G' } });
    await call(sim, 'POST', poolPath('/volumes/v_src/snapshots/s_target/rollback'));
    expect((await call(sim, 'GET', poolPath('/volumes/v_src'))).json.data.volsize).toBe(String(GiB));
  });

  test('snapshots are ordered by a strictly increasing createtxg', async () => {
    for (const s of ['s_1', 's_2', 's_3']) await createSnapshot(sim, 'v_src', s);
    const txgs = [];
    for (const s of ['s_1', 's_2', 's_3'])
      txgs.push(Number((await call(sim, 'GET', poolPath(`/volumes/v_src/snapshots/${s}`))).json.data.createtxg));
    expect(txgs[0]).toBeLessThan(txgs[1]);
    expect(txgs[1]).toBeLessThan(txgs[2]);
  });
});
