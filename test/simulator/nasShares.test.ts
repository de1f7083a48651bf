// Global shares over HTTPS (create / 409 / get / 404 / delete / paging across pools, names unique
// across pools), plus what NAS objects share with the rest of the simulator: the control API's
// seed and listing, persistence in the state file, and fault injection on the new routes.
import { describe, test, expect, afterEach } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index';
import { call, GiB, poolPath } from './client';

let sim: RunningSimulator | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'jdssc-nas-'));
  dirs.push(d);
  return d;
}

const twoPools = {
  pools: [
    { name: 'Pool-0', sizeBytes: 20 * GiB },
    { name: 'Pool-1', sizeBytes: 20 * GiB },
  ],
};
async function start(extra: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ listen: ['127.0.0.1'], seed: 9, ...twoPools, ...extra });
  return sim;
}
const createNas = (s: RunningSimulator, pool: string, name: string) =>
  call(s, 'POST', poolPath('/nas-volumes', pool), { body: { name, quota: '1G' } });
const nfs = { enabled: true, all_squash: false, no_root_squash: true, allow_access_ip: ['127.0.0.0/8'], allow_write_ip: [] };
const createShare = (s: RunningSimulator, name: string, path: string, extra: Record<string, unknown> = {}) =>
  call(s, 'POST', '/api/v4/shares', { body: { name, path, active: true, nfs, ...extra } });

