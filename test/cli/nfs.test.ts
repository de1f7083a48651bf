// nfs activate / deactivate / status end to end: the real CLI against the simulator (NAS volumes
// and shares over REST, their files in the simulator's data directory) and the fake host's
// mount/umount, whose mount makes the directory show the NAS volume's folder.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { NfsActivation, NfsDeactivation, NfsStatus } from '../../src/flows/nfs';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { addForeignMount } from '../host/fakes/lib/nfs.mjs';

const EXPORT = '/Pools/Pool-0/pve-files';
let env: CliEnv;
let dir: string;
let nasData: string;
const simData = tempDir('jdssc-nfs-sim-');
beforeAll(async () => {
  nasData = join(simData.dir, 'sim-data');
  env = await cliEnv({ fakeHost: true, nasDataDir: nasData });
  env.host!.update((s) => {
    s.nfs = { mounts: [], nasDir: join(nasData, 'nas') };
  });
  dir = join(env.dir, 'mnt/pve/jdss-nfs');
});
afterAll(async () => {
  await env.close();
  simData.cleanup();
});

const oneLine = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => !/^\s*$/.test(l));
const mountCalls = () => (env.host!.state().calls as { tool: string; argv: string[] }[]).filter((c) => c.tool === 'mount');
const activate = (...extra: string[]) => ['nfs', 'activate', '--export', EXPORT, '--path', dir, '--server', '127.0.0.2', ...extra];

