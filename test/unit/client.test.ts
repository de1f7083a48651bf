import * as fs from 'node:fs';
import { afterAll, describe, expect, test } from '@jest/globals';
import { createAddressMemory, noAddressMemory, type AddressMemory } from '../../src/jovian/addressMemory';
import { RestClient } from '../../src/jovian/client';
import { NetworkError, type HttpRequest, type HttpResponse, type HttpSender } from '../../src/jovian/httpTypes';
import { listSnapshots } from '../../src/jovian/snapshots';
import { listTargets } from '../../src/jovian/targets';
import { EXIT, JdsscError } from '../../src/errors';
import { nullLogger } from '../../src/log/logger';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';
import { tempDir } from '../helpers/tmp';

type Step = HttpResponse | NetworkError | ((req: HttpRequest) => HttpResponse | NetworkError);

const ok = (data: unknown, status = 200): HttpResponse => ({ status, headers: {}, body: JSON.stringify({ data, error: null }) });
const fail = (status: number, error: object, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers,
  body: JSON.stringify({ data: null, error }),
});
const refused = () => new NetworkError('connect', 'ECONNREFUSED');
const lost = () => new NetworkError('sent', 'ECONNRESET');

/** Each address answers from its own script; the last step repeats. */
class ScriptedSender implements HttpSender {
  log: HttpRequest[] = [];
  constructor(private scripts: Record<string, Step[]>) {}
  async send(req: HttpRequest): Promise<HttpResponse> {
    this.log.push(req);
    const script = this.scripts[req.address] ?? [refused()];
    const step = script.length > 1 ? script.shift()! : script[0];
    const out = typeof step === 'function' ? step(req) : step;
    if (out instanceof NetworkError) throw out;
    return out;
  }
  close() {}
}

function client(scripts: Record<string, Step[]>, opts: { memory?: AddressMemory; deadlineMs?: number; addresses?: string[] } = {}) {
  const clock = new FakeClock();
  const http = new ScriptedSender(scripts);
  const c = new RestClient({
    addresses: opts.addresses ?? ['127.0.0.1', '127.0.0.4'],
    pool: 'Pool-0',
    user: 'admin',
    http,
    clock,
    deadline: new Deadline(clock, opts.deadlineMs ?? 60_000),
    random: () => 0.5,
    memory: opts.memory ?? noAddressMemory,
    log: nullLogger,
    requestTimeoutMs: 10_000,
  });
  return { c, http, clock };
}

async function failure(p: Promise<unknown>): Promise<JdsscError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(JdsscError);
    return e as JdsscError;
  }
  throw new Error('expected a failure');
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('failover', () => {
  test('a refused first address costs one attempt, no sleep, and the second answers', async () => {
    const { c, http, clock } = client({ '127.0.0.1': [refused()], '127.0.0.4': [ok({ name: 'Pool-0' })] });
    expect((await c.get('')).data).toEqual({ name: 'Pool-0' });
    expect(http.log.map((r) => r.address)).toEqual(['127.0.0.1', '127.0.0.4']);
    expect(clock.sleeps).toEqual([]);
    expect(http.log[1].path).toBe('/api/v4/pools/Pool-0');
  });

  test('the next invocation starts with the address that answered', async () => {
    const memOpts = { stateDir: tmp.dir, addresses: ['127.0.0.1', '127.0.0.4'], port: 82, now: () => Date.now(), fs };
    const first = client({ '127.0.0.1': [refused()], '127.0.0.4': [ok({})] }, { memory: createAddressMemory(memOpts) });
    await first.c.get('');
    const second = client({ '127.0.0.1': [refused()], '127.0.0.4': [ok({})] }, { memory: createAddressMemory(memOpts) });
    await second.c.get('');
    expect(second.http.log.map((r) => r.address)).toEqual(['127.0.0.4']);
  });

  test('all addresses down → retried until the deadline, then unreachable (exit 6) naming each failure', async () => {
    const { c, http, clock } = client({}, { deadlineMs: 30_000 });
    const started = clock.now();
    const e = await failure(c.get(''));
    expect(e.exitCode).toBe(EXIT.UNREACHABLE);
    expect(e.code).toBe('unreachable');
    expect(e.message).toMatch(/127\.0\.0\.1: ECONNREFUSED; 127\.0\.0\.4: ECONNREFUSED \(gave up at the 30 s deadline\)/);
    expect(http.log.length).toBeGreaterThan(12); // an HA failover gets the whole deadline
    expect(clock.now() - started).toBeLessThanOrEqual(30_000);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(5000); // backoff is capped
  });

  test('a TLS trust failure stops at once with a clear fix (exit 7)', async () => {
    const { c, http } = client({
      '127.0.0.1': [new NetworkError('connect', 'TLS certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)', true)],
    });
    const e = await failure(c.get(''));
    expect(e.exitCode).toBe(EXIT.AUTH);
    expect(e.message).toMatch(/--ca-file/);
    expect(http.log.length).toBe(1);
  });
});

