// NAS volumes over HTTPS: create/list/get/resize/delete, every refusal with its exact status,
// errno and message, quota accounting in the pool's capacity, and `used` from the files on disk.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { call, GiB, manualClock, poolPath } from './client';

let sim: RunningSimulator;
let dataDir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jdssc-nas-'));
  sim = await startSimulator({
    listen: ['127.0.0.1'],
    seed: 7,
    now: manualClock(1_700_000_000_000).now,
    nasDataDir: dataDir,
    pools: [{ name: 'Pool-0', sizeBytes: 20 * GiB }],
  });
});
afterEach(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const nas = (rest = '') => poolPath(`/nas-volumes${rest}`);
const createNas = (name: string, quota: unknown = '1G', extra: Record<string, unknown> = {}) =>
  call(sim, 'POST', nas(), { body: { name, quota, ...extra } });
const poolAvailable = async () => Number((await call(sim, 'GET', poolPath())).json.data.available);

describe('create, list, get', () => {
  test('POST answers 201 with the NAS volume object; its directory exists under the data dir', async () => {
    const r = await createNas('datastore-01', '10G', { reservation: '1G' });
    expect(r.status).toBe(201);
    expect(r.json.error).toBeNull();
    expect(r.json.data).toMatchObject({
      name: 'datastore-01',
      quota: String(10 * GiB),
      reservation: String(GiB),
      used: '0',
      available: String(10 * GiB),
      referenced: '0',
      mountpoint: '/Pools/Pool-0/datastore-01',
      creation: '1700000000',
      guid: expect.stringMatching(/^\d+$/),
      origin: null,
      is_clone: false,
      readonly: false,
    });
    expect(sim.nasPaths('Pool-0', 'datastore-01')).toBe(join(dataDir, 'nas', 'Pool-0', 'datastore-01'));
    const listing = (await call(sim, 'GET', '/__simulator/nas')).json;
    expect(listing.dataDir).toBe(dataDir);
    expect(listing.volumes).toEqual([
      {
        pool: 'Pool-0',
        name: 'datastore-01',
        directory: join(dataDir, 'nas', 'Pool-0', 'datastore-01'),
        quota: 10 * GiB,
        used: 0,
        snapshots: [],
      },
    ]);
    const got = await call(sim, 'GET', nas('/datastore-01'));
    expect(got.status).toBe(200);
    expect(got.json.data).toEqual(r.json.data);
  });

  test('listing pages like volumes: {results, entries}, empty page past the end', async () => {
    for (const n of ['a1', 'a2', 'a3']) expect((await createNas(n, '1G')).status).toBe(201);
    const all = (await call(sim, 'GET', nas())).json.data;
    expect(all.results).toBe(3);
    expect(all.entries.map((e: { name: string }) => e.name)).toEqual(['a1', 'a2', 'a3']);
    const page = (await call(sim, 'GET', nas('?page=1&per_page=2'))).json.data;
    expect(page).toMatchObject({ results: 3, entries: [{ name: 'a3' }] });
    expect((await call(sim, 'GET', nas('?page=5&per_page=100'))).json.data.entries).toEqual([]);
    expect((await call(sim, 'GET', nas('?page=x'))).status).toBe(400);
  });

  test('refusals: missing pool 404, taken name (NAS or zvol) 500, bad quota 400, missing 500 errno 1', async () => {
    const noPool = await call(sim, 'GET', poolPath('/nas-volumes', 'Pool-9'));
    expect(noPool.status).toBe(404);
    expect(noPool.json.error).toMatchObject({ class: 'opene.exceptions.ItemNotFoundError', message: 'Pool Pool-9 not exists.' });
    await createNas('d1');
    const dup = await createNas('d1');
    expect(dup.status).toBe(500);
    expect(dup.json.error.message).toBe("cannot create 'Pool-0/d1': dataset already exists");
    expect((await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'z1', size: '1G', sparse: true } })).status).toBe(201);
    const onZvol = await createNas('z1');
    expect(onZvol.status).toBe(500);
    expect(onZvol.json.error.message).toBe("cannot create 'Pool-0/z1': dataset already exists");
    const zvolOnNas = await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'd1', size: '1G', sparse: true } });
    expect(zvolOnNas.status).toBe(500);
    expect(zvolOnNas.json.error.message).toBe("cannot create 'Pool-0/d1': dataset already exists");
    for (const quota of [0, '0', 'lots', -5, '1.0000001K']) {
      const bad = await createNas('d2', quota);
      expect(bad.status).toBe(400);
      expect(bad.json.error.class).toBe('opene.exceptions.ValidationError');
    }
    expect((await call(sim, 'POST', nas(), { body: { name: 'd2' } })).json.error.message).toBe("'quota' is a required property");
    const missing = await call(sim, 'GET', nas('/nope'));
    expect(missing.status).toBe(500);
    expect(missing.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/nope not found in this collection.' });
    expect((await call(sim, 'PUT', nas('/nope'), { body: { quota: '2G' } })).json.error.errno).toBe(1);
    expect((await call(sim, 'DELETE', nas('/nope'), { body: {} })).json.error.errno).toBe(1);
  });
});

