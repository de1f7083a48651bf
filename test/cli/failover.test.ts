import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  // Two REST addresses, like two appliance nodes; connect timeout 1 s (see cliEnv).
  env = await cliEnv({ listen: ['127.0.0.1', '127.0.0.4'] });
});
afterAll(async () => env.close());
afterEach(async () => {
  await env.sim.setAddressBlackhole('127.0.0.1', false);
  await env.sim.setAddressDown('127.0.0.1', false);
});

async function timed(args: string[], stateDir: string) {
  const started = Date.now();
  const r = await env.run(args, { env: { JDSSC_STATE_DIR: stateDir } });
  return { ...r, ms: Date.now() - started };
}

describe('a dead first control address', () => {
  test('black-holed (connect never completes): costs one connect timeout, and the next run avoids it', async () => {
    await env.sim.setAddressBlackhole('127.0.0.1', true);
    const state = join(env.dir, 'state-blackhole');
    const first = await timed(['pool', 'stats', '--json'], state);
    expect(first.code).toBe(0);
    expect(first.ms).toBeGreaterThanOrEqual(900);
    expect(first.ms).toBeLessThan(2500);
    const second = await timed(['pool', 'stats', '--json'], state);
    expect(second.code).toBe(0);
    expect(second.ms).toBeLessThan(800);
  });

  test('refusing connections: no wait at all', async () => {
    await env.sim.setAddressDown('127.0.0.1', true);
    const r = await timed(['pool', 'stats', '--json'], join(env.dir, 'state-down'));
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(800);
  });

  test('when the remembered address dies, the other one takes over', async () => {
    const state = join(env.dir, 'state-switch');
    await env.sim.setAddressDown('127.0.0.1', true);
    expect((await timed(['pool', 'stats'], state)).code).toBe(0); // remembers .4
    await env.sim.setAddressDown('127.0.0.1', false);
    await env.sim.setAddressDown('127.0.0.4', true);
    const r = await timed(['pool', 'stats', '--json'], state);
    await env.sim.setAddressDown('127.0.0.4', false);
    expect(r.code).toBe(0);
  });
});

describe('transient appliance answers over the wire', () => {
  test.each([
    [{ kind: 'dataless200' }],
    [{ kind: 'cfgParserError' }],
    [{ kind: 'status5xx', status: 503 }],
    [{ kind: 'rateLimit', retryAfterSec: 1 }],
  ])('%j is retried and the command succeeds', async (fault) => {
    await env.sim.faults.add({ ...fault, count: 1, match: { path: '/pools/Pool-0$' } } as never);
    const r = await env.run(['pool', 'stats', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.name).toBe('Pool-0');
  });

  test('a hung request is cut by the deadline (exit 6)', async () => {
    await env.sim.faults.add({ kind: 'hang', count: 0, match: { path: '/pools/Pool-0$' } } as never);
    const started = Date.now();
    const r = await env.run(['--timeout', '2', '--request-timeout', '1', 'pool', 'stats', '--json']);
    env.sim.faults.clear();
    expect(r.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('TLS', () => {
  test('verification is on by default: a certificate from another CA fails clearly (exit 7)', async () => {
    const other = await cliEnv();
    try {
      const wrongCa = join(env.dir, 'other-ca.pem');
      writeFileSync(wrongCa, other.sim.caPem);
      const r = await env.run(['--ca-file', wrongCa, 'pool', 'stats', '--json']);
      expect(r.code).toBe(7);
      expect(r.stderr).toMatch(/^error: cannot verify the TLS certificate of 127\.0\.0\.[14]/);
      expect(r.stderr).toMatch(/--ca-file/);
    } finally {
      await other.close();
    }
  });

  test('the opt-out is explicit and logged as a warning', async () => {
    const log = join(env.dir, 'tls.log');
    const r = await env.run(['--ca-file', '/dev/null', '--ssl-cert-verify', 'false', '--log-file', log, 'pool', 'stats', '--json']);
    expect(r.code).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/WARNING - (\[\S+\] )?TLS certificate verification is disabled/);
  });
});