describe('retries only for transient answers', () => {
  test.each([
    ['dataless 200', ok(null)],
    ['CfgParserError', fail(500, { class: 'opene.cfgparser.CfgParserError', errno: 13, message: 'x' })],
    ['503', { status: 503, headers: {}, body: '' }],
  ])('%s then success: retried once with a jittered backoff', async (_name, transient) => {
    const { c, http, clock } = client({ '127.0.0.1': [transient, ok({ v: 1 })] });
    expect((await c.get('/x')).data).toEqual({ v: 1 });
    expect(http.log.length).toBe(2);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(100);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(200);
  });

  test('backoff grows exponentially', async () => {
    const t = ok(null);
    const { c, clock } = client({ '127.0.0.1': [t, t, t, t, ok({})] });
    await c.get('/x');
    expect(clock.sleeps).toEqual([150, 300, 600, 1200]);
  });

  test('429 honours Retry-After', async () => {
    const { c, clock } = client({ '127.0.0.1': [{ status: 429, headers: { 'retry-after': '2' }, body: '' }, ok({})] });
    await c.get('/x');
    expect(clock.sleeps).toEqual([2000]);
  });

  test.each([
    ['not found', fail(500, { errno: 1, message: 'Zfs resource: Pool-0/v_a not found in this collection.' }), EXIT.NOT_FOUND],
    ['exists', fail(500, { message: 'Resource Pool-0/v_a already exists.' }), EXIT.EXISTS],
    ['busy', fail(500, { errno: 1000, message: 'volume has children' }), EXIT.BUSY],
    ['auth', { status: 401, headers: {}, body: '401 unauthorized' }, EXIT.AUTH],
    ['no space', fail(500, { message: 'New zvol size(5) exceeds available space on pool Pool-0(1).' }), EXIT.NO_SPACE],
  ])('%s is not retried', async (_n, answer, exit) => {
    const { c, http, clock } = client({ '127.0.0.1': [answer as HttpResponse] });
    expect((await failure(c.request({ method: 'POST', path: '/volumes', body: {} }))).exitCode).toBe(exit);
    expect(http.log.length).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('a transient condition that never ends gives up with the reason', async () => {
    const { c } = client({ '127.0.0.1': [ok(null)] });
    const e = await failure(c.get('/x'));
    expect(e.exitCode).toBe(EXIT.UNREACHABLE);
    expect(e.message).toMatch(/kept refusing GET .*HTTP 200 without data/);
  });
});

describe('no blind replay of changes', () => {
  test('an unanswered POST without a way to verify is reported, not resent', async () => {
    const { c, http } = client({ '127.0.0.1': [lost(), ok({})] });
    const e = await failure(c.request({ method: 'POST', path: '/volumes', body: { name: 'v_a' } }));
    expect(e.code).toBe('outcome_unknown');
    expect(http.log.length).toBe(1);
  });

  test.each(['PUT', 'DELETE'] as const)(
    'an unanswered %s without a way to verify is reported, not resent (no idempotent opt-out)',
    async (method) => {
      const { c, http } = client({ '127.0.0.1': [lost(), ok({})] });
      const e = await failure(c.request({ method, path: '/volumes/v_a', body: { size: '1' } }));
      expect(e.code).toBe('outcome_unknown');
      expect(http.log.length).toBe(1);
    },
  );

  test('a transient refusal of a change is checked with verify() before the resend', async () => {
    const calls: string[] = [];
    const { c, http } = client({ '127.0.0.1': [{ status: 503, headers: {}, body: '' }, ok({}, 201)] }, { addresses: ['127.0.0.1'] });
    await c.request({ method: 'PUT', path: '/volumes/v_a', body: {}, verify: async () => (calls.push('verify'), false) });
    expect(calls).toEqual(['verify']);
    expect(http.log.map((r) => r.method)).toEqual(['PUT', 'PUT']);
  });

  test('an unanswered POST that verify() finds applied is a success, not a second create', async () => {
    const { c, http } = client({ '127.0.0.1': [lost(), ok({})] });
    const r = await c.request({ method: 'POST', path: '/volumes', body: {}, verify: async () => true });
    expect(r.verified).toBe(true);
    expect(http.log.length).toBe(1);
  });

  test('an unanswered POST that was not applied is resent', async () => {
    const { c, http } = client({ '127.0.0.1': [lost(), ok({ created: 1 }, 201)] }, { addresses: ['127.0.0.1'] });
    const r = await c.request({ method: 'POST', path: '/volumes', body: {}, verify: async () => false });
    expect(r).toEqual({ status: 201, data: { created: 1 } });
    expect(http.log.length).toBe(2);
  });

  test('a lost POST that applied late: the resend meets "already exists", verify sees it — success, not exit 4', async () => {
    const exists = fail(409, { class: 'opene.exceptions.ItemConflictError', message: 'Volume v_a already exists.' });
    let applied = false;
    const { c, http } = client({ '127.0.0.1': [lost(), exists] }, { addresses: ['127.0.0.1'] });
    // the first verify runs before the appliance finished; by the resend it has
    const r = await c.request({
      method: 'POST',
      path: '/volumes',
      body: { name: 'v_a' },
      verify: async () => (applied ? true : ((applied = true), false)),
    });
    expect(r.verified).toBe(true);
    expect(http.log.length).toBe(2);
  });

  test('"already exists" without an earlier lost attempt is a real conflict (exit 4)', async () => {
    const exists = fail(409, { class: 'opene.exceptions.ItemConflictError', message: 'Volume v_a already exists.' });
    const { c } = client({ '127.0.0.1': [exists] }, { addresses: ['127.0.0.1'] });
    const e = await failure(c.request({ method: 'POST', path: '/volumes', body: { name: 'v_a' }, verify: async () => true }));
    expect(e.exitCode).toBe(EXIT.EXISTS);
  });

  test('a refused connection proves nothing was sent: a POST moves to the next address', async () => {
    const { c, http } = client({ '127.0.0.1': [refused()], '127.0.0.4': [ok({}, 201)] });
    await c.request({ method: 'POST', path: '/volumes', body: {} });
    expect(http.log.map((r) => r.address)).toEqual(['127.0.0.1', '127.0.0.4']);
  });

  test('an unanswered GET is simply retried on the next address', async () => {
    const { c, http } = client({ '127.0.0.1': [lost()], '127.0.0.4': [ok({ a: 1 })] });
    expect((await c.get('/x')).data).toEqual({ a: 1 });
    expect(http.log.length).toBe(2);
  });
});

describe('deadline', () => {
  test('a Retry-After beyond the deadline fails at once (exit 6), naming the refusal', async () => {
    const { c, clock } = client({ '127.0.0.1': [{ status: 429, headers: { 'retry-after': '20' }, body: '' }] }, { deadlineMs: 5000 });
    const e = await failure(c.get('/x'));
    expect(e.exitCode).toBe(EXIT.UNREACHABLE);
    expect(e.message).toMatch(/kept refusing GET .*HTTP 429/);
    expect(clock.sleeps).toEqual([]);
  });

  test('a Retry-After beyond what is left says so: the real wait, the time left, the request', async () => {
    const { c, clock } = client({ '127.0.0.1': [{ status: 429, headers: { 'retry-after': '30' }, body: '' }] }, { deadlineMs: 10_000 });
    const e = await failure(c.request({ method: 'POST', path: '/volumes', body: {}, verify: async () => false }));
    expect(e.exitCode).toBe(EXIT.UNREACHABLE);
    expect(e.message).toMatch(/POST \/api\/v4\/pools\/Pool-0\/volumes/);
    expect(e.message).toMatch(/the appliance asked to retry after 30 s, more than the 10 s left of the deadline/);
    expect(e.message).not.toMatch(/gave up at/);
    expect(clock.sleeps).toEqual([]);
  });

  test('a hung POST whose check cannot be made in time names the POST, not the check', async () => {
    const { c, clock } = client(
      {
        '127.0.0.1': [
          (req) => {
            clock.advance(req.timeoutMs); // no answer until the deadline
            return new NetworkError('sent', `no answer within ${req.timeoutMs} ms`);
          },
          ok({}),
        ],
      },
      { deadlineMs: 10_000, addresses: ['127.0.0.1'] },
    );
    const verify = async () => (await c.get('/volumes/v_a')).data !== null;
    const e = await failure(c.request({ method: 'POST', path: '/volumes', body: { name: 'v_a' }, verify }));
    expect(e.code).toBe('outcome_unknown');
    expect(e.message).toMatch(/^no answer from JovianDSS for POST \/api\/v4\/pools\/Pool-0\/volumes/);
    expect(e.message).toMatch(/could not be checked: the 10 s deadline ran out/);
    expect(e.message).not.toMatch(/for GET/);
  });

  test('each request gets what is left of the deadline as its timeout', async () => {
    const { c, http, clock } = client({ '127.0.0.1': [ok({})] }, { deadlineMs: 4000 });
    clock.advance(1500);
    await c.get('/x');
    expect(http.log[0].timeoutMs).toBe(2500);
  });
});

describe('paging', () => {
  test('walks pages until an empty one', async () => {
    const pages = [[1, 2], [3], []];
    const { c, http } = client({
      '127.0.0.1': [(req) => ok({ results: 99, entries: pages[Number(/page=(\d+)/.exec(req.path)![1])] ?? [] })],
    });
    const got: unknown[] = [];
    for await (const p of c.pages('/volumes')) got.push(...p);
    expect(got).toEqual([1, 2, 3]);
    expect(http.log.map((r) => r.path)).toEqual([
      '/api/v4/pools/Pool-0/volumes?page=0',
      '/api/v4/pools/Pool-0/volumes?page=1',
      '/api/v4/pools/Pool-0/volumes?page=2',
    ]);
  });

  test('a short page that completes the announced total ends the walk without an extra request', async () => {
    const { c, http } = client({ '127.0.0.1': [ok({ results: 3, entries: [1, 2] }), ok({ results: 3, entries: [3] })] });
    const got: unknown[] = [];
    for await (const p of c.pages('/volumes', 2)) got.push(...p);
    expect(got).toEqual([1, 2, 3]);
    expect(http.log.length).toBe(2);
  });

  test('a short page below the total (server caps per_page) does not end the walk', async () => {
    const pages = [[1, 2], [3, 4], []];
    const { c } = client({ '127.0.0.1': [(req) => ok({ results: 4, entries: pages[Number(/page=(\d+)/.exec(req.path)![1])] })] });
    const got: unknown[] = [];
    for await (const p of c.pages('/volumes', 100)) got.push(...p);
    expect(got).toEqual([1, 2, 3, 4]);
  });
});

describe('listing shapes jdssc reads', () => {
  test('snapshot listings: an integer creation (v4) and a date string (older) read alike; createtxg when given', async () => {
    const at = new Date(2023, 8, 19, 1, 8, 25).getTime() / 1000;
    const entries = [
      { name: 's_a', properties: { guid: '1', creation: at } },
      { name: 's_b', guid: '2', creation: '2023-9-19 1:8:25', createtxg: '17' },
    ];
    const { c } = client({ '127.0.0.1': [ok({ results: 2, entries }), ok({ results: 2, entries: [] })] });
    expect(await listSnapshots(c, 'v_x')).toEqual([
      { name: 's_a', guid: '1', creation: at, createtxg: undefined, size: undefined },
      { name: 's_b', guid: '2', creation: at, createtxg: 17, size: undefined },
    ]);
  });

  test('the target list is read as the plain array the appliance gives, in one request', async () => {
    const { c, http } = client({ '127.0.0.1': [ok([{ name: 'iqn.x:a', active: true }])] });
    expect((await listTargets(c)).map((t) => t.name)).toEqual(['iqn.x:a']);
    expect(http.log.map((r) => r.path)).toEqual(['/api/v4/pools/Pool-0/san/iscsi/targets']);
  });
});