describe('nfs commands', () => {
  test('missing NAS volume without --create: exit 3, one line, nothing created or mounted', async () => {
    env.sim.requests.reset();
    const r = await env.run(activate());
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(/NAS volume pve-files does not exist on pool Pool-0; .*--create --quota SIZE/),
    ]);
    expect(env.mutations()).toBe(0);
    expect(mountCalls()).toHaveLength(0);
  });

  test('--quota 0: exit 2 before any request', async () => {
    env.sim.requests.reset();
    const r = await env.run(activate('--create', '--quota', '0'));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(['error: --quota: must be more than 0 bytes']);
    expect(env.sim.requests.count({})).toBe(0);
  });

  test('--create --quota: NAS volume and share created, the export mounted, files land in the NAS volume', async () => {
    const a = await env.okJson<NfsActivation>(activate('--create', '--quota', '1G'));
    expect(a).toMatchObject({
      path: dir,
      export: EXPORT,
      source: `127.0.0.2:${EXPORT}`,
      mounted: true,
      created: { nasVolume: true, share: true },
    });
    const vol = await env.rest('GET', '/nas-volumes/pve-files');
    expect(vol.json.data).toMatchObject({ name: 'pve-files', quota: String(2 ** 30) });
    writeFileSync(join(dir, 'hello.txt'), 'x'.repeat(8192));
    const nasDir = env.sim.nasPaths('Pool-0', 'pve-files')!;
    expect(readFileSync(join(nasDir, 'hello.txt'), 'utf8')).toHaveLength(8192);
    const st = await env.okJson<NfsStatus>(['nfs', 'status', '--path', dir]);
    expect(st).toMatchObject({ path: dir, mounted: true, source: `127.0.0.2:${EXPORT}`, ours: true });
    expect(st.nasVolume!.quota).toBe(2 ** 30);
    expect(st.nasVolume!.used).toBeGreaterThanOrEqual(8192);
  });

  test('activating again: exit 0, no REST request at all, no second mount', async () => {
    env.sim.requests.reset();
    const before = mountCalls().length;
    const a = await env.okJson<NfsActivation>(activate());
    expect(a).toMatchObject({ mounted: false, attempts: [] });
    expect(env.sim.requests.count({})).toBe(0);
    expect(mountCalls()).toHaveLength(before);
  });

  test('nas-snapshot create / rollback: the files under the mount go back', async () => {
    await env.okJson(['nas-snapshot', 'create', 'pve-files', 'before']);
    writeFileSync(join(dir, 'hello.txt'), 'changed');
    writeFileSync(join(dir, 'new.txt'), 'new');
    await env.okJson(['nas-snapshot', 'rollback', 'pve-files', 'before']);
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toHaveLength(8192);
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    await env.okJson(['nas-snapshot', 'delete', 'pve-files', 'before']);
  });

  test('deactivate while a process uses the mount: exit 5 with the count, still mounted', async () => {
    const fd = join(env.host!.root, 'proc/777/fd');
    mkdirSync(fd, { recursive: true });
    symlinkSync(join(dir, 'hello.txt'), join(fd, '4'));
    const r = await env.run(['nfs', 'deactivate', '--path', dir]);
    expect(r.code).toBe(5);
    expect(oneLine(r.stderr)).toEqual([`error: ${dir} is busy: 1 process still uses it (pid 777); stop them and deactivate again`]);
    expect((await env.okJson<NfsStatus>(['nfs', 'status', '--path', dir])).mounted).toBe(true);
    rmSync(join(env.host!.root, 'proc/777'), { recursive: true });
  });

  test('deactivate: unmounted, the directory empty again; status says so; again: no change', async () => {
    const d = await env.okJson<NfsDeactivation>(['nfs', 'deactivate', '--path', dir]);
    expect(d).toEqual({ path: dir, wasMounted: true, source: `127.0.0.2:${EXPORT}` });
    expect(readdirSync(dir)).toEqual([]);
    expect(await env.okJson<NfsStatus>(['nfs', 'status', '--path', dir])).toEqual({
      path: dir,
      mounted: false,
      source: null,
      ours: false,
      nasVolume: null,
    });
    expect((await env.okJson<NfsDeactivation>(['nfs', 'deactivate', '--path', dir])).wasMounted).toBe(false);
  });

  test('without --server the data addresses are tried in order; the first one not answering is skipped', async () => {
    env.host!.update((s) => {
      s.nfs.unreachable = ['127.0.0.2'];
    });
    const a = await env.okJson<NfsActivation>(['nfs', 'activate', '--export', EXPORT, '--path', dir]);
    expect(a.source).toBe(`127.0.0.3:${EXPORT}`);
    expect(a.attempts.map((x) => x.ok)).toEqual([false, true]);
    await env.okJson(['nfs', 'deactivate', '--path', dir]);
    env.host!.update((s) => {
      s.nfs.unreachable = [];
    });
  });

  test('a mount of something else at the path: exit 5, one line, nothing sent or mounted', async () => {
    const other = join(env.dir, 'mnt/pve/other');
    mkdirSync(other, { recursive: true });
    env.host!.update((s) => addForeignMount(s, other, '10.9.9.9:/srv/nfs', 'nfs4'));
    env.sim.requests.reset();
    const before = mountCalls().length;
    const r = await env.run(['nfs', 'activate', '--export', EXPORT, '--path', other]);
    expect(r.code).toBe(5);
    expect(oneLine(r.stderr)).toEqual([
      `error: ${other} already holds a mount of 10.9.9.9:/srv/nfs (nfs4), not ${EXPORT}; not mounting over it`,
    ]);
    expect(env.sim.requests.count({})).toBe(0);
    expect(mountCalls()).toHaveLength(before);
    const d = await env.run(['nfs', 'deactivate', '--path', other]);
    expect(d.code).toBe(5);
    expect(oneLine(d.stderr)).toEqual([
      `error: ${other} holds a mount of 10.9.9.9:/srv/nfs (nfs4), not a JovianDSS export; not unmounting it`,
    ]);
  });

  test.each([
    [['--export', '/Pools/Pool-9/pve-files'], /is on pool Pool-9, but the pool in use is Pool-0 \(give --pool Pool-9\)/],
    [['--export', '/Pools/Pool-0/Bad Name'], /NAS volume name "Bad Name" must match/],
    [['--export', EXPORT, '--quota', '1G'], /--quota goes with --create/],
    [['--export', EXPORT, '--create'], /--create needs --quota SIZE/],
  ])('bad input %j: exit 2, one line, no request', async (args, msg) => {
    env.sim.requests.reset();
    const r = await env.run(['nfs', 'activate', '--path', dir, ...args]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(msg)]);
    expect(env.sim.requests.count({})).toBe(0);
  });
});
