import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { call, poolPath } from '../simulator/client';

let env: CliEnv;
let portal: Server;
let portalPort: number;
beforeAll(async () => {
  // something listening on the first data address stands in for the appliance's iSCSI service
  portal = createServer((s) => s.destroy());
  await new Promise<void>((r) => portal.listen(0, '127.0.0.2', r));
  portalPort = (portal.address() as { port: number }).port;
  env = await cliEnv({ listen: ['127.0.0.1', '127.0.0.4'], configExtra: `data_port: ${portalPort}\ndata_addresses: 127.0.0.2` });
});
afterAll(async () => {
  await env.close();
  portal.close();
});

const check = (args: string[] = []) => env.run(['pool', 'check', '--json', ...args]);
const byId = (r: { json: { checks: { id: string }[] } }, id: string) => r.json.checks.find((c) => c.id === id);

describe('pool check', () => {
  test('a healthy storage: every check ok, exit 0', async () => {
    const r = await check();
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('ok');
    expect(r.json.classification).toBeNull();
    expect(r.json.checks.map((c: { id: string }) => c.id)).toEqual(['rest:127.0.0.1', 'rest:127.0.0.4', 'capacity', 'vip:127.0.0.2', 'portal:127.0.0.2', 'targets']);
  });

  test('one dead REST address: degraded, connectivity, exit 6, with a fix', async () => {
    await env.sim.setAddressDown('127.0.0.4', true);
    const r = await check();
    await env.sim.setAddressDown('127.0.0.4', false);
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ status: 'degraded', classification: 'connectivity' });
    expect(byId(r, 'rest:127.0.0.4')).toMatchObject({ status: 'fail', category: 'connectivity', fix: expect.stringMatching(/REST is enabled/) });
  });

  test('wrong password: configuration, exit 2; the appliance is down for us', async () => {
    const bad = `${env.dir}/bad-pw`;
    writeFileSync(bad, 'wrong-password-123\n', { mode: 0o600 });
    const r = await check(['--password-file', bad]);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ status: 'down', classification: 'configuration' });
    expect(byId(r, 'rest:127.0.0.1')).toMatchObject({ fix: expect.stringMatching(/password file/) });
    expect(r.stdout).not.toContain('wrong-password-123');
  });

  test('wrong pool name: configuration with the fix', async () => {
    const r = await check(['--pool', 'Pool-7']);
    expect(r.code).toBe(2);
    expect(byId(r, 'rest:127.0.0.1')).toMatchObject({ category: 'configuration', fix: expect.stringMatching(/pool_name/) });
  });

  test('a data address that is not a pool VIP, and a portal nobody listens on', async () => {
    const r = await check(['--data-addresses', '127.0.0.2,127.0.0.8']);
    expect(byId(r, 'vip:127.0.0.8')).toMatchObject({ status: 'fail', category: 'configuration', message: expect.stringMatching(/vip0=127\.0\.0\.2/) });
    expect(byId(r, 'portal:127.0.0.8')).toMatchObject({ status: 'fail', category: 'connectivity' });
    expect(r.json.classification).toBe('connectivity');
  });

  test("a target of this storage that lacks a data VIP is reported with the repair", async () => {
    await call(env.sim, 'POST', poolPath('/san/iscsi/targets'), {
      auth: ['admin', env.password],
      body: { name: 'iqn.2025-04.proxmox.joviandss.iscsi:vm-900-0', active: true, vip_allowed_portals: { enabled: true, assigned_vips: ['vip1'] } },
    });
    const r = await check();
    expect(byId(r, 'targets')).toMatchObject({ status: 'warn', message: expect.stringMatching(/vm-900-0 \(vip1\)/), fix: expect.stringMatching(/target publish/) });
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('degraded');
  });

  test('a nearly full pool fails the capacity check', async () => {
    env.sim.seed({ pool: 'Pool-0', volumes: 1, prefix: 'v_filler-', sizeBytes: 99 * 2 ** 30, sparse: false });
    const r = await check();
    expect(byId(r, 'capacity')).toMatchObject({ status: 'fail', category: 'capacity', fix: expect.stringMatching(/cleanup/) });
    expect(r.code).toBe(8);
  });

  test('human output names each problem and its fix', async () => {
    const r = await env.run(['pool', 'check']);
    expect(r.stdout).toMatch(/^FAIL\s+capacity\s+pool Pool-0 is nearly full/m);
    expect(r.stdout).toMatch(/^\s+fix: delete unused volumes/m);
    expect(r.stdout).toMatch(/^status: degraded \(capacity\)$/m);
  });
});
