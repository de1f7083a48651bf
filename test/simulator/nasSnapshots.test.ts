// NAS snapshots and clones over HTTPS: shapes, exact refusals (exists errno 5, missing errno 1,
// delete with clones errno 1000), rollback counts and a rollback restoring the files on disk,
// clone contents, clone endpoints' werkzeug 404.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { call, GiB, manualClock, poolPath } from './client';

let sim: RunningSimulator;
let dataDir: string;
let clock: ReturnType<typeof manualClock>;
let dir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jdssc-nas-'));
  clock = manualClock(1_700_000_000_000);
  sim = await startSimulator({
    listen: ['127.0.0.1'],
    seed: 8,
    now: clock.now,
    nasDataDir: dataDir,
    pools: [{ name: 'Pool-0', sizeBytes: 20 * GiB }],
  });
  expect((await call(sim, 'POST', poolPath('/nas-volumes'), { body: { name: 'ds', quota: '1G' } })).status).toBe(201);
  dir = sim.nasPaths('Pool-0', 'ds')!;
});
afterEach(async () => {
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const S = (rest = '') => poolPath(`/nas-volumes/ds/snapshots${rest}`);
const snap = async (name: string) => {
  const r = await call(sim, 'POST', S(), { body: { name } });
  if (r.status !== 201) throw new Error(`snapshot ${name}: ${r.status} ${r.text}`);
  clock.advance(1000);
  return r;
};
const clone = (snapshot: string, name: string) => call(sim, 'POST', S(`/${snapshot}/clones`), { body: { name } });

describe('create, list, get, delete', () => {
  test('POST answers 201 with the snapshot; exists → errno 5; dataset missing → errno 1', async () => {
    writeFileSync(join(dir, 'f.txt'), 'hello');
    const r = await snap('s_one');
    expect(r.json.data).toEqual({
      name: 's_one',
      full_name: 'Pool-0/ds@s_one',
      guid: expect.stringMatching(/^\d+$/),
      creation: '1700000000',
      createtxg: expect.stringMatching(/^\d+$/),
      used: '0',
      referenced: '5',
      clones: '',
    });
    const dup = await call(sim, 'POST', S(), { body: { name: 's_one' } });
    expect(dup.status).toBe(500);
    expect(dup.json.error).toMatchObject({ errno: 5, message: 'Resource Pool-0/ds@s_one already exists.' });
    const orphan = await call(sim, 'POST', poolPath('/nas-volumes/nope/snapshots'), { body: { name: 's' } });
    expect(orphan.status).toBe(500);
    expect(orphan.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/nope not found in this collection.' });
    expect((await call(sim, 'GET', poolPath('/nas-volumes/nope/snapshots?page=0'))).json.error.errno).toBe(1);
    const missing = await call(sim, 'GET', S('/s_nope'));
    expect(missing.status).toBe(500);
    expect(missing.json.error).toMatchObject({ errno: 1, message: 'Zfs resource: Pool-0/ds@s_nope not found in this collection.' });
    expect((await call(sim, 'GET', S('/s_one'))).json.data).toEqual(r.json.data);
    expect((await call(sim, 'POST', S(), { body: {} })).status).toBe(400);
  });

  test('the listing pages; the snapshot is a copy of the tree; DELETE removes it', async () => {
    writeFileSync(join(dir, 'f.txt'), 'v1');
    await snap('s_a');
    await snap('s_b');
    await snap('s_c');
    const p0 = (await call(sim, 'GET', S('?page=0&per_page=2'))).json.data;
    expect(p0.results).toBe(3);
    expect(p0.entries.map((e: { name: string }) => e.name)).toEqual(['s_a', 's_b']);
    expect((await call(sim, 'GET', S('?page=1&per_page=2'))).json.data.entries.map((e: { name: string }) => e.name)).toEqual(['s_c']);
    expect((await call(sim, 'GET', S('?page=2&per_page=2'))).json.data.entries).toEqual([]);
    const tree = sim.nasPaths('Pool-0', 'ds', 's_a')!;
    expect(readFileSync(join(tree, 'f.txt'), 'utf8')).toBe('v1');
    writeFileSync(join(dir, 'f.txt'), 'v2');
    expect(readFileSync(join(tree, 'f.txt'), 'utf8')).toBe('v1');
    expect((await call(sim, 'DELETE', S('/s_a'), { body: {} })).status).toBe(204);
    expect(existsSync(tree)).toBe(false);
    expect((await call(sim, 'DELETE', S('/s_a'), { body: {} })).json.error.errno).toBe(1);
  });
});

describe('clones', () => {
  test('a clone is a NAS volume with origin set, holding the snapshot’s files; its snapshot refuses deletion', async () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'data.bin'), Buffer.alloc(4096, 7));
    await snap('s_pub');
    writeFileSync(join(dir, 'later.txt'), 'not in the snapshot');
    const c = await clone('s_pub', 's_pub');
    expect(c.status).toBe(201);
    expect(c.json.data).toMatchObject({ name: 's_pub', origin: 'Pool-0/ds@s_pub', is_clone: true, quota: String(GiB), used: '4096' });
    const cdir = sim.nasPaths('Pool-0', 's_pub')!;
    expect(readFileSync(join(cdir, 'sub', 'data.bin'))).toEqual(Buffer.alloc(4096, 7));
    expect(existsSync(join(cdir, 'later.txt'))).toBe(false);
    expect((await call(sim, 'GET', S('/s_pub/clones'))).json.data).toEqual([{ name: 's_pub', full_name: 'Pool-0/s_pub', is_clone: true }]);
    expect((await call(sim, 'GET', S('/s_pub/clones/s_pub'))).json.data.origin).toBe('Pool-0/ds@s_pub');
    expect((await call(sim, 'GET', S('/s_pub'))).json.data.clones).toBe('Pool-0/s_pub');
    // Listed among the NAS volumes, as a dataset of the pool.
    expect((await call(sim, 'GET', poolPath('/nas-volumes'))).json.data.entries.map((e: { name: string }) => e.name)).toEqual([
      'ds',
      's_pub',
    ]);
    const taken = await clone('s_pub', 'ds');
    expect(taken.status).toBe(500);
    expect(taken.json.error.message).toBe("cannot create 'Pool-0/ds': dataset already exists");
    const busy = await call(sim, 'DELETE', S('/s_pub'), { body: {} });
    expect(busy.status).toBe(500);
    expect(busy.json.error).toMatchObject({
      errno: 1000,
      message: "cannot destroy 'Pool-0/ds@s_pub': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\nPool-0/s_pub",
    });
    const gone = await call(sim, 'GET', S('/s_pub/clones/other'));
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ class: 'werkzeug.exceptions.NotFound', message: 'Clone other not exists' });
    expect((await call(sim, 'DELETE', S('/s_pub/clones/other'), { body: {} })).status).toBe(404);
    expect((await call(sim, 'DELETE', S('/s_pub/clones/s_pub'), { body: {} })).status).toBe(204);
    expect(existsSync(cdir)).toBe(false);
    expect((await call(sim, 'GET', S('/s_pub/clones'))).json.data).toEqual([]);
    expect((await call(sim, 'DELETE', S('/s_pub'), { body: {} })).status).toBe(204);
  });

  test('a clone holds only what it uses in the pool, not its quota', async () => {
    const before = Number((await call(sim, 'GET', poolPath())).json.data.available);
    writeFileSync(join(dir, 'a'), Buffer.alloc(10_000));
    await snap('s1');
    expect((await clone('s1', 'c1')).status).toBe(201);
    expect(Number((await call(sim, 'GET', poolPath())).json.data.available)).toBe(before - 10_000);
  });
});

