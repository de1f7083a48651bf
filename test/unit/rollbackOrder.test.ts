// Which snapshots a rollback counts as newer: ordered by createtxg when the appliance gives it;
// without it, only an earlier creation second proves "older" — a same-second or undated snapshot
// counts as possibly newer (it blocks), the safe side. Driven through a scripted REST answer.
import { describe, expect, test } from '@jest/globals';
import { noAddressMemory } from '../../src/jovian/addressMemory';
import { RestClient } from '../../src/jovian/client';
import type { HttpRequest, HttpResponse, HttpSender } from '../../src/jovian/httpTypes';
import { nullLogger } from '../../src/log/logger';
import { rollbackCheck } from '../../src/storage/snapshots/rollback';
import type { StorageContext } from '../../src/storage/context';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';

const T = 1_753_900_000;
const ok = (data: unknown): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ data, error: null }) });

interface Snap {
  name: string;
  creation: number;
  createtxg?: number;
}

/** An appliance holding the snapshots of v_vm-1-disk-0, listed as given (v4 listing: no createtxg). */
function ctxFor(snaps: Snap[]): { ctx: StorageContext; log: string[] } {
  const log: string[] = [];
  const base = '/api/v4/pools/Pool-0/volumes/v_vm-1-disk-0/snapshots';
  const http: HttpSender = {
    async send(req: HttpRequest) {
      log.push(`${req.method} ${req.path}`);
      const path = req.path.replace(/\?.*$/, '');
      if (path === base) {
        const page = /page=(\d+)/.exec(req.path)?.[1];
        const entries = page === '0' ? snaps.map((s) => ({ name: s.name, properties: { guid: '1', creation: s.creation } })) : [];
        return ok({ results: snaps.length, entries });
      }
      const m = /^\/([^/]+)(\/clones|\/rollback)?$/.exec(path.slice(base.length));
      const snap = m && snaps.find((s) => s.name === m[1]);
      if (!snap) return { status: 500, headers: {}, body: JSON.stringify({ data: null, error: { errno: 1, message: 'x' } }) };
      if (m[2] === '/clones') return ok([]);
      if (m[2] === '/rollback') return ok({ snapshots: 0, clones: 0 });
      const single: Record<string, unknown> = { name: snap.name, creation: '2025-7-30 18:26:40' };
      if (snap.createtxg !== undefined) single.createtxg = String(snap.createtxg);
      return ok(single);
    },
    close() {},
  };
  const clock = new FakeClock();
  const deadline = new Deadline(clock, 60_000);
  const rest = new RestClient({
    addresses: ['127.0.0.1'],
    pool: 'Pool-0',
    user: 'admin',
    http,
    clock,
    deadline,
    memory: noAddressMemory,
    log: nullLogger,
    requestTimeoutMs: 10_000,
  });
  const ctx: StorageContext = {
    rest,
    pool: 'Pool-0',
    defaults: { blockSize: '16K', thin: true },
    clock,
    deadline,
    log: nullLogger,
    localInitiator: () => null,
    locks: { run: (_key, _purpose, fn) => fn() },
  };
  return { ctx, log };
}

describe('rollback ordering', () => {
  test('createtxg decides within one second: the older same-second snapshot does not block', async () => {
    const { ctx } = ctxFor([
      { name: 's_a', creation: T, createtxg: 10 },
      { name: 's_b', creation: T, createtxg: 11 },
    ]);
    expect((await rollbackCheck(ctx, 'vm-1-disk-0', 'b')).blockers.snapshots).toEqual([]);
    expect((await rollbackCheck(ctx, 'vm-1-disk-0', 'a')).blockers.snapshots).toEqual(['b']);
  });

  test('createtxg wins over creation: a snapshot dated earlier (clock stepped back) but with a later txg blocks', async () => {
    const { ctx } = ctxFor([
      { name: 's_a', creation: T, createtxg: 10 },
      { name: 's_b', creation: T - 3600, createtxg: 11 },
    ]);
    expect((await rollbackCheck(ctx, 'vm-1-disk-0', 'a')).blockers.snapshots).toEqual(['b']);
  });

  test('without createtxg: an earlier second is older; the same second counts as possibly newer', async () => {
    const { ctx } = ctxFor([
      { name: 's_old', creation: T - 5 },
      { name: 's_a', creation: T },
      { name: 's_b', creation: T },
    ]);
    expect((await rollbackCheck(ctx, 'vm-1-disk-0', 'b')).blockers.snapshots).toEqual(['a']);
    expect((await rollbackCheck(ctx, 'vm-1-disk-0', 'a')).blockers.snapshots).toEqual(['b']);
  });
});
