// The same flows through the executable fakes and the production executor (real processes,
// real time): argv handling, exit codes, and the kill path of a hung tool.
import { afterEach, expect, test } from '@jest/globals';
import { activate } from '../../src/host/lifecycle/activate';
import { deactivate } from '../../src/host/lifecycle/deactivate';
import { HostTimeoutError } from '../../src/host/core/exec';
import { showMap } from '../../src/host/multipath/tool';
import { findRecord, type LunRecord } from '../../src/host/state/records';
import { FakeHost, IQN, WWID0 } from './fakes/harness';
import { expectNothingLeft, req } from './flowHelpers';

let h: FakeHost;
afterEach(() => h.cleanup());

test('activate and deactivate through real fake processes, CHAP secret never on an argv', async () => {
  const secret = 'Spawned-Secret_99';
  h = FakeHost.standard({ noise: true }, { user: 'pve', secret });
  const env = h.env({ spawn: true, deadlineMs: 60_000 });
  const r = await activate(env, req({ chap: { user: 'pve', secret } }));
  expect(r.degraded).toBe(false);
  const calls = h.state().calls as Array<{ pid: number; argv: string[] }>;
  expect(new Set(calls.map((c) => c.pid)).size).toBe(calls.length); // one process per call
  expect(JSON.stringify(calls)).not.toContain(secret);
  expect(h.log.text()).not.toContain(secret);
  await deactivate(env, findRecord(env, 'jdss', IQN, 0) as LunRecord);
  expectNothingLeft(h);
});

test.each([
  ['exits on SIGTERM', false, 0],
  ['ignores SIGTERM and is killed after the grace', true, 300],
])('a hung multipath that %s is terminated at its bound and surfaces as a timeout', async (_what, ignoreTerm, grace) => {
  h = FakeHost.standard({ hang: { multipath: 10_000 }, ignoreTerm });
  const env = h.env({ spawn: true, tuning: { multipathTimeoutMs: 400, killGraceMs: 300 } });
  const started = Date.now();
  await expect(showMap(env, WWID0)).rejects.toBeInstanceOf(HostTimeoutError);
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(400 + grace);
  expect(took).toBeLessThan(5_000);
});
