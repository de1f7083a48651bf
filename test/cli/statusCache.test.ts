// pool stats --max-age: the shared status cache pvestatd's polls read. Within the accepted age a
// poll sends no REST request; after it, or with a corrupt/foreign/future entry, exactly one; the
// file never holds a secret, and two storages never share an entry.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { PoolStats } from '../../src/storage';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { FakeClock } from '../helpers/fakeClock';

let env: CliEnv;
let clock: FakeClock;
const stateDir = () => join(env.dir, 'state');
const cacheFiles = () => {
  try {
    return readdirSync(stateDir()).filter((f) => /^status-[0-9a-f]{16}\.json$/.test(f));
  } catch {
    return [];
  }
};
/** `pool stats --json` at the fake clock's time; returns the result and the REST requests it sent. */
const stats = async (extra: string[] = [], flags: string[] = []) => {
  env.sim.requests.reset();
  const r = await env.run<PoolStats>([...flags, 'pool', 'stats', '--json', ...extra], { overrides: { clock } });
  return { ...r, requests: env.sim.requests.count({}) };
};

beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());
beforeEach(() => {
  clock = new FakeClock();
  for (const f of cacheFiles()) writeFileSync(join(stateDir(), f), ''); // an empty entry is no entry
});

describe('pool stats --max-age', () => {
  test('a second poll within the age sends 0 requests and answers the same; after the age, 1', async () => {
    const first = await stats(['--max-age', '10']);
    expect(first.code).toBe(0);
    expect(first.requests).toBe(1);
    clock.advance(9_000);
    const second = await stats(['--max-age', '10']);
    expect(second.code).toBe(0);
    expect(second.requests).toBe(0);
    expect(second.json).toEqual(first.json);
    expect(second.stderr).toBe('');
    clock.advance(2_000); // 11 s after the entry was written
    const third = await stats(['--max-age', '10']);
    expect(third.requests).toBe(1);
    clock.advance(1_000); // the third poll wrote a new entry
    expect((await stats(['--max-age', '10'])).requests).toBe(0);
  });

  test('the cached answer follows the array once the age has passed', async () => {
    await stats(['--max-age', '5']);
    env.sim.seed({ pool: 'Pool-0', volumes: 1, prefix: 'v_cache-thick-', sizeBytes: 2 ** 30, sparse: false });
    clock.advance(1_000);
    const cached = await stats(['--max-age', '5']);
    const fresh = await stats(); // without --max-age: always the array
    expect(fresh.requests).toBe(1);
    expect(fresh.json.used).toBe(cached.json.used + 2 ** 30);
    clock.advance(5_001);
    expect((await stats(['--max-age', '5'])).json.used).toBe(fresh.json.used);
  });

  test('without --max-age (or with 0) the array is always asked and no entry is written', async () => {
    expect((await stats()).requests).toBe(1);
    expect((await stats(['--max-age', '0'])).requests).toBe(1);
    expect(cacheFiles().every((f) => readFileSync(join(stateDir(), f), 'utf8') === '')).toBe(true);
  });

  test('a corrupt, foreign or future entry is ignored (1 request) and replaced by a good one', async () => {
    await stats(['--max-age', '10']);
    const [file] = cacheFiles();
    const path = join(stateDir(), file);
    const good = JSON.parse(readFileSync(path, 'utf8'));
    const bad = [
      '{"format":1,"key":', // cut short
      'null',
      JSON.stringify({ ...good, format: 2 }),
      JSON.stringify({ ...good, key: { ...good.key, pool: 'Pool-1' } }),
      JSON.stringify({ ...good, stats: { ...good.stats, name: 'Pool-1' } }),
      JSON.stringify({ ...good, stats: { ...good.stats, free: -1 } }),
      JSON.stringify({ ...good, at: clock.now() + 60_000 }), // written after a clock step back
    ];
    for (const text of bad) {
      writeFileSync(path, text);
      const r = await stats(['--max-age', '10']);
      expect({ text, code: r.code, requests: r.requests }).toEqual({ text, code: 0, requests: 1 });
      expect(JSON.parse(readFileSync(path, 'utf8')).stats).toEqual(r.json);
    }
  });

  test('the entry holds no secret, is 0644 and names only the pool, its addresses and capacity', async () => {
    await stats(['--max-age', '10']);
    const [file] = cacheFiles();
    const path = join(stateDir(), file);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(env.password);
    expect(text).not.toContain(Buffer.from(`admin:${env.password}`).toString('base64'));
    expect(statSync(path).mode & 0o777).toBe(0o644);
    const doc = JSON.parse(text);
    expect(Object.keys(doc).sort()).toEqual(['at', 'format', 'key', 'stats']);
    expect(Object.keys(doc.key).sort()).toEqual(['addresses', 'pool', 'port', 'storageId', 'user']);
    expect(Object.keys(doc.stats).sort()).toEqual(['free', 'health', 'id', 'name', 'total', 'used']);
    expect(readdirSync(stateDir()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('two storages never share an entry', async () => {
    await stats(['--max-age', '10']);
    const other = await stats(['--max-age', '10'], ['--storage-id', 'other-storage']);
    expect(other.code).toBe(0);
    expect(other.requests).toBe(1); // its own entry, not the first storage's
    expect((await stats(['--max-age', '10'], ['--storage-id', 'other-storage'])).requests).toBe(0);
    const otherPool = await stats(['--max-age', '10'], ['--pool', 'Pool-9']);
    expect(otherPool.code).toBe(3); // never answered from Pool-0's entry
    expect(new Set(cacheFiles().filter((f) => readFileSync(join(stateDir(), f), 'utf8') !== '')).size).toBe(2);
  });

  test('a changing command on this node drops the entry: the next poll asks the array', async () => {
    await stats(['--max-age', '60']);
    clock.advance(1_000);
    expect((await stats(['--max-age', '60'])).requests).toBe(0);
    const created = await env.run(['volume', 'create', 'vm-300-disk-0', '--size', '1G', '--json'], { overrides: { clock } });
    expect(created.code).toBe(0);
    expect(cacheFiles().filter((f) => readFileSync(join(stateDir(), f), 'utf8') !== '')).toEqual([]);
    expect((await stats(['--max-age', '60'])).requests).toBe(1);
    // a command that changes nothing keeps it
    await env.run(['volume', 'list', '--json'], { overrides: { clock } });
    expect((await stats(['--max-age', '60'])).requests).toBe(0);
  });

  test('an unreachable array is remembered for 15 s (at most the age): the next polls answer exit 6 at once', async () => {
    // A REST address that accepts and drops every connection, counting them.
    let connections = 0;
    const server: Server = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    const away = ['--control-addresses', '127.0.0.1', '--control-port', String(port), '--rest-attempts', '1'];
    try {
      const first = await stats(['--max-age', '30'], away);
      expect(first.code).toBe(6);
      expect(first.json.error.code).toBe('unreachable');
      expect(connections).toBeGreaterThan(0);
      const seen = connections;
      clock.advance(10_000);
      const second = await stats(['--max-age', '30'], away);
      expect(second.code).toBe(6);
      expect(second.stderr).toMatch(/remembered from a poll 10 s ago/);
      expect(second.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(connections).toBe(seen); // not asked again
      clock.advance(6_000); // 16 s: past the down memory
      expect((await stats(['--max-age', '30'], away)).code).toBe(6);
      expect(connections).toBeGreaterThan(seen);
      // a caller accepting only 5 s is asked again after 5 s
      const seen2 = connections;
      clock.advance(6_000);
      expect((await stats(['--max-age', '5'], away)).code).toBe(6);
      expect(connections).toBeGreaterThan(seen2);
      // without --max-age the array is always asked
      const seen3 = connections;
      expect((await stats([], away)).code).toBe(6);
      expect(connections).toBeGreaterThan(seen3);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
    // the storage that answers still answers: its entry is its own
    expect((await stats(['--max-age', '30'])).code).toBe(0);
  });

  test('a down entry is dropped by a change this node made', async () => {
    const away = ['--control-addresses', '127.0.0.1', '--control-port', '1', '--rest-attempts', '1'];
    expect((await stats(['--max-age', '30'], away)).code).toBe(6);
    const downEntries = () =>
      cacheFiles().filter((f) => {
        const t = readFileSync(join(stateDir(), f), 'utf8');
        return t !== '' && typeof JSON.parse(t).down === 'string';
      });
    expect(downEntries()).toHaveLength(1);
    expect(readFileSync(join(stateDir(), downEntries()[0]), 'utf8')).not.toContain(env.password);
    expect((await env.run(['volume', 'create', 'vm-301-disk-0', '--size', '1G'], { overrides: { clock } })).code).toBe(0);
    expect(downEntries()).toEqual([]);
  });

  test.each(['-1', '1.5', 'ten', '301', ''])('--max-age %j → exit 2, one line, nothing sent', async (v) => {
    const r = await stats(['--max-age', v]);
    expect(r.code).toBe(2);
    expect(r.requests).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/max-age/);
  });
});
