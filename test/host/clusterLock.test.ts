// The cluster lock on a pmxcfs-like folder: two "nodes" sharing one <pve> folder exclude each
// other; Proxmox's expiry (120 s, utime(0,0) unlock request) frees a dead holder's lock; a
// waiter gives up with BusyError at its deadline; without <pve>/priv the node-local lock is used.
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { BusyError } from '../../src/errors';
import { clusterLockId, createClusterLocks, CLUSTER_LOCK_EXPIRY_MS } from '../../src/host/state/clusterLock';
import { lockFileName } from '../../src/host/state/lock';
import { DEFAULT_ROOTS } from '../../src/host/core/defaults';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';
import { tempDir } from '../helpers/tmp';
import { memoryLogger, type MemoryLogger } from './fakes/memlog';

let tmp: ReturnType<typeof tempDir>;
let pve: string;
beforeEach(() => {
  tmp = tempDir('jdssc-clusterlock-');
  pve = join(tmp.dir, 'pve');
  mkdirSync(join(pve, 'priv'), { recursive: true });
});
afterEach(() => tmp.cleanup());

/** Fake time, but every sleep yields to the event loop so the other "node" makes progress. */
class YieldingClock extends FakeClock {
  override async sleep(ms: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await super.sleep(ms);
  }
}

function node(name: string, budgetMs = 30_000, pveRoot = pve): { locks: ReturnType<typeof createClusterLocks>; log: MemoryLogger } {
  const clock = new YieldingClock();
  const log = memoryLogger();
  const locks = createClusterLocks({
    pveRoot,
    env: { clock, deadline: new Deadline(clock, budgetMs), log, roots: { ...DEFAULT_ROOTS, locks: join(tmp.dir, `locks-${name}`) } },
  });
  return { locks, log };
}

const lockDir = () => join(pve, 'priv', 'lock');

test('a lock is a directory under <pve>/priv/lock, named jdssc-<key>, removed on release', async () => {
  const a = node('a');
  expect(a.locks.mode).toBe('cluster');
  const seen = await a.locks.run('targets-Pool-0-iqn.x:vm-1', 'test', async () =>
    readdirSync(lockDir()).map((n) => [n, statSync(join(lockDir(), n)).isDirectory()]),
  );
  expect(seen).toEqual([['jdssc-targets-Pool-0-iqn_x_vm-1', true]]);
  expect(readdirSync(lockDir())).toEqual([]);
});

test('processes of two nodes sharing the pve folder never hold one key at the same time; other keys do not wait', async () => {
  let inside = 0;
  let most = 0;
  const section = async () => {
    inside++;
    most = Math.max(most, inside);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    inside--;
  };
  // 20 processes (each its own clock and deadline), alternately on node a and node b.
  const runs = Array.from({ length: 20 }, (_, i) => node(i % 2 ? 'a' : 'b', 3_600_000).locks.run('k', `run ${i}`, section));
  await Promise.all(runs);
  expect(most).toBe(1);
  // A different key is independent: both held at once.
  const a = node('a');
  const b = node('b');
  let both = false;
  await a.locks.run('k1', 'x', () => b.locks.run('k2', 'y', async () => void (both = readdirSync(lockDir()).length === 2)));
  expect(both).toBe(true);
  expect(readdirSync(lockDir())).toEqual([]);
});

test('a busy lock makes the waiter give up at its deadline with BusyError (exit 5); the lock stays', async () => {
  const id = clusterLockId('k');
  mkdirSync(join(lockDir(), id), { recursive: true }); // held by a live node elsewhere
  const b = node('b', 2_000);
  const err = await b.locks.run('k', 'test', async () => 'ran').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BusyError);
  expect((err as Error).message).toMatch(/cluster lock .*jdssc-k is busy/);
  expect(existsSync(join(lockDir(), id))).toBe(true);
});

test('a lock older than 120 s is expired (its holder is gone): the waiter removes it and proceeds', async () => {
  const path = join(lockDir(), clusterLockId('k'));
  mkdirSync(path, { recursive: true });
  const old = (Date.now() - CLUSTER_LOCK_EXPIRY_MS - 5_000) / 1000;
  utimesSync(path, old, old);
  const b = node('b', 5_000);
  expect(await b.locks.run('k', 'test', async () => 'ran')).toBe('ran');
  expect(b.log.text()).toMatch(/removed expired cluster lock/);
  expect(readdirSync(lockDir())).toEqual([]);
});

test('a lock younger than the expiry is never taken over, even when old', async () => {
  const path = join(lockDir(), clusterLockId('k'));
  mkdirSync(path, { recursive: true });
  const young = (Date.now() - CLUSTER_LOCK_EXPIRY_MS + 30_000) / 1000;
  utimesSync(path, young, young);
  const err = await node('b', 1_000)
    .locks.run('k', 'test', async () => 'ran')
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BusyError);
  expect(statSync(path).mtimeMs).toBeGreaterThan(1000); // no unlock request sent to a live lock
});

test('release leaves alone a lock that is no longer ours (expired and taken over meanwhile)', async () => {
  const a = node('a');
  const path = join(lockDir(), clusterLockId('k'));
  await a.locks.run('k', 'test', async () => {
    rmdirSync(path); // taken over: removed as expired and made again by another node
    mkdirSync(path);
    const t = (Date.now() + 5_000) / 1000;
    utimesSync(path, t, t);
  });
  expect(existsSync(path)).toBe(true);
  expect(a.log.text()).toMatch(/no longer ours/);
});

test('the lock is released when the section throws', async () => {
  const a = node('a');
  await expect(
    a.locks.run('k', 'test', async () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(readdirSync(lockDir())).toEqual([]);
});

test('without <pve>/priv (not a Proxmox node) it falls back to the node-local lock file', async () => {
  const a = node('a', 30_000, join(tmp.dir, 'no-pve'));
  expect(a.locks.mode).toBe('node');
  const file = join(tmp.dir, 'locks-a', lockFileName('array-k'));
  const seen = await a.locks.run('k', 'test', async () => existsSync(file));
  expect(seen).toBe(true);
  expect(existsSync(file)).toBe(false);
  expect(existsSync(join(tmp.dir, 'no-pve'))).toBe(false); // nothing made where pmxcfs would be
});

test('long keys stay bounded and distinct', () => {
  const a = clusterLockId(`targets-Pool-0-${'x'.repeat(300)}-a`);
  const b = clusterLockId(`targets-Pool-0-${'x'.repeat(300)}-b`);
  expect(a.length).toBeLessThanOrEqual(140);
  expect(a).not.toBe(b);
  expect(a).toMatch(/^jdssc-[A-Za-z0-9_-]+$/);
});
