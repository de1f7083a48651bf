// NFS on this host: the mount/umount wrappers, mountinfo, and the nfs flow (activate,
// deactivate, status) against the fake mount (test/host/fakes/lib/nfs.mjs), whose "mount" makes
// the directory show the NAS volume's folder, and an in-memory NAS array.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { EXIT, JdsscError, UnreachableError } from '../../src/errors';
import { activateNfs, deactivateNfs, nfsStatus, type NasArray, type NasUsage } from '../../src/flows/nfs';
import { mountAt, mountOptions, nfsSource, parseMountinfo, sameNfsSource, type HostEnv } from '../../src/host';
import { addForeignMount } from './fakes/lib/nfs.mjs';
import { withState } from './fakes/lib/state.mjs';
import { NfsFakeHost } from './fakes/nfsHost';

const EXPORT = '/Pools/Pool-0/pve-files';

/** The array half: NAS volumes and shares in memory, every call counted. */
class MemNas implements NasArray {
  vols = new Map<string, NasUsage>();
  shares = new Map<string, { name: string; path: string; active: boolean; nfsEnabled: boolean }>();
  calls: string[] = [];
  async nasVolume(name: string) {
    this.calls.push(`get ${name}`);
    return this.vols.get(name) ?? null;
  }
  async shareOf(d: string) {
    this.calls.push(`share ${d}`);
    return [...this.shares.values()].find((s) => s.path === `Pool-0/${d}`) ?? null;
  }
  async createNasVolume(name: string, quota: number) {
    this.calls.push(`create ${name} ${quota}`);
    this.vols.set(name, { quota, used: 0, available: quota });
  }
  async createShare(name: string, d: string, allow: string[]) {
    this.calls.push(`share-create ${name} ${allow.join(',')}`);
    this.shares.set(name, { name, path: `Pool-0/${d}`, active: true, nfsEnabled: true });
  }
  withVolume(name = 'pve-files'): this {
    this.vols.set(name, { quota: 10 * 2 ** 30, used: 4096, available: 10 * 2 ** 30 - 4096 });
    this.shares.set(name, { name, path: `Pool-0/${name}`, active: true, nfsEnabled: true });
    return this;
  }
}

let host: NfsFakeHost;
let env: HostEnv;
let dir: string;
beforeEach(() => {
  host = new NfsFakeHost();
  env = host.env();
  dir = join(host.root, 'mnt/pve/jdss-nfs');
});
afterEach(() => host.cleanup());

const req = (extra: Record<string, unknown> = {}) => ({
  export: EXPORT,
  path: dir,
  server: '127.0.0.2',
  dataAddresses: ['127.0.0.3'],
  ...extra,
});
const mounts = () => host.calls().filter((c) => (c.tool as string) === 'mount');
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (e) => (e instanceof JdsscError ? e.exitCode : -1),
  );

describe('mountinfo and sources', () => {
  test('parses fields, optional fields and octal escapes', () => {
    const text = [
      '36 35 98:0 / /mnt/a\\040b rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
      '40 22 0:50 / /mnt/pve/x rw,relatime shared:2 - nfs4 [fd00::5]:/Pools/P/d rw,vers=4.2',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { mountPoint: '/mnt/a b', fsType: 'ext3', source: '/dev/root', options: 'rw,noatime' },
      { mountPoint: '/mnt/pve/x', fsType: 'nfs4', source: '[fd00::5]:/Pools/P/d', options: 'rw,relatime' },
    ]);
  });
  test('IPv6 literals go in brackets; sources compare without brackets, case or trailing slash', () => {
    expect(nfsSource('fd00::5', '/Pools/P/d')).toBe('[fd00::5]:/Pools/P/d');
    expect(nfsSource('10.0.0.5', '/Pools/P/d')).toBe('10.0.0.5:/Pools/P/d');
    expect(sameNfsSource('[FD00::5]:/Pools/P/d/', 'fd00::5:/Pools/P/d')).toBe(true);
    expect(sameNfsSource('10.0.0.5:/Pools/P/d', '10.0.0.6:/Pools/P/d')).toBe(false);
  });
  test('mount options: retry=0 is added unless a retry is given', () => {
    expect(mountOptions(undefined)).toBe('retry=0');
    expect(mountOptions('vers=4.2,soft')).toBe('vers=4.2,soft,retry=0');
    expect(mountOptions('retry=2')).toBe('retry=2');
  });
});

