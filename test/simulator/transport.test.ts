// Transport: HTTPS with verified TLS, Basic auth and the exact 401 body, envelopes, routing,
// raw vs %-encoded paths, loopback-only listening, one port on every address, dead and
// blackholed addresses.
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { createServer } from 'node:net';
import { generateCertificate } from '../../src/simulator/transport/cert';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { call, poolPath } from './client';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ listen: ['127.0.0.1', '127.0.0.4'], seed: 7, user: 'rest', password: 's3cret-pass' });
});
afterAll(async () => sim.close());
const auth: [string, string] = ['rest', 's3cret-pass'];

describe('authentication', () => {
  test('missing or wrong credentials get 401 with the plain body "401 unauthorized"', async () => {
    for (const a of [null, ['rest', 'wrong'], ['admin', 'admin']] as const) {
      const r = await call(sim, 'GET', poolPath(), { auth: a as [string, string] | null });
      expect(r.status).toBe(401);
      expect(r.text).toBe('401 unauthorized');
    }
  });

  test('the configured credentials are accepted', async () => {
    const r = await call(sim, 'GET', poolPath(), { auth });
    expect(r.status).toBe(200);
  });

  test('the control API needs the same credentials', async () => {
    expect((await call(sim, 'GET', '/__simulator/health', { auth: null })).status).toBe(401);
    expect((await call(sim, 'GET', '/__simulator/health', { auth })).status).toBe(200);
  });
});

describe('envelopes and routing', () => {
  test('success and error answers are {data, error} envelopes', async () => {
    const ok = await call(sim, 'GET', poolPath('/vips'), { auth });
    expect(Object.keys(ok.json).sort()).toEqual(['data', 'error']);
    expect(ok.json.error).toBeNull();
    expect(ok.json.data).toEqual([
      { name: 'vip0', address: '127.0.0.2', netmask: '255.0.0.0', interface: 'eth0', remote_interface: [expect.any(Object)] },
      { name: 'vip1', address: '127.0.0.3', netmask: '255.0.0.0', interface: 'eth1', remote_interface: [expect.any(Object)] },
    ]);
    const missing = await call(sim, 'GET', '/api/v4/nowhere', { auth });
    expect(missing.status).toBe(404);
    expect(missing.json.data).toBeNull();
    expect(missing.json.error).toMatchObject({ class: 'werkzeug.exceptions.NotFound', url: `${sim.baseUrl()}/api/v4/nowhere` });
  });

  test('a known path with the wrong method is 405', async () => {
    const r = await call(sim, 'PATCH', poolPath('/volumes'), { auth });
    expect(r.status).toBe(405);
    expect(r.json.error.class).toBe('werkzeug.exceptions.MethodNotAllowed');
  });

  test('a missing pool is ItemNotFoundError', async () => {
    const r = await call(sim, 'GET', poolPath('/volumes', 'Pool-9'), { auth });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({ class: 'opene.exceptions.ItemNotFoundError', message: 'Pool Pool-9 not exists.' });
  });

  test('malformed JSON is a 400 BadRequest', async () => {
    const r = await call(sim, 'POST', poolPath('/volumes'), { auth, rawBody: '{"name":' });
    expect(r.status).toBe(400);
    expect(r.json.error.class).toBe('werkzeug.exceptions.BadRequest');
  });

  test('raw and %-encoded path segments reach the same object; /api/v3 serves the same tree', async () => {
    const iqn = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
    const created = await call(sim, 'POST', poolPath('/san/iscsi/targets'), { auth, body: { name: iqn } });
    expect(created.status).toBe(201);
    const raw = await call(sim, 'GET', poolPath(`/san/iscsi/targets/${iqn}`), { auth });
    const encoded = await call(sim, 'GET', poolPath(`/san/iscsi/targets/${encodeURIComponent(iqn)}`), { auth });
    const v3 = await call(sim, 'GET', `/api/v3/pools/Pool-0/san/iscsi/targets/${iqn}`, { auth });
    expect(raw.json.data.name).toBe(iqn);
    expect(encoded.json).toEqual(raw.json);
    expect(v3.json).toEqual(raw.json);
    expect((await call(sim, 'GET', `${poolPath('/volumes')}/`, { auth })).status).toBe(200); // trailing slash
  });
});

describe('TLS and listening', () => {
  test('every address serves on the same port, with a certificate valid for it', async () => {
    expect(sim.addresses).toEqual(['127.0.0.1', '127.0.0.4']);
    expect(sim.baseUrl('127.0.0.4')).toBe(`https://127.0.0.4:${sim.port}`);
    const r = await call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4' });
    expect(r.status).toBe(200);
  });

  test('a client trusting another CA refuses the connection (verification is real)', async () => {
    const other = await generateCertificate(['127.0.0.1'], new Date());
    await expect(call(sim, 'GET', poolPath(), { auth, ca: other.cert })).rejects.toThrow();
  });

  test('non-loopback listen addresses are refused', async () => {
    await expect(startSimulator({ listen: ['10.1.2.3'] })).rejects.toThrow(/non-loopback/);
    await expect(startSimulator({ listen: ['0.0.0.0'] })).rejects.toThrow(/non-loopback/);
    await expect(startSimulator({ listen: [] })).rejects.toThrow();
  });

  test('an explicit port is used on every address', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const tls = await generateCertificate(['127.0.0.5', '127.0.0.6'], new Date());
    const s = await startSimulator({ listen: ['127.0.0.5', '127.0.0.6'], port, tls });
    try {
      expect(s.port).toBe(port);
      expect((await call(s, 'GET', poolPath(), { address: '127.0.0.6' })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('dead and blackholed addresses', () => {
  test('a down address refuses connections; the others keep serving; it comes back on the same port', async () => {
    await sim.setAddressDown('127.0.0.4', true);
    await expect(call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await call(sim, 'GET', poolPath(), { auth })).status).toBe(200);
    await sim.setAddressDown('127.0.0.4', false);
    expect((await call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4' })).status).toBe(200);
  });

  test('the control API can take an address down, including the one it is called on', async () => {
    const r = await call(sim, 'POST', '/__simulator/addresses/127.0.0.4', { auth, body: { down: true } });
    expect(r.status).toBe(200);
    await expect(call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await call(sim, 'POST', '/__simulator/addresses/127.0.0.4', { auth, body: { down: false } });
    const self = await call(sim, 'POST', '/__simulator/addresses/127.0.0.4', { auth, address: '127.0.0.4', body: { down: true } });
    expect(self.status).toBe(202);
    await new Promise((r) => setTimeout(r, 50));
    await expect(call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await sim.setAddressDown('127.0.0.4', false);
  });

  test('a blackholed address accepts TCP but never answers', async () => {
    await sim.setAddressBlackhole('127.0.0.4', true);
    await expect(call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4', timeoutMs: 300 })).rejects.toMatchObject({
      code: 'ETIMEDOUT_CLIENT',
    });
    expect((await call(sim, 'GET', poolPath(), { auth })).status).toBe(200);
    await sim.setAddressBlackhole('127.0.0.4', false);
    expect((await call(sim, 'GET', poolPath(), { auth, address: '127.0.0.4' })).status).toBe(200);
  });
});
