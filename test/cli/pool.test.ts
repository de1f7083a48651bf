import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());

describe('pool stats', () => {
  test('JSON: name, id and real byte counts, one request', async () => {
    env.sim.requests.reset();
    const r = await env.run(['pool', 'stats', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.json).toEqual({
      name: 'Pool-0',
      id: expect.stringMatching(/^\d{20}$/),
      total: 100 * 2 ** 30,
      free: 100 * 2 ** 30,
      used: 0,
      health: 'ONLINE',
    });
    expect(env.sim.requests.count({})).toBe(1);
  });

  test('capacity moves with a thick volume created on the array', async () => {
    env.sim.seed({ pool: 'Pool-0', volumes: 1, prefix: 'v_thick-', sizeBytes: 2 ** 30, sparse: false });
    const r = await env.run(['pool', 'stats', '--json']);
    expect(r.json.used).toBe(2 ** 30);
    expect(r.json.free).toBe(99 * 2 ** 30);
  });

  test('human output', async () => {
    const r = await env.run(['pool', 'stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pool\s+Pool-0$/m);
    expect(r.stdout).toMatch(/^total\s+100 GiB \(107374182400 bytes\)$/m);
  });

  test('unknown pool → exit 3 with one line', async () => {
    const r = await env.run(['--pool', 'Pool-9', 'pool', 'stats', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: pool Pool-9 does not exist on JovianDSS\n');
    expect(r.json.error).toMatchObject({ code: 'not_found', exit: 3 });
  });

  test('wrong password → exit 7 and the password is not echoed', async () => {
    const bad = `${env.dir}/bad-password`;
    writeFileSync(bad, 'not-the-password-xyz\n', { mode: 0o600 });
    const r = await env.run(['--password-file', bad, 'pool', 'stats', '--json']);
    expect(r.code).toBe(7);
    expect(r.stderr).toMatch(/^error: authentication failed for REST user 'admin'/);
    expect(r.stdout + r.stderr).not.toContain('not-the-password-xyz');
  });

  test('no password at all → exit 2 with a readable hint, nothing sent', async () => {
    env.sim.requests.reset();
    const r = await env.run(
      ['--control-addresses', '127.0.0.2', '--control-port', String(env.sim.port), '--pool', 'Pool-0', 'pool', 'stats'],
      { noConfig: true },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: no REST password given: use --password-file (or password_file in the config), --password-stdin, or $JDSSC_PASSWORD\n',
    );
    expect(env.sim.requests.count({})).toBe(0);
  });

  test('nothing listening → exit 6, bounded', async () => {
    const started = Date.now();
    const r = await env.run(['--control-addresses', '127.0.0.9', '--timeout', '2', 'pool', 'stats', '--json']);
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('unreachable');
    expect(r.stderr).toMatch(/unreachable: 127\.0\.0\.9: ECONNREFUSED \(gave up at the 2 s deadline\)/);
    expect(Date.now() - started).toBeLessThan(3500);
  });
});

describe('pool vips', () => {
  test('lists VIPs and marks data addresses', async () => {
    const r = await env.run(['pool', 'vips', '--json', '--data-addresses', '127.0.0.3']);
    expect(r.code).toBe(0);
    expect(r.json.vips).toEqual([
      expect.objectContaining({ name: 'vip0', address: '127.0.0.2', dataAddress: false }),
      expect.objectContaining({ name: 'vip1', address: '127.0.0.3', dataAddress: true }),
    ]);
  });

  test('human table', async () => {
    const r = await env.run(['pool', 'vips']);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+ADDRESS\s+NETMASK\s+INTERFACE\s+DATA ADDRESS$/);
  });
});
