// The audit trail: one journal line per changing command (fields, request id shared with the log),
// reads quiet unless debug, a missing journal never fails a command, and no secret in any line.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { formatAuditLine, newRequestId } from '../../src/cmdutil/audit';
import { auditFields, fakeJournal, type FakeJournal } from './journal';

let env: CliEnv;
let journal: FakeJournal;
let log: string;
const CHAP = 'Chap-Audit-Secret-93b1';
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'storage_id: jdss-Pool-0\nchap_enabled: true\nchap_user_name: pvechap' });
  journal = await fakeJournal(env.dir);
  log = join(env.dir, 'jdssc.log');
});
afterAll(async () => {
  await journal.close();
  await env.close();
});

const run = (args: string[], extra: Record<string, string> = {}) =>
  env.run(['--log-file', log, ...args], { env: { JDSSC_JOURNAL_SOCKET: journal.path, JDSSC_CHAP_PASSWORD: CHAP, ...extra } });

test('a changing command leaves one line: op, objects, storage, node, outcome, duration, request id', async () => {
  journal.entries.length = 0;
  const r = await run(['volume', 'create', 'vm-100-disk-0', '--size', '1G', '--request-id', 'req-create-1', '--json']);
  expect(r.code).toBe(0);
  const [e] = await journal.waitFor(1);
  expect(journal.entries).toHaveLength(1);
  expect(e.identifier).toBe('jdssc');
  expect(e.priority).toBe(6);
  const f = auditFields(e.message);
  expect(f).toMatchObject({
    op: 'volume create',
    objects: 'vm-100-disk-0',
    storage: 'jdss-Pool-0',
    node: hostname(),
    outcome: 'ok',
    exit: '0',
    request_id: 'req-create-1',
  });
  expect(Number(f.duration_ms)).toBeGreaterThanOrEqual(0);
});

test('without --request-id one is generated, and the debug and REST log lines carry it', async () => {
  journal.entries.length = 0;
  expect((await run(['snapshot', 'create', 'vm-100-disk-0', 's1', '--log-level', 'debug'])).code).toBe(0);
  const [e] = await journal.waitFor(1);
  const id = auditFields(e.message).request_id;
  expect(id).toMatch(/^[0-9a-f]{12}$/);
  const mine = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`[${id}]`));
  expect(mine.some((l) => / - DEBUG - \[[0-9a-f]{12}\] POST \/api\/v4\/pools\/Pool-0\/volumes\/.*\/snapshots/.test(l))).toBe(true);
  expect(auditFields(e.message).objects).toBe('vm-100-disk-0,s1');
});

test('reads stay quiet; with debug on they leave a debug-priority line', async () => {
  journal.entries.length = 0;
  expect((await run(['volume', 'list', '--json'])).code).toBe(0);
  expect((await run(['snapshot', 'rollback', 'vm-100-disk-0', 's1', '--check', '--json'])).code).toBe(0);
  await new Promise((r) => setTimeout(r, 50));
  expect(journal.entries).toHaveLength(0);
  expect((await run(['volume', 'list', '--log-level', 'debug', '--json'])).code).toBe(0);
  const [e] = await journal.waitFor(1);
  expect(e.priority).toBe(7);
  expect(auditFields(e.message).op).toBe('volume list');
});

test('a failed change is audited with its exit code at warning priority', async () => {
  journal.entries.length = 0;
  expect((await run(['volume', 'create', 'vm-100-disk-0', '--size', '1G', '--json'])).code).toBe(4);
  const [e] = await journal.waitFor(1);
  expect(e.priority).toBe(4);
  expect(auditFields(e.message)).toMatchObject({ outcome: 'error', exit: '4' });
});

test('no journal (container, CI): the command still succeeds and the line lands in the log file', async () => {
  const r = await run(['volume', 'create', 'vm-100-disk-9', '--size', '1G', '--request-id', 'no-journal-1'], {
    JDSSC_JOURNAL_SOCKET: join(env.dir, 'absent.sock'),
  });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  expect(readFileSync(log, 'utf8')).toMatch(/INFO - \[no-journal-1\] audit op="volume create" objects=vm-100-disk-9 .*outcome=ok/);
  // a socket path that exists but is no socket: same silent fallback
  const notSock = join(env.dir, 'not-a-socket');
  writeFileSync(notSock, '');
  expect((await run(['volume', 'delete', 'vm-100-disk-9'], { JDSSC_JOURNAL_SOCKET: notSock })).code).toBe(0);
  expect(existsSync(log)).toBe(true);
});

test('no secret reaches a journal line (password file, env, CHAP, Basic auth)', async () => {
  journal.entries.length = 0;
  const pw = join(env.dir, 'both.pw');
  writeFileSync(pw, `user_password ${env.password}\nchap_user_password ${CHAP}\n`, { mode: 0o600 });
  const basic = Buffer.from(`admin:${env.password}`).toString('base64');
  const runs: string[][] = [
    ['--password-file', pw, 'target', 'publish', 'vm-100-disk-0', '--refresh-chap'],
    ['--password-file', pw, 'target', 'unpublish', 'vm-100-disk-0'],
    ['--password-file', pw, '--log-level', 'debug', 'pool', 'stats'],
    // a failure whose message could quote configuration
    ['--password-file', join(env.dir, 'missing.pw'), 'volume', 'create', 'vm-100-disk-5', '--size', '1G'],
  ];
  for (const args of runs) await run(args, { JDSSC_PASSWORD: env.password });
  const lines = await journal.waitFor(runs.length);
  expect(lines.length).toBe(runs.length);
  for (const { message } of lines) {
    for (const secret of [env.password, CHAP, basic]) expect(message).not.toContain(secret);
  }
});

test('the line format quotes what needs it and keeps one entry per line', () => {
  const line = formatAuditLine({
    op: 'volume rename',
    objects: ['a b', 'c\nd'],
    storage: 'jdss-Pool-0',
    node: 'pve1',
    outcome: 'ok',
    exit: 0,
    durationMs: 5,
    requestId: 'r1',
  });
  expect(line).not.toContain('\n');
  expect(auditFields(line).objects).toBe('a b,c\nd');
  expect(newRequestId(() => 0.5)).toBe('888888888888');
});
