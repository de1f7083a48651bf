// Fault injection (each kind, matching, counts, probability) and the request log.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { call, createVolume, poolPath } from './client';

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ listen: ['127.0.0.1', '127.0.0.4'], seed: 9 });
});
afterEach(async () => sim.close());

const volumes = poolPath('/volumes');
const names = async () => (await call(sim, 'GET', volumes)).json.data.entries.map((e: { name: string }) => e.name);

describe('request faults', () => {
  test('latency delays matching requests (with count)', async () => {
    await sim.faults.add({ kind: 'latency', ms: 150, count: 1 });
    let t = Date.now();
    await call(sim, 'GET', poolPath());
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    t = Date.now();
    await call(sim, 'GET', poolPath());
    expect(Date.now() - t).toBeLessThan(140);
  });

  test('status5xx: 500 JSON, 502/503 proxy HTML; the mutation is not applied; count is honoured', async () => {
    await sim.faults.add([
      { kind: 'status5xx', count: 2, match: { method: 'POST' } },
      { kind: 'status5xx', status: 502, match: { method: 'POST' } },
      { kind: 'status5xx', status: 503, match: { method: 'POST' } },
    ]);
    const body = { name: 'v_a', size: '1G' };
    for (let i = 0; i < 2; i++) {
      const r = await call(sim, 'POST', volumes, { body });
      expect(r.status).toBe(500);
      expect(r.json.error.class).toBe('werkzeug.exceptions.InternalServerError');
    }
    const bad = await call(sim, 'POST', volumes, { body });
    expect(bad.status).toBe(502);
    expect(bad.text).toContain('502 Bad Gateway');
    expect((await call(sim, 'POST', volumes, { body })).status).toBe(503);
    expect(await names()).toEqual([]);
    expect((await call(sim, 'POST', volumes, { body })).status).toBe(201);
  });

  test('cfgParserError: 500 errno 13 opene.cfgparser.CfgParserError', async () => {
    await sim.faults.add({ kind: 'cfgParserError', match: { path: '/san/iscsi/targets$' } });
    const r = await call(sim, 'POST', poolPath('/san/iscsi/targets'), { body: { name: 'iqn.2025-01.test:t' } });
    expect(r.status).toBe(500);
    expect(r.json.error).toMatchObject({ class: 'opene.cfgparser.CfgParserError', errno: 13 });
    expect((await call(sim, 'POST', poolPath('/san/iscsi/targets'), { body: { name: 'iqn.2025-01.test:t' } })).status).toBe(201);
  });

  test('dataless200 answers GETs with {data: null, error: null} and never hits other methods', async () => {
    await sim.faults.add({ kind: 'dataless200', count: 0 });
    await createVolume(sim, 'v_a');
    const r = await call(sim, 'GET', poolPath('/volumes/v_a'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ data: null, error: null });
    sim.faults.clear();
    expect((await call(sim, 'GET', poolPath('/volumes/v_a'))).json.data.name).toBe('v_a');
  });

  test('hang never answers (the client times out); close releases it promptly', async () => {
    await sim.faults.add({ kind: 'hang', match: { address: '127.0.0.4' } });
    await expect(call(sim, 'GET', poolPath(), { address: '127.0.0.4', timeoutMs: 200 })).rejects.toMatchObject({
      code: 'ETIMEDOUT_CLIENT',
    });
    expect((await call(sim, 'GET', poolPath(), { address: '127.0.0.4' })).status).toBe(200);
    await sim.faults.add({ kind: 'hang' });
    const pending = call(sim, 'GET', poolPath(), { timeoutMs: 10_000 }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    await sim.close();
    expect(await pending).toHaveProperty('code', 'ECONNRESET');
    expect(Date.now() - t).toBeLessThan(1000);
    const hung = sim.requests.all().filter((r) => r.fault === 'hang');
    expect(hung.map((r) => r.status)).toEqual([0, 0]);
  });

  test('rateLimit answers 429 with Retry-After', async () => {
    await sim.faults.add({ kind: 'rateLimit', retryAfterSec: 7 });
    const r = await call(sim, 'GET', poolPath());
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('7');
    expect(r.json.error.class).toBe('werkzeug.exceptions.TooManyRequests');
  });

  test('dropAfterApply applies the mutation, then cuts the connection without an answer', async () => {
    await sim.faults.add({ kind: 'dropAfterApply', match: { method: 'POST', path: '/volumes$' } });
    await expect(call(sim, 'POST', volumes, { body: { name: 'v_dropped', size: '1G' } })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await names()).toEqual(['v_dropped']);
    expect(sim.requests.all().find((r) => r.method === 'POST')).toMatchObject({ status: 0, fault: 'dropAfterApply' });
  });

  test('staleList leaves the newest entries out of listings, results included', async () => {
    for (const n of ['v_1', 'v_2', 'v_3']) await createVolume(sim, n);
    await sim.faults.add({ kind: 'staleList', omit: 2 });
    const stale = (await call(sim, 'GET', `${volumes}?page=0`)).json.data;
    expect(stale).toEqual({ results: 1, entries: [expect.objectContaining({ name: 'v_1' })] });
    expect(await names()).toEqual(['v_1', 'v_2', 'v_3']);
  });
});

describe('matching, counts, probability, control API', () => {
  test('match by method, path and address; count 0 means forever', async () => {
    await sim.faults.add({ kind: 'status5xx', count: 0, match: { method: 'GET', path: '^/api/v4/pools/Pool-0$', address: '127.0.0.4' } });
    for (let i = 0; i < 3; i++) expect((await call(sim, 'GET', poolPath(), { address: '127.0.0.4' })).status).toBe(500);
    expect((await call(sim, 'GET', poolPath())).status).toBe(200);
    expect((await call(sim, 'GET', poolPath('/vips'), { address: '127.0.0.4' })).status).toBe(200);
    expect(sim.faults.list()[0]).toMatchObject({ applied: 3, remaining: null });
  });

  test('faults are consumed in order', async () => {
    await sim.faults.add([{ kind: 'rateLimit' }, { kind: 'cfgParserError' }]);
    expect((await call(sim, 'GET', poolPath())).status).toBe(429);
    expect((await call(sim, 'GET', poolPath())).json.error.errno).toBe(13);
    expect((await call(sim, 'GET', poolPath())).status).toBe(200);
  });

  test('probability draws from the seeded RNG: same seed, same pattern', async () => {
    const pattern = async (s: RunningSimulator) => {
      await s.faults.add({ kind: 'status5xx', count: 0, probability: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await call(s, 'GET', poolPath())).status);
      return out;
    };
    const other = await startSimulator({ listen: ['127.0.0.1'], seed: 9 });
    try {
      const a = await pattern(sim);
      const b = await pattern(other);
      expect(a).toEqual(b);
      expect(a).toContain(500);
      expect(a).toContain(200);
    } finally {
      await other.close();
    }
  });

  test('faults over the control API: add, list, remove one, clear; bad specs are 400', async () => {
    const added = await call(sim, 'POST', '/__simulator/faults', {
      body: [
        { kind: 'rateLimit', count: 0 },
        { kind: 'latency', ms: 1 },
      ],
    });
    expect(added.status).toBe(201);
    const ids = added.json.added.map((f: { id: string }) => f.id);
    expect((await call(sim, 'GET', '/__simulator/faults')).json.faults).toHaveLength(2);
    expect((await call(sim, 'DELETE', `/__simulator/faults/${ids[0]}`)).status).toBe(204);
    expect((await call(sim, 'GET', poolPath())).status).toBe(200);
    expect((await call(sim, 'DELETE', '/__simulator/faults')).status).toBe(204);
    expect(sim.faults.list()).toEqual([]);
    for (const bad of [{ kind: 'meteor' }, { kind: 'latency' }, { kind: 'hang', count: -1 }, { kind: 'hang', match: { path: '(' } }]) {
      expect((await call(sim, 'POST', '/__simulator/faults', { body: bad })).status).toBe(400);
    }
  });

  test('address faults: {kind: down} refuses connections until the address is brought back', async () => {
    await sim.faults.add({ kind: 'down', address: '127.0.0.4' });
    await expect(call(sim, 'GET', poolPath(), { address: '127.0.0.4' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await call(sim, 'GET', '/__simulator/faults')).json.addresses['127.0.0.4']).toMatchObject({ down: true });
    await sim.setAddressDown('127.0.0.4', false);
    expect((await call(sim, 'GET', poolPath(), { address: '127.0.0.4' })).status).toBe(200);
  });
});

describe('request log', () => {
  test('counts by method / path prefix / mutating; since(seq); reset; control calls are not counted', async () => {
    await createVolume(sim, 'v_a');
    await call(sim, 'GET', poolPath('/volumes/v_a'));
    await call(sim, 'PUT', poolPath('/volumes/v_a'), { body: { size: '2G' } });
    await call(sim, 'GET', '/__simulator/health');
    await call(sim, 'DELETE', poolPath('/volumes/v_a'));
    const log = sim.requests;
    expect(log.count()).toBe(4);
    expect(log.count({ method: 'GET' })).toBe(1);
    expect(log.count({ mutatingOnly: true })).toBe(3);
    expect(log.count({ pathPrefix: '/api/v4/pools/Pool-0/volumes/v_a' })).toBe(3);
    const all = log.all();
    expect(all[0]).toMatchObject({
      seq: 1,
      address: '127.0.0.1',
      method: 'POST',
      path: '/api/v4/pools/Pool-0/volumes',
      query: '',
      status: 201,
    });
    expect(all[3]).toMatchObject({ method: 'DELETE', status: 204 });
    expect(typeof all[0].durationMs).toBe('number');
    expect(log.since(2).map((r) => r.method)).toEqual(['PUT', 'DELETE']);
    const remote = (await call(sim, 'GET', '/__simulator/requests?since=3')).json;
    expect(remote.entries.map((r: { method: string }) => r.method)).toEqual(['DELETE']);
    expect(remote.counters).toEqual({ total: 4, byMethod: { POST: 1, GET: 1, PUT: 1, DELETE: 1 } });
    expect((await call(sim, 'DELETE', '/__simulator/requests')).status).toBe(204);
    expect(log.count()).toBe(0);
    await call(sim, 'GET', `${volumes}?page=0&per_page=100`);
    expect(log.all()[0]).toMatchObject({ seq: 5, query: 'page=0&per_page=100' });
  });

  test('applied faults are recorded; a 401 is recorded too', async () => {
    await sim.faults.add({ kind: 'rateLimit' });
    await call(sim, 'GET', poolPath());
    await call(sim, 'GET', poolPath(), { auth: null });
    expect(sim.requests.all().map((r) => [r.status, r.fault])).toEqual([
      [429, 'rateLimit'],
      [401, undefined],
    ]);
  });
});
