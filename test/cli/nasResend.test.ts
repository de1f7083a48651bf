// No blind resends for the NAS changes: the connection is cut after the simulator applied each
// POST, PUT and DELETE jdssc sends for NAS volumes, shares and NAS snapshots (`dropAfterApply`);
// the command still succeeds, a read checked the outcome, and the change was never sent twice.
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import type { RequestRecord } from '../../src/simulator';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'request_timeout: 2\ntimeout: 10' });
});
afterAll(async () => env.close());
beforeEach(() => {
  env.sim.faults.clear();
  env.sim.requests.reset();
});

function expectVerifiedNotResent(): void {
  const all: RequestRecord[] = env.sim.requests.all();
  const i = all.findIndex((r) => r.fault?.includes('dropAfterApply'));
  expect(i).toBeGreaterThanOrEqual(0);
  const dropped = all[i];
  const later = all.slice(i + 1);
  expect(later[0]?.method).toBe('GET');
  expect(later.filter((r) => r.method === dropped.method && r.path === dropped.path)).toEqual([]);
}

// Each row runs after the ones before it (they build on each other's objects).
test.each<[string, string, string, string[]]>([
  ['nas-volume create', 'POST', '/nas-volumes$', ['nas-volume', 'create', 'data', '--quota', '1G']],
  ['nas-volume resize', 'PUT', '/nas-volumes/data$', ['nas-volume', 'resize', 'data', '--quota', '2G']],
  ['share create', 'POST', '/api/v4/shares$', ['share', 'create', 'data', '--nas-volume', 'data', '--allow', '10.0.0.1']],
  ['nas-snapshot create', 'POST', '/snapshots$', ['nas-snapshot', 'create', 'data', 'one']],
  ['publish: the clone', 'POST', '/clones$', ['nas-snapshot', 'publish', 'data', 'one']],
  ['unpublish: the share', 'DELETE', '/api/v4/shares/s_one$', ['nas-snapshot', 'unpublish', 'data', 'one']],
  ['nas-snapshot create (a newer one)', 'POST', '/snapshots$', ['nas-snapshot', 'create', 'data', 'two']],
  ['rollback --force: the rollback', 'POST', '/rollback$', ['nas-snapshot', 'rollback', 'data', 'one', '--force']],
  ['nas-snapshot delete', 'DELETE', '/snapshots/s_one$', ['nas-snapshot', 'delete', 'data', 'one']],
  ['share delete', 'DELETE', '/api/v4/shares/data$', ['share', 'delete', 'data']],
  ['nas-volume delete', 'DELETE', '/nas-volumes/data$', ['nas-volume', 'delete', 'data']],
])('%s: a lost answer is checked by a read, never resent', async (_label, method, path, args) => {
  await env.sim.faults.add({ kind: 'dropAfterApply', count: 1, match: { method, path } });
  const r = await env.run([...args, '--json']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  expectVerifiedNotResent();
});

test('the NAS volume is gone at the end: every change above applied exactly once', async () => {
  expect((await env.run(['nas-volume', 'get', 'data'])).code).toBe(3);
  expect((await env.okJson<{ shares: unknown[] }>(['share', 'list'])).shares).toEqual([]);
});
