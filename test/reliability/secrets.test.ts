// Secrets (REST password, CHAP secret) never appear in output, error messages or logs, even at
// debug level and on failures; log and state files are 0600.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

const CHAP = 'Chap-Secret-7f3e9a21';
let env: CliEnv;
let pwFile: string;
let log: string;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'chap_enabled: true\nchap_user_name: pvechap\nlog_level: debug' });
  pwFile = join(env.dir, 'both.pw');
  writeFileSync(pwFile, `user_password ${env.password}\nchap_user_password ${CHAP}\n`, { mode: 0o600 });
  log = join(env.dir, 'logs', 'jdssc.log');
});
afterAll(async () => env.close());

test('whole flows, successes and failures, leak no secret anywhere', async () => {
  const basic = Buffer.from(`admin:${env.password}`).toString('base64');
  const outputs: string[] = [];
  const run = async (args: string[], extra: string[] = []) => {
    const r = await env.run(['--password-file', pwFile, '--log-file', log, ...extra, ...args, '--json']);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  expect((await run(['pool', 'stats'])).code).toBe(0);
  expect((await run(['volume', 'create', 'vm-100-disk-0', '--size', '1G'])).code).toBe(0);
  expect((await run(['snapshot', 'create', 'vm-100-disk-0', 's1'])).code).toBe(0);
  expect((await run(['target', 'publish', 'vm-100-disk-0', '--refresh-chap'])).code).toBe(0);
  expect((await run(['target', 'publish', 'vm-100-disk-0', '--snapshot', 's1'])).code).toBe(0);
  // failures: a bad CHAP user, an unreachable address, a refused request, a wrong password
  expect((await run(['target', 'publish', 'vm-100-disk-0'], ['--chap-user', '-bad'])).code).toBe(2);
  expect((await run(['pool', 'stats'], ['--control-addresses', '127.0.0.9', '--timeout', '2'])).code).toBe(6);
  expect((await run(['volume', 'create', 'vm-100-disk-0', '--size', '1G'])).code).toBe(4);
  await env.sim.faults.add({ kind: 'status5xx', status: 500, count: 1, match: { method: 'POST' } });
  expect((await run(['volume', 'create', 'vm-101-disk-0', '--size', '1G'])).code).toBe(1);
  const wrong = join(env.dir, 'wrong.pw');
  writeFileSync(wrong, `user_password not-${env.password}\n`, { mode: 0o600 });
  const denied = await env.run(['--password-file', wrong, '--log-file', log, 'pool', 'stats', '--json']);
  outputs.push(denied.stdout, denied.stderr);
  expect(denied.code).toBe(7);

  const logText = readFileSync(log, 'utf8');
  expect(logText).toMatch(/DEBUG - (\[\S+\] )?POST \/api\/v4\/pools\/Pool-0\/san\/iscsi\/targets\/.*incoming-users/);
  for (const text of [...outputs, logText]) {
    expect(text).not.toContain(env.password);
    expect(text).not.toContain(CHAP);
    expect(text).not.toContain(basic);
  }
  expect(statSync(log).mode & 0o777).toBe(0o600);
});

test('state files are 0600 and state folders 0700', () => {
  const stateDir = join(env.dir, 'state');
  const entries = readdirSync(stateDir, { recursive: true }) as string[];
  expect(entries.some((e) => statSync(join(stateDir, e)).isFile())).toBe(true);
  for (const e of entries) {
    const st = statSync(join(stateDir, e));
    expect({ e, mode: st.mode & 0o777 }).toEqual({ e, mode: st.isDirectory() ? 0o700 : 0o600 });
  }
});