describe('capacity: quotas count as used space', () => {
  test('a quota larger than free is refused; the pool shrinks by each quota and zvols see it', async () => {
    const free0 = await poolAvailable();
    expect(free0).toBe(20 * GiB);
    const big = await createNas('huge', String(21 * GiB));
    expect(big.status).toBe(500);
    expect(big.json.error).toMatchObject({
      class: 'opene.storage.zfs.ZfsOeError',
      message: `New quota(${21 * GiB}) exceeds available space on pool Pool-0(${20 * GiB}).`,
    });
    expect((await createNas('d1', '15G')).status).toBe(201);
    expect(await poolAvailable()).toBe(5 * GiB);
    const zvol = await call(sim, 'POST', poolPath('/volumes'), { body: { name: 'z', size: '6G', sparse: true } });
    expect(zvol.status).toBe(500);
    expect(zvol.json.error.message).toBe(`New zvol size(${6 * GiB}) exceeds available space on pool Pool-0(${5 * GiB}).`);
    // Growing the quota needs only the growth to fit.
    expect((await call(sim, 'PUT', nas('/d1'), { body: { quota: '20G' } })).status).toBe(200);
    expect(await poolAvailable()).toBe(0);
    const over = await call(sim, 'PUT', nas('/d1'), { body: { quota: '21G' } });
    expect(over.status).toBe(500);
    expect(over.json.error.message).toBe(`New quota(${21 * GiB}) exceeds available space on pool Pool-0(0).`);
    expect((await call(sim, 'DELETE', nas('/d1'), { body: {} })).status).toBe(204);
    expect(await poolAvailable()).toBe(20 * GiB);
  });

  test('used is the size of the files; a quota below it is refused; pool GET re-measures', async () => {
    await createNas('d1', '1M');
    const dir = sim.nasPaths('Pool-0', 'd1')!;
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(300_000));
    writeFileSync(join(dir, 'b.bin'), Buffer.alloc(200_000));
    const got = (await call(sim, 'GET', nas('/d1'))).json.data;
    expect(got).toMatchObject({ used: '500000', referenced: '500000', available: String(2 ** 20 - 500_000) });
    const below = await call(sim, 'PUT', nas('/d1'), { body: { quota: '400000' } });
    expect(below.status).toBe(500);
    expect(below.json.error.message).toBe('size is less than current used amount');
    const shrunk = await call(sim, 'PUT', nas('/d1'), { body: { quota: 600_000, reservation: '100000' } });
    expect(shrunk.status).toBe(200);
    expect(shrunk.json.data).toMatchObject({ quota: '600000', reservation: '100000' });
    // Beyond its quota (nothing enforces it on the files) the use is what counts.
    writeFileSync(join(dir, 'c.bin'), Buffer.alloc(400_000));
    expect(await poolAvailable()).toBe(20 * GiB - 900_000);
    expect((await call(sim, 'PUT', nas('/d1'), { body: {} })).status).toBe(400);
  });
});

describe('delete', () => {
  test('snapshots refuse without recursively_children; with it everything goes, directory included', async () => {
    await createNas('d1');
    expect((await call(sim, 'POST', nas('/d1/snapshots'), { body: { name: 's1' } })).status).toBe(201);
    expect((await call(sim, 'POST', nas('/d1/snapshots'), { body: { name: 's2' } })).status).toBe(201);
    const r = await call(sim, 'DELETE', nas('/d1'), { body: {} });
    expect(r.status).toBe(500);
    expect(r.json.error).toMatchObject({
      class: 'zfslib.wrap.zfs.ZfsCmdError',
      errno: 1000,
      message:
        "cannot destroy 'Pool-0/d1': filesystem has children\nuse '-r' to destroy the following datasets:\nPool-0/d1@s1\nPool-0/d1@s2",
    });
    expect((await call(sim, 'DELETE', nas('/d1'), { body: { recursively_children: true } })).status).toBe(204);
    expect((await call(sim, 'GET', '/__simulator/nas')).json.volumes).toEqual([]);
    expect((await call(sim, 'GET', nas('/d1'))).status).toBe(500);
  });

  test('clones refuse whatever the flags; a share refuses with errno 16', async () => {
    await createNas('d1');
    await call(sim, 'POST', nas('/d1/snapshots'), { body: { name: 's1' } });
    expect((await call(sim, 'POST', nas('/d1/snapshots/s1/clones'), { body: { name: 'c1' } })).status).toBe(201);
    for (const body of [{}, { recursively_children: true }]) {
      const r = await call(sim, 'DELETE', nas('/d1'), { body });
      expect(r.status).toBe(500);
      expect(r.json.error).toMatchObject({
        class: 'opene.storage.zfs.ZfsOeError',
        message: 'In order to delete a dataset, you must delete all of its clones first.',
      });
    }
    expect((await call(sim, 'POST', '/api/v4/shares', { body: { name: 'sh1', path: 'Pool-0/c1' } })).status).toBe(201);
    const shared = await call(sim, 'DELETE', nas('/c1'), { body: {} });
    expect(shared.status).toBe(500);
    expect(shared.json.error).toMatchObject({ errno: 16, message: 'Dataset Pool-0/c1 is used by share sh1.' });
    expect((await call(sim, 'DELETE', '/api/v4/shares/sh1')).status).toBe(204);
    expect((await call(sim, 'DELETE', nas('/c1'), { body: {} })).status).toBe(204);
    expect((await call(sim, 'DELETE', nas('/d1'), { body: { recursively_children: true } })).status).toBe(204);
  });
});

describe('the files', () => {
  test('a directory that cannot be made fails the create with a 500 and leaves no NAS volume', async () => {
    mkdirSync(join(dataDir, 'nas'), { recursive: true });
    writeFileSync(join(dataDir, 'nas', 'Pool-0'), 'not a directory'); // even root cannot mkdir below a file
    const r = await createNas('d1');
    expect(r.status).toBe(500);
    expect((await call(sim, 'GET', nas('/d1'))).json.error.errno).toBe(1);
    expect(await poolAvailable()).toBe(20 * GiB);
  });
});