describe('rollback', () => {
  test('GET counts the newer snapshots and their clones; POST with clones refuses, errno 1000, nothing destroyed', async () => {
    await snap('s1');
    await snap('s2');
    await snap('s3');
    expect((await clone('s3', 'c3')).status).toBe(201);
    const check = await call(sim, 'GET', S('/s1/rollback'));
    expect(check.status).toBe(200);
    expect(check.json.data).toEqual({ snapshots: 2, clones: 1 });
    expect((await call(sim, 'GET', S('/s3/rollback'))).json.data).toEqual({ snapshots: 0, clones: 0 });
    const refused = await call(sim, 'POST', S('/s1/rollback'));
    expect(refused.status).toBe(500);
    expect(refused.json.error).toMatchObject({ class: 'zfslib.wrap.zfs.ZfsCmdError', errno: 1000 });
    expect(refused.json.error.message).toMatch(/^cannot rollback to 'Pool-0\/ds@s1': clones of previous snapshots exist\n.*\nPool-0\/c3$/);
    expect((await call(sim, 'GET', S())).json.data.results).toBe(3);
    expect((await call(sim, 'GET', S('/nope/rollback'))).json.error.errno).toBe(1);
  });

  test('POST restores the files in place (same directory) and destroys the newer snapshots', async () => {
    writeFileSync(join(dir, 'keep.txt'), 'original');
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'x'), 'x1');
    await snap('s1');
    writeFileSync(join(dir, 'keep.txt'), 'changed');
    writeFileSync(join(dir, 'new.txt'), 'added later');
    rmSync(join(dir, 'd'), { recursive: true });
    await snap('s2');
    const inode = statSync(dir).ino;
    const r = await call(sim, 'POST', S('/s1/rollback'));
    expect(r.status).toBe(200);
    expect(r.json.data).toBeNull();
    expect(statSync(dir).ino).toBe(inode);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('original');
    expect(readFileSync(join(dir, 'd', 'x'), 'utf8')).toBe('x1');
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    expect((await call(sim, 'GET', S())).json.data.entries.map((e: { name: string }) => e.name)).toEqual(['s1']);
    expect(existsSync(sim.nasPaths('Pool-0', 'ds', 's2')!)).toBe(false);
    expect((await call(sim, 'GET', poolPath('/nas-volumes/ds'))).json.data.used).toBe(String('original'.length + 'x1'.length));
  });
});
