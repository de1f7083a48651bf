// No blind resends: for every change jdssc sends (each POST, PUT and DELETE of src/jovian), the
// connection is cut after the appliance applied it (`dropAfterApply`). The request log must then
// show a read that checks the outcome, and never the same change sent a second time.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { noAddressMemory } from '../../src/jovian/addressMemory';
import { RestClient } from '../../src/jovian/client';
import { createHttpsSender } from '../../src/jovian/http';
import {
  addIncomingUser,
  attachLun,
  createTarget,
  deleteIncomingUser,
  deleteTarget,
  detachLun,
  updateTarget,
} from '../../src/jovian/targets';
import { nullLogger } from '../../src/log/logger';
import type { RequestRecord } from '../../src/simulator';
import { systemClock } from '../../src/util/clock';
import { Deadline } from '../../src/util/deadline';
import type { RollbackResult } from '../../src/storage';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ configExtra: 'request_timeout: 2\ntimeout: 10' });
  await env.okJson(['volume', 'create', 'vm-100-disk-0', '--size', '8M']);
});
afterAll(async () => env.close());
beforeEach(() => {
  env.sim.faults.clear();
  env.sim.requests.reset();
});

/** Cut the connection after the first `method` request whose path matches, once it has applied. */
async function dropAfterApply(method: string, path: string): Promise<void> {
  await env.sim.faults.add({ kind: 'dropAfterApply', count: 1, match: { method, path } });
}

/** The dropped change, and what followed it. */
function afterTheDrop(): { dropped: RequestRecord; later: RequestRecord[] } {
  const all = env.sim.requests.all();
  const i = all.findIndex((r) => r.fault?.includes('dropAfterApply'));
  expect(i).toBeGreaterThanOrEqual(0);
  return { dropped: all[i], later: all.slice(i + 1) };
}

/** A verify-read came next, and the same change was never sent again. */
function expectVerifiedNotResent(): void {
  const { dropped, later } = afterTheDrop();
  expect(later[0]?.method).toBe('GET');
  const resent = later.filter((r) => r.method === dropped.method && r.path === dropped.path);
  expect(resent).toEqual([]);
}

describe('a change whose answer was lost is checked, not resent', () => {
  test('volume resize (PUT size)', async () => {
    await dropAfterApply('PUT', '/volumes/v_vm-100-disk-0$');
    const r = await env.okJson(['volume', 'resize', 'vm-100-disk-0', '--size', '16M']);
    expect(r.size).toBe(16 * 2 ** 20);
    expectVerifiedNotResent();
  });

  test('snapshot rollback (POST …/rollback), with newer snapshots to destroy', async () => {
    await env.okJson(['snapshot', 'create', 'vm-100-disk-0', 'r1']);
    await env.okJson(['snapshot', 'create', 'vm-100-disk-0', 'r2']);
    env.sim.requests.reset();
    await dropAfterApply('POST', '/rollback$');
    const r = await env.okJson<RollbackResult>(['snapshot', 'rollback', 'vm-100-disk-0', 'r1', '--destroy-newer']);
    expect(r.destroyed).toEqual(['r2']);
    expectVerifiedNotResent();
  });

  test('snapshot rollback with nothing newer: the check finds the snapshot set unchanged and the rollback converges', async () => {
    await dropAfterApply('POST', '/rollback$');
    const r = await env.okJson<RollbackResult>(['snapshot', 'rollback', 'vm-100-disk-0', 'r1']);
    expect(r.destroyed).toEqual([]);
    const { later } = afterTheDrop();
    expect(later[0]?.method).toBe('GET');
  });

  test('volume rename (PUT name)', async () => {
    await env.okJson(['volume', 'create', 'vm-101-disk-0', '--size', '4M']);
    env.sim.requests.reset();
    await dropAfterApply('PUT', '/volumes/v_vm-101-disk-0$');
    expect((await env.okJson(['volume', 'rename', 'vm-101-disk-0', 'vm-101-disk-1'])).name).toBe('vm-101-disk-1');
    expectVerifiedNotResent();
  });

  test('snapshot create and delete (POST / DELETE …/snapshots)', async () => {
    await dropAfterApply('POST', '/snapshots$');
    expect((await env.okJson(['snapshot', 'create', 'vm-101-disk-1', 's1'])).created).toBe(true);
    expectVerifiedNotResent();
    env.sim.requests.reset();
    await dropAfterApply('DELETE', '/snapshots/s_s1$');
    expect((await env.okJson(['snapshot', 'delete', 'vm-101-disk-1', 's1'])).deleted).toBe(true);
    expectVerifiedNotResent();
  });

  test('volume clone (POST …/clone) and volume delete (DELETE)', async () => {
    await env.okJson(['snapshot', 'create', 'vm-101-disk-1', 'c']);
    env.sim.requests.reset();
    await dropAfterApply('POST', '/clone$');
    await env.okJson(['volume', 'clone', 'vm-101-disk-1', 'vm-102-disk-0', '--snapshot', 'c']);
    expectVerifiedNotResent();
    env.sim.requests.reset();
    await dropAfterApply('DELETE', '/volumes/v_vm-102-disk-0$');
    await env.okJson(['volume', 'delete', 'vm-102-disk-0']);
    expectVerifiedNotResent();
  });
});

// The target endpoints, driven through the REST client itself (publish and unpublish add host
// and placement logic that this table does not need).
describe('target, LUN and CHAP-user changes whose answer was lost are checked, not resent', () => {
  const T = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-120-0';
  let rest: RestClient;
  let close: () => void;
  beforeAll(async () => {
    await env.okJson(['volume', 'create', 'vm-120-disk-0', '--size', '4M']);
    const http = await createHttpsSender({
      port: env.sim.port,
      user: 'admin',
      password: env.password,
      verifyTls: true,
      ca: env.sim.caPem,
      connectTimeoutMs: 1000,
    });
    close = () => http.close();
    rest = new RestClient({
      addresses: env.sim.addresses,
      pool: 'Pool-0',
      user: 'admin',
      http,
      clock: systemClock,
      deadline: new Deadline(systemClock, 10_000),
      memory: noAddressMemory,
      log: nullLogger,
      requestTimeoutMs: 2000,
    });
  });
  afterAll(() => close());

  const steps: Array<[string, string, string, () => Promise<unknown>]> = [
    ['create target', 'POST', '/san/iscsi/targets$', () => createTarget(rest, T, { vips: ['vip0'], chap: false })],
    ['update target', 'PUT', '/san/iscsi/targets/[^/]+$', () => updateTarget(rest, T, { vips: ['vip0', 'vip1'], chap: true })],
    ['attach LUN', 'POST', '/luns$', () => attachLun(rest, T, 'v_vm-120-disk-0', 0)],
    ['add CHAP user', 'POST', '/incoming-users$', () => addIncomingUser(rest, T, 'pvechap', 'Chap-Secret-123456')],
    ['delete CHAP user', 'DELETE', '/incoming-users/pvechap$', () => deleteIncomingUser(rest, T, 'pvechap')],
    ['detach LUN', 'DELETE', '/luns/v_vm-120-disk-0$', () => detachLun(rest, T, 'v_vm-120-disk-0')],
    ['delete target', 'DELETE', '/san/iscsi/targets/[^/]+$', () => deleteTarget(rest, T)],
  ];
  test.each(steps)('%s (%s)', async (_label, method, path, step) => {
    await dropAfterApply(method, path);
    await step();
    expectVerifiedNotResent();
  });

  test('and the array ends as the steps left it', async () => {
    expect((await env.rest('GET', '/san/iscsi/targets')).json.data).toEqual([]);
  });
});