describe('nfs activate', () => {
  test('mounts over --server; files written at the path land in the NAS volume; mountinfo proves it', async () => {
    const nasDir = host.exportDir('Pool-0', 'pve-files');
    const nas = new MemNas().withVolume();
    const r = await activateNfs(async () => nas, env, req(), 'Pool-0');
    expect(r).toMatchObject({
      path: dir,
      export: EXPORT,
      source: `127.0.0.2:${EXPORT}`,
      mounted: true,
      attempts: [{ address: '127.0.0.2', ok: true, reason: null }],
    });
    expect(mounts().map((c) => c.argv)).toEqual([['-t', 'nfs', '-o', 'retry=0', `127.0.0.2:${EXPORT}`, dir]]);
    writeFileSync(join(dir, 'hello.iso'), 'data');
    expect(readFileSync(join(nasDir, 'hello.iso'), 'utf8')).toBe('data');
    expect(mountAt(env, dir)).toMatchObject({ fsType: 'nfs4', source: `127.0.0.2:${EXPORT}` });
  });

  test('already mounted: no mount call and no array request', async () => {
    host.exportDir('Pool-0', 'pve-files');
    const nas = new MemNas().withVolume();
    await activateNfs(async () => nas, env, req(), 'Pool-0');
    nas.calls = [];
    const again = await activateNfs(async () => nas, env, req(), 'Pool-0');
    expect(again).toMatchObject({ mounted: false, source: `127.0.0.2:${EXPORT}`, attempts: [] });
    expect(mounts()).toHaveLength(1);
    expect(nas.calls).toEqual([]);
  });

  test('first address does not answer: the next one is mounted and both attempts reported', async () => {
    host.exportDir('Pool-0', 'pve-files');
    host.nfs((n) => (n.unreachable = ['127.0.0.2']));
    const r = await activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0');
    expect(r.source).toBe(`127.0.0.3:${EXPORT}`);
    expect(r.attempts.map((a) => [a.address, a.ok])).toEqual([
      ['127.0.0.2', false],
      ['127.0.0.3', true],
    ]);
    expect(r.attempts[0].reason).toMatch(/exited 32: mount.nfs: Connection timed out/);
  });

  test('an attempt reported failed that mounted after all: taken as the mount, nothing stacked on it', async () => {
    host.exportDir('Pool-0', 'pve-files');
    host.nfs((n) => (n.lateMount = ['127.0.0.2']));
    const r = await activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0');
    expect(r).toMatchObject({ mounted: true, source: `127.0.0.2:${EXPORT}` });
    expect(mounts()).toHaveLength(1);
  });

  test('no address answers: exit 6 naming each, nothing mounted', async () => {
    host.exportDir('Pool-0', 'pve-files');
    host.nfs((n) => (n.unreachable = ['127.0.0.2', '127.0.0.3']));
    const p = activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0');
    await expect(p).rejects.toBeInstanceOf(UnreachableError);
    await expect(p).rejects.toThrow(/127\.0\.0\.2: .*; 127\.0\.0\.3: /);
    expect(mountAt(env, dir)).toBeNull();
  });

  test('IPv6 server: the source is [addr]:/export', async () => {
    host.exportDir('Pool-0', 'pve-files');
    const r = await activateNfs(async () => new MemNas().withVolume(), env, req({ server: 'fd00::2', dataAddresses: [] }), 'Pool-0');
    expect(r.source).toBe(`[fd00::2]:${EXPORT}`);
    expect(mounts()[0].argv[4]).toBe(`[fd00::2]:${EXPORT}`);
  });

  test('--create: missing NAS volume and share are created with the quota, then mounted', async () => {
    host.exportDir('Pool-0', 'pve-files');
    const nas = new MemNas();
    const r = await activateNfs(async () => nas, env, req({ create: { quotaBytes: 2 ** 30, allow: ['10.0.0.0/24'] } }), 'Pool-0');
    expect(r.created).toEqual({ nasVolume: true, share: true });
    expect(nas.calls).toEqual(['get pve-files', `create pve-files ${2 ** 30}`, 'share pve-files', 'share-create pve-files 10.0.0.0/24']);
  });

  test('missing NAS volume without --create: exit 3, nothing mounted', async () => {
    expect(await code(activateNfs(async () => new MemNas(), env, req(), 'Pool-0'))).toBe(EXIT.NOT_FOUND);
    expect(mounts()).toHaveLength(0);
  });

  test('a mount of something else at the path: exit 5, no mount and no array request', async () => {
    mkdirSync(dir, { recursive: true });
    withState(host.statePath, (s) => addForeignMount(s, dir, '/dev/sdb1', 'ext4'));
    const nas = new MemNas().withVolume();
    const p = activateNfs(async () => nas, env, req(), 'Pool-0');
    await expect(p).rejects.toThrow(`${dir} already holds a mount of /dev/sdb1 (ext4), not ${EXPORT}; not mounting over it`);
    expect(await code(activateNfs(async () => nas, env, req(), 'Pool-0'))).toBe(EXIT.BUSY);
    expect(mounts()).toHaveLength(0);
    expect(nas.calls).toEqual([]);
  });

  test('this export mounted from an address no longer configured: exit 5 saying so', async () => {
    host.exportDir('Pool-0', 'pve-files');
    await activateNfs(async () => new MemNas().withVolume(), env, req({ server: '127.0.0.9' }), 'Pool-0');
    await expect(activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0')).rejects.toThrow(
      `${dir} already holds 127.0.0.9:${EXPORT}, this export from an address that is neither --server nor a data address; deactivate it first (jdssc nfs deactivate --path ${dir})`,
    );
  });

  test('another export of ours mounted there is "something else" too', async () => {
    host.exportDir('Pool-0', 'other');
    await activateNfs(async () => new MemNas().withVolume('other'), env, req({ export: '/Pools/Pool-0/other' }), 'Pool-0');
    expect(await code(activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0'))).toBe(EXIT.BUSY);
  });

  test('files in the directory: exit 5 (a mount would hide them); empty folders only: mounted, and back after umount', async () => {
    host.exportDir('Pool-0', 'pve-files');
    mkdirSync(join(dir, 'template/iso'), { recursive: true });
    writeFileSync(join(dir, 'template/iso/local.iso'), 'x');
    await expect(activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0')).rejects.toThrow(
      `${dir} is not a mount point and holds 1 file (e.g. template/iso/local.iso) that a mount would hide; move them away first`,
    );
    expect(mounts()).toHaveLength(0);
    rmSync(join(dir, 'template/iso/local.iso'));
    await activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0');
    await deactivateNfs(env, dir);
    expect(existsSync(join(dir, 'template/iso'))).toBe(true);
  });

  test('a file (or symlink) at the path: exit 5', async () => {
    mkdirSync(join(host.root, 'mnt/pve'), { recursive: true });
    symlinkSync('/tmp', dir);
    expect(await code(activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0'))).toBe(EXIT.BUSY);
  });

  test.each([
    [{ export: '/Pools/Pool-0/Upper' }, /NAS volume name "Upper" must match/],
    [{ export: 'Pool-0/x' }, /expected \/Pools\/<pool>\/<nas-volume>/],
    [{ export: '/Pools/Pool-1/x' }, /is on pool Pool-1, but the pool in use is Pool-0/],
    [{ path: 'relative' }, /must be an absolute path/],
    [{ path: '/' }, /refusing to mount over the root/],
    [{ server: undefined, dataAddresses: [] }, /no NFS server/],
    [{ server: 'a b' }, /is not an address/],
    [{ options: 'rw -o x' }, /comma-separated mount options only/],
  ])('bad input %j: exit 2, nothing touched', async (extra, msg) => {
    const nas = new MemNas().withVolume();
    const p = activateNfs(async () => nas, env, req(extra), 'Pool-0');
    await expect(p).rejects.toThrow(msg);
    expect(await code(activateNfs(async () => nas, env, req(extra), 'Pool-0'))).toBe(EXIT.USAGE);
    expect(host.calls()).toEqual([]);
    expect(nas.calls).toEqual([]);
  });
});

describe('nfs deactivate and status', () => {
  beforeEach(async () => {
    host.exportDir('Pool-0', 'pve-files');
    await activateNfs(async () => new MemNas().withVolume(), env, req(), 'Pool-0');
  });

  test('unmounts ours: the directory is an empty folder again; a second call changes nothing', async () => {
    expect(await deactivateNfs(env, dir)).toEqual({ path: dir, wasMounted: true, source: `127.0.0.2:${EXPORT}` });
    expect(lstatSync(dir).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(mountAt(env, dir)).toBeNull();
    expect(await deactivateNfs(env, dir)).toEqual({ path: dir, wasMounted: false, source: null });
    expect(host.calls().filter((c) => (c.tool as string) === 'umount')).toHaveLength(1);
  });

  test('busy: exit 5 with the number of processes, still mounted', async () => {
    const fd = join(host.root, 'proc/4242/fd');
    mkdirSync(fd, { recursive: true });
    writeFileSync(join(dir, 'disk.qcow2'), '');
    symlinkSync(join(dir, 'disk.qcow2'), join(fd, '3'));
    const p = deactivateNfs(env, dir);
    await expect(p).rejects.toThrow(`${dir} is busy: 1 process still uses it (pid 4242); stop them and deactivate again`);
    expect(await code(deactivateNfs(env, dir))).toBe(EXIT.BUSY);
    expect(mountAt(env, dir)).not.toBeNull();
  });

  test('--export of another NAS volume: exit 5, not unmounted', async () => {
    expect(await code(deactivateNfs(env, dir, '/Pools/Pool-0/other'))).toBe(EXIT.BUSY);
    expect(mountAt(env, dir)).not.toBeNull();
  });

  test('status: mounted, ours, the NAS volume usage', async () => {
    const nas = new MemNas().withVolume();
    expect(await nfsStatus(async () => nas, env, dir)).toEqual({
      path: dir,
      mounted: true,
      source: `127.0.0.2:${EXPORT}`,
      ours: true,
      nasVolume: { quota: 10 * 2 ** 30, used: 4096, available: 10 * 2 ** 30 - 4096 },
    });
    await deactivateNfs(env, dir);
    nas.calls = [];
    expect(await nfsStatus(async () => nas, env, dir)).toEqual({ path: dir, mounted: false, source: null, ours: false, nasVolume: null });
    expect(nas.calls).toEqual([]);
  });

  test('status when the array cannot answer: nasVolume null, still mounted and ours', async () => {
    const down = new MemNas();
    down.nasVolume = async () => Promise.reject(new UnreachableError('no control address answered'));
    expect(await nfsStatus(async () => down, env, dir)).toMatchObject({ mounted: true, ours: true, nasVolume: null });
  });
});