describe('shares', () => {
  test('create 201, get, exists 409 errno 1, missing dataset 500, get/delete missing 404', async () => {
    const s = await start();
    await createNas(s, 'Pool-0', 'ds');
    const r = await createShare(s, 'ds', 'Pool-0/ds');
    expect(r.status).toBe(201);
    const shape = {
      name: 'ds',
      path: 'Pool-0/ds',
      real_path: '/Pools/Pool-0/ds',
      active: true,
      nfs: { ...nfs, enabled: true },
      smb: { enabled: false },
    };
    expect(r.json.data).toEqual(shape);
    expect((await call(s, 'GET', '/api/v4/shares/ds')).json.data).toEqual(shape);
    const dup = await createShare(s, 'ds', 'Pool-0/ds');
    expect(dup.status).toBe(409);
    expect(dup.json.error).toMatchObject({ errno: 1, message: 'Share ds already exists.' });
    for (const path of ['Pool-0/nope', 'Pool-9/ds', 'ds', '']) {
      const bad = await createShare(s, 'other', path);
      expect(bad.status).toBe(500);
      expect(bad.json.error.message).toBe(`cannot open '${path}': dataset does not exist`);
    }
    const missing = await call(s, 'GET', '/api/v4/shares/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ class: 'werkzeug.exceptions.NotFound', message: 'Share nope not exists.' });
    expect((await call(s, 'DELETE', '/api/v4/shares/nope')).status).toBe(404);
    expect((await createShare(s, 'x', 'Pool-0/ds', { nfs: { allow_access_ip: '10.0.0.1' } })).status).toBe(400);
    expect((await createShare(s, 'x', 'Pool-0/ds', { nfs: { all_squash: 'yes' } })).status).toBe(400);
    expect((await call(s, 'POST', '/api/v4/shares', { body: { path: 'Pool-0/ds' } })).status).toBe(400);
    expect((await call(s, 'DELETE', '/api/v4/shares/ds')).status).toBe(204);
    expect((await call(s, 'GET', '/api/v4/shares/ds')).status).toBe(404);
  });

  test('names are unique across pools; listing pages over every pool; the control API gives each share its directory', async () => {
    const data = tempDir();
    const s = await start({ nasDataDir: data });
    await createNas(s, 'Pool-0', 'ds');
    await createNas(s, 'Pool-1', 'ds');
    expect((await createShare(s, 'ds', 'Pool-0/ds')).status).toBe(201);
    expect((await createShare(s, 'ds', 'Pool-1/ds')).status).toBe(409);
    expect((await createShare(s, 'ds-p1', 'Pool-1/ds')).status).toBe(201);
    expect((await createShare(s, 'ds-p1b', 'Pool-1/ds')).status).toBe(201);
    const all = (await call(s, 'GET', '/api/v4/shares?page=0&per_page=100')).json.data;
    expect(all.results).toBe(3);
    expect(all.entries.map((e: { name: string; path: string }) => `${e.name}=${e.path}`)).toEqual([
      'ds=Pool-0/ds',
      'ds-p1=Pool-1/ds',
      'ds-p1b=Pool-1/ds',
    ]);
    expect((await call(s, 'GET', '/api/v4/shares?page=1&per_page=2')).json.data.entries.map((e: { name: string }) => e.name)).toEqual([
      'ds-p1b',
    ]);
    expect((await call(s, 'GET', '/api/v4/shares?page=1&per_page=100')).json.data.entries).toEqual([]);
    const listed = (await call(s, 'GET', '/__simulator/nas')).json.shares;
    expect(listed[1]).toMatchObject({ name: 'ds-p1', path: 'Pool-1/ds', directory: join(data, 'nas', 'Pool-1', 'ds') });
    expect(existsSync(listed[1].directory)).toBe(true);
  });
});

describe('seed, persistence, faults', () => {
  test('the control seed creates NAS volumes and shares', async () => {
    const s = await start();
    const r = await call(s, 'POST', '/__simulator/seed', {
      body: { pool: 'Pool-1', nasVolumes: [{ name: 'n1', quota: '2G' }], shares: [{ name: 'n1' }] },
    });
    expect(r.status).toBe(201);
    expect((await call(s, 'GET', poolPath('/nas-volumes/n1', 'Pool-1'))).json.data.quota).toBe(String(2 * GiB));
    expect((await call(s, 'GET', '/api/v4/shares/n1')).json.data).toMatchObject({ path: 'Pool-1/n1', nfs: { enabled: true } });
    expect(Number((await call(s, 'GET', poolPath('', 'Pool-1'))).json.data.available)).toBe(18 * GiB);
    expect((await call(s, 'GET', '/__simulator/health')).json).toMatchObject({
      pools: [
        { name: 'Pool-0', nasVolumes: 0 },
        { name: 'Pool-1', nasVolumes: 1 },
      ],
      shares: 1,
    });
    const bad = await call(s, 'POST', '/__simulator/seed', { body: { pool: 'Pool-1', shares: [{ name: 'x', dataset: 'nope' }] } });
    expect(bad.status).toBe(500);
  });

  test('NAS volumes, snapshots, clones and shares survive a restart from the state file; files stay', async () => {
    const data = tempDir();
    const stateFile = join(tempDir(), 'state.json');
    let s = await start({ nasDataDir: data, stateFile });
    await createNas(s, 'Pool-0', 'ds');
    writeFileSync(join(s.nasPaths('Pool-0', 'ds')!, 'f'), 'abc');
    await call(s, 'POST', poolPath('/nas-volumes/ds/snapshots'), { body: { name: 's1' } });
    await call(s, 'POST', poolPath('/nas-volumes/ds/snapshots/s1/clones'), { body: { name: 'c1' } });
    await createShare(s, 'c1', 'Pool-0/c1');
    await s.close();
    sim = undefined;
    s = await start({ nasDataDir: data, stateFile });
    expect((await call(s, 'GET', poolPath('/nas-volumes/ds'))).json.data.used).toBe('3');
    expect((await call(s, 'GET', poolPath('/nas-volumes/ds/snapshots/s1'))).json.data.clones).toBe('Pool-0/c1');
    expect((await call(s, 'GET', '/api/v4/shares/c1')).json.data.path).toBe('Pool-0/c1');
    expect(readFileSync(join(s.nasPaths('Pool-0', 'c1')!, 'f'), 'utf8')).toBe('abc');
    expect(Number((await call(s, 'GET', poolPath())).json.data.available)).toBe(19 * GiB - 3);
    const shared = await call(s, 'DELETE', poolPath('/nas-volumes/c1'), { body: {} });
    expect(shared.json.error.errno).toBe(16);
  });

  test('faults apply to the NAS and share routes: 5xx applies nothing, dropAfterApply applies, staleList hides', async () => {
    const s = await start();
    await call(s, 'POST', '/__simulator/faults', { body: { kind: 'status5xx', match: { method: 'POST', path: '/nas-volumes$' } } });
    expect((await createNas(s, 'Pool-0', 'ds')).status).toBe(500);
    expect((await call(s, 'GET', poolPath('/nas-volumes/ds'))).status).toBe(500);
    expect((await createNas(s, 'Pool-0', 'ds')).status).toBe(201);
    await call(s, 'POST', '/__simulator/faults', { body: { kind: 'dropAfterApply', match: { path: '/shares$' } } });
    await expect(createShare(s, 'ds', 'Pool-0/ds')).rejects.toThrow();
    expect((await call(s, 'GET', '/api/v4/shares/ds')).status).toBe(200);
    await call(s, 'POST', '/__simulator/faults', { body: { kind: 'staleList', match: { path: '/nas-volumes$' } } });
    expect((await call(s, 'GET', poolPath('/nas-volumes'))).json.data.entries).toEqual([]);
    expect((await call(s, 'GET', poolPath('/nas-volumes'))).json.data.entries.length).toBe(1);
    expect(s.requests.count({ pathPrefix: '/api/v4/shares' })).toBeGreaterThan(0);
  });
});
