// Failure messages name the request that failed (method and path) and the real reason, through
// the real CLI against the simulator: a Retry-After beyond the deadline, and a change that hung
// until the deadline left no time to check whether it applied.
import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'request_timeout: 5\ntimeout: 10' });
});
afterAll(async () => env.close());
beforeEach(() => {
  env.sim.faults.clear();
  env.sim.requests.reset();
});

test('429 with Retry-After: 30 and a 10 s deadline: exit 6 at once, naming the POST and the wait asked for', async () => {
  await env.sim.faults.add({ kind: 'rateLimit', retryAfterSec: 30, match: { method: 'POST', path: '/volumes$' } });
  const r = await env.run(['volume', 'create', 'vm-100-disk-0', '--size', '4M', '--json']);
  expect(r.code).toBe(6);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/POST \/api\/v4\/pools\/Pool-0\/volumes/);
  expect(lines[0]).toMatch(/the appliance asked to retry after 30 s, more than the [\d.]+ s left of the deadline/);
  expect(lines[0]).not.toMatch(/gave up at/);
});

test('a POST that hangs until the deadline: the error names the POST (not the GET that would check it)', async () => {
  await env.sim.faults.add({ kind: 'hang', match: { method: 'POST', path: '/volumes$' } });
  const r = await env.run(['--timeout', '2', 'volume', 'create', 'vm-101-disk-0', '--size', '4M', '--json']);
  expect(r.code).toBe(6);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/no answer from JovianDSS for POST \/api\/v4\/pools\/Pool-0\/volumes/);
  expect(lines[0]).toMatch(/whether it applied could not be checked: the 2 s deadline ran out/);
  expect(lines[0]).not.toMatch(/for GET/);
  expect(r.json.error.code).toBe('outcome_unknown');
});
