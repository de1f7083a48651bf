import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { BusyError } from '../../src/errors';
import { acquireLock, lockFileName, withLock } from '../../src/host/state/lock';
import type { HostEnv } from '../../src/host/core/types';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';
import { tempDir } from '../helpers/tmp';
import { memoryLogger } from './fakes/memlog';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('jdssc-lock-');
});
afterEach(() => tmp.cleanup());

/** Fake time, but every sleep yields to the event loop so concurrent holders make progress. */
class YieldingClock extends FakeClock {
  override async sleep(ms: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await super.sleep(ms);
  }
}

function env(budgetMs = 5_000, over: Partial<HostEnv> = {}): HostEnv {
  const clock = new YieldingClock();
  return {
    exec: {
      run: async () => {
        throw new Error('no exec in lock tests');
      },
    },
    binaries: {} as HostEnv['binaries'],
    roots: { sys: '', dev: '', iscsiDb: [], records: '', locks: join(tmp.dir, 'locks'), proc: '' },
    clock,
    deadline: new Deadline(clock, budgetMs),
    log: memoryLogger(),
    ...over,
  };
}

const file = () => join(tmp.dir, 'locks', lockFileName('target-x'));

test('acquire writes pid and token (0600); release removes it', async () => {
  const l = await acquireLock(env(), 'target-x', 'test');
  const info = JSON.parse(readFileSync(file(), 'utf8'));
  expect(info).toMatchObject({ pid: process.pid, token: l.token, purpose: 'test' });
  l.release();
  expect(existsSync(file())).toBe(false);
});

test('a held lock makes the next acquire wait until the deadline, then BusyError naming the holder', async () => {
  const held = await acquireLock(env(), 'target-x', 'activate vm-100-disk-0');
  const e = env(2_000);
  const err = await acquireLock(e, 'target-x').catch((x) => x);
  expect(err).toBeInstanceOf(BusyError);
  expect(err.message).toMatch(/is busy \(held by pid \d+ for activate vm-100-disk-0\); gave up after 2 s/);
  expect((e.clock as FakeClock).sleeps.length).toBeGreaterThan(2);
  held.release();
});

test('a lock whose holder PID is dead is reclaimed', async () => {
  mkdirSync(join(tmp.dir, 'locks'), { recursive: true });
  writeFileSync(file(), JSON.stringify({ pid: 999_999_999, token: 'old', createdAt: 0 }));
  const e = env(1_000, { isPidAlive: (pid) => pid !== 999_999_999 });
  const l = await acquireLock(e, 'target-x');
  expect(JSON.parse(readFileSync(file(), 'utf8')).token).toBe(l.token);
  expect((e.log as ReturnType<typeof memoryLogger>).text()).toMatch(/reclaimed stale lock .*\(holder pid 999999999 is gone\)/);
  l.release();
});

test('an unreadable lock is only reclaimed once it is old', async () => {
  mkdirSync(join(tmp.dir, 'locks'), { recursive: true });
  writeFileSync(file(), '');
  await expect(acquireLock(env(500), 'target-x')).rejects.toBeInstanceOf(BusyError);
  utimesSync(file(), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const l = await acquireLock(env(500), 'target-x');
  l.release();
});

test('release never removes a lock that is no longer ours', async () => {
  const e = env();
  const l = await acquireLock(e, 'target-x');
  writeFileSync(file(), JSON.stringify({ pid: process.pid, token: 'someone-else', createdAt: 0 }));
  l.release();
  expect(existsSync(file())).toBe(true);
});

test('withLock releases on error and serialises concurrent holders', async () => {
  await expect(
    withLock(env(), 'target-x', 't', async () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(existsSync(file())).toBe(false);
  const order: string[] = [];
  const e = env(10_000);
  const job = (n: string) =>
    withLock(e, 'target-x', n, async () => {
      order.push(`${n}+`);
      await e.clock.sleep(50);
      await new Promise((r) => setImmediate(r));
      order.push(`${n}-`);
    });
  await Promise.all([job('a'), job('b'), job('c')]);
  expect(order.join(' ')).toMatch(/^(\w)\+ \1- (\w)\+ \2- (\w)\+ \3-$/);
});
