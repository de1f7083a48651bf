import { createServer, type Server } from 'node:net';
import { mkdirSync, rmSync, writeFileSync, writeFileSync as write } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

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

const check = (args: string[] = []) => env.run(['pool', 'check', '--json', '--skip-host', ...args]);
const byId = (r: { json: { checks: { id: string }[] } }, id: string) => r.json.checks.find((c) => c.id === id);

describe('pool check', () => {
  test('a healthy storage: every check ok, exit 0', async () => {
    const r = await check();
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('ok');
    expect(r.json.classification).toBeNull();
    expect(r.json.checks.map((c: { id: string }) => c.id)).toEqual([
      'rest:127.0.0.1',
      'rest:127.0.0.4',
      'capacity',
      'vip:127.0.0.2',
      'portal:127.0.0.2',
      'targets',
    ]);
  });

  test('one dead REST address: degraded, connectivity, exit 6, with a fix', async () => {
    await env.sim.setAddressDown('127.0.0.4', true);
    const r = await check();
    await env.sim.setAddressDown('127.0.0.4', false);
    expect(r.code).toBe(6);
    expect(r.json).toMatchObject({ status: 'degraded', classification: 'connectivity' });
    expect(byId(r, 'rest:127.0.0.4')).toMatchObject({
      status: 'fail',
      category: 'connectivity',
      fix: expect.stringMatching(/REST is enabled/),
    });
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
    expect(byId(r, 'vip:127.0.0.8')).toMatchObject({
      status: 'fail',
      category: 'configuration',
      message: expect.stringMatching(/vip0=127\.0\.0\.2/),
    });
    expect(byId(r, 'portal:127.0.0.8')).toMatchObject({ status: 'fail', category: 'connectivity' });
    expect(r.json.classification).toBe('connectivity');
  });

  test('a target of this storage that lacks a data VIP is reported with the repair', async () => {
    await env.rest('POST', '/san/iscsi/targets', {
      name: 'iqn.2025-04.proxmox.joviandss.iscsi:vm-900-0',
      active: true,
      vip_allowed_portals: { enabled: true, assigned_vips: ['vip1'] },
    });
    const r = await check();
    expect(byId(r, 'targets')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/vm-900-0 \(vip1\)/),
      fix: expect.stringMatching(/target publish/),
    });
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
    const r = await env.run(['pool', 'check', '--skip-host']);
    expect(r.stdout).toMatch(/^FAIL\s+capacity\s+pool Pool-0 is nearly full/m);
    expect(r.stdout).toMatch(/^\s+fix: delete unused volumes/m);
    expect(r.stdout).toMatch(/^status: degraded \(capacity\)$/m);
  });
});

describe('pool check on the host', () => {
  let root: string;
  beforeAll(() => {
    root = `${env.dir}/hostroot`;
    for (const d of ['proc/101', 'proc/102', 'etc/iscsi', 'etc/multipath/conf.d']) mkdirSync(`${root}/${d}`, { recursive: true });
    write(`${root}/proc/101/comm`, 'iscsid\n');
    write(`${root}/proc/102/comm`, 'multipathd\n');
    write(`${root}/etc/iscsi/initiatorname.iscsi`, '## generated\nInitiatorName=iqn.1993-08.org.debian:01:abcdef\n');
    write(`${root}/etc/multipath/conf.d/jdssc.conf`, 'devices {}\n');
  });
  const hostCheck = (extra: string[] = [], tools = `${process.cwd()}/test/host/fakes`) =>
    env.run(['pool', 'check', '--json', '--host-root', root, '--host-tools-dir', tools, '--multipath', 'true', ...extra]);

  test('tools, daemons, initiator name and the multipath drop-in are checked', async () => {
    const r = await hostCheck();
    const host = r.json.checks.filter((c: { category: string }) => c.category === 'host');
    expect(host.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual([
      'tool:iscsiadm:ok',
      'daemon:iscsid:ok',
      'initiator:ok',
      'tool:multipath:ok',
      'tool:multipathd:ok',
      'daemon:multipathd:ok',
      'multipath-config:ok',
    ]);
  });

  test('each planted host problem is reported with its fix (exit 9)', async () => {
    rmSync(`${root}/proc/102`, { recursive: true });
    write(`${root}/etc/iscsi/initiatorname.iscsi`, '## nothing here\n');
    rmSync(`${root}/etc/multipath/conf.d/jdssc.conf`);
    const r = await hostCheck(['--data-addresses', '127.0.0.2']);
    const byId2 = (id: string) => r.json.checks.find((c: { id: string }) => c.id === id);
    expect(byId2('daemon:multipathd')).toMatchObject({ status: 'fail', fix: 'systemctl enable --now multipathd' });
    expect(byId2('initiator')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/iscsi-iname/) });
    expect(byId2('multipath-config')).toMatchObject({ status: 'warn' });
    const missingTool = await hostCheck([], `${env.dir}/no-tools`);
    expect(missingTool.json.checks.find((c: { id: string }) => c.id === 'tool:iscsiadm')).toMatchObject({
      status: 'fail',
      fix: 'apt install open-iscsi',
    });
    expect(r.code).toBe(9);
  });
});
