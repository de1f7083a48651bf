// The LIO backend's configfs writes, checked against a strict fake configfs tree (the host
// kernel has no target_core; the test VM runs the real thing). Driven by the real CLI.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv, type ResultOf } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { startSimulator } from '../../src/simulator';
import { inquiryText, LioBackend } from '../../src/simulator/dataPath/lio';
import { ImageStore } from '../../src/simulator/dataPath/files';
import { call, poolPath } from '../simulator/client';
import { FakeConfigfs } from './helpers/fakeConfigfs';
import { requireTools } from './helpers/tools';

const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';
const PORT = 3260;
const tmp = tempDir('jdssc-lio-');
const root = join(tmp.dir, 'configfs/target');
let fake: FakeConfigfs;
let env: CliEnv;

beforeAll(async () => {
  requireTools(['cp']);
  fake = new FakeConfigfs(root);
  env = await cliEnv({
    pools: [
      {
        name: 'Pool-0',
        vips: [
          { name: 'vip0', address: '127.0.0.2' },
          { name: 'vip1', address: '127.0.0.3' },
          { name: 'vip2', address: '127.0.0.4' },
        ],
      },
    ],
    dataPath: { kind: 'lio', dataDir: join(tmp.dir, 'data'), port: PORT, configfsRoot: root, configfs: fake },
  });
});
afterAll(async () => {
  await env?.close();
  tmp.cleanup();
});

const ok = async <const A extends readonly string[]>(args: A, extraEnv: Record<string, string> = {}): Promise<ResultOf<A>> => {
  const r = await env.run<ResultOf<A>>([...args, '--json'], { env: extraEnv });
  if (r.code !== 0) throw new Error(`jdssc ${args.join(' ')} → ${r.code}: ${r.stderr}`);
  return r.json;
};
const tpg = (target: string) => `iscsi/${target}/tpgt_1`;
const physical = async (volume: string) => (await ok(['volume', 'get', volume])).physicalName as string;

describe('LIO backend (fake configfs)', () => {
  let target: string;
  let dev: string;

  test('start registers the iSCSI fabric and a private fileio HBA', () => {
    expect(fake.objects()).toEqual(['core/fileio_7', 'iscsi']);
    expect(env.sim.dataPath).toMatchObject({ kind: 'lio', port: PORT });
    expect(env.sim.dataPath!.targetLun(0)).toBe(0); // LIO serves LUN 0 itself
  });

  test('publish: demo-mode TPG on the assigned VIPs, a fileio backstore with the WWID serial at LUN 0', async () => {
    await ok(['volume', 'create', 'vm-100-disk-0', '--size', '32M']);
    const p = await ok(['target', 'publish', 'vm-100-disk-0']);
    target = p.target;
    dev = `core/fileio_7/Pool-0@${await physical('vm-100-disk-0')}`;
    expect(p).toMatchObject({ target: `${PREFIX}:vm-100-0`, lun: 0 });
    const t = tpg(target);
    expect(fake.objects()).toEqual(
      [
        'core/fileio_7',
        dev,
        'iscsi',
        `iscsi/${target}`,
        t,
        `${t}/lun/lun_0`,
        `${t}/np/127.0.0.2:${PORT}`,
        `${t}/np/127.0.0.3:${PORT}`,
      ].sort(),
    );
    const image = env.sim.dataPath!.imagePath('Pool-0', await physical('vm-100-disk-0'));
    expect(fake.value(`${dev}/control`)).toBe(`fd_dev_name=${image},fd_dev_size=${32 * 2 ** 20}`);
    expect(fake.value(`${dev}/wwn/vpd_unit_serial`)).toBe(p.wwid);
    // the appliance's INQUIRY identity (the multipath drop-in matches vendor ^SCST_)
    expect(fake.value(`${dev}/wwn/vendor_id`)).toBe('SCST_BIO');
    expect(fake.value(`${dev}/wwn/product_id`)).toBe((await physical('vm-100-disk-0')).slice(0, 16));
    for (const [attr, v] of Object.entries({
      generate_node_acls: '1',
      cache_dynamic_acls: '1',
      demo_mode_write_protect: '0',
      authentication: '0',
    })) {
      expect(fake.value(`${t}/attrib/${attr}`)).toBe(v);
    }
    expect(fake.value(`${t}/enable`)).toBe('1\n');
    // the order the kernel needs: configure, serial (before any export), enable, then link
    const order = fake.journal.map((j) => j.path);
    expect(order.indexOf(`${dev}/control`)).toBeLessThan(order.indexOf(`${dev}/wwn/vpd_unit_serial`));
    expect(order.indexOf(`${dev}/wwn/vpd_unit_serial`)).toBeLessThan(order.indexOf(`${dev}/enable`));
    expect(order.indexOf(`${dev}/wwn/vendor_id`)).toBeLessThan(order.indexOf(`${dev}/enable`));
    expect(fake.journal.some((j) => j.value.endsWith('\n'))).toBe(false);
  });

  test('CHAP: one incoming user as the TPG demo-mode credentials, authentication on', async () => {
    const secret = 'chap-Secret-12345';
    await ok(['volume', 'create', 'vm-101-disk-0', '--size', '16M']);
    const p = await ok(['target', 'publish', 'vm-101-disk-0', '--chap-enabled', 'true', '--chap-user', 'chapuser'], {
      JDSSC_CHAP_PASSWORD: secret,
    });
    const t = tpg(p.target);
    expect(fake.value(`${t}/auth/userid`)).toBe('chapuser');
    expect(fake.value(`${t}/auth/password`)).toBe(secret);
    expect(fake.value(`${t}/attrib/authentication`)).toBe('1');
    // turning CHAP off again (publish without it) switches authentication off
    await ok(['target', 'publish', 'vm-101-disk-0']);
    expect(fake.value(`${t}/attrib/authentication`)).toBe('0');
  });

  test('sessions come from dynamic_sessions (initiator names; LIO does not show their address)', async () => {
    fake.setDynamicSessions(target, ['iqn.2024-01.test:host-a', 'iqn.2024-01.test:host-a']);
    expect((await ok(['target', 'sessions', target])).sessions).toEqual([{ initiator: 'iqn.2024-01.test:host-a', addresses: [''] }]);
    fake.setDynamicSessions(target, []);
  });

  test('resize re-creates the backstore with the new size; the LUN and serial stay', async () => {
    await ok(['volume', 'resize', 'vm-100-disk-0', '--size', '48M']);
    expect(fake.value(`${dev}/control`)).toMatch(/,fd_dev_size=50331648$/);
    expect(fake.objects()).toContain(`${tpg(target)}/lun/lun_0`);
    expect(fake.value(`${dev}/wwn/vpd_unit_serial`)).toMatch(/^2[0-9a-f]{16}$/);
  });

  test('a snapshot export goes to the next LUN; unpublishing everything removes target and backstores', async () => {
    await ok(['snapshot', 'create', 'vm-100-disk-0', 'before']);
    const s = await ok(['target', 'publish', 'vm-100-disk-0', '--snapshot', 'before']);
    expect(s).toMatchObject({ target, lun: 1 });
    expect(fake.objects()).toContain(`${tpg(target)}/lun/lun_1`);
    await ok(['target', 'unpublish', 'vm-100-disk-0', '--snapshot', 'before']);
    await ok(['target', 'unpublish', 'vm-100-disk-0']);
    await ok(['target', 'unpublish', 'vm-101-disk-0']);
    expect(fake.objects()).toEqual(['core/fileio_7', 'iscsi']);
  });

  test('a target renamed over REST is rebuilt under its new name with its LUNs', async () => {
    const rest = (method: string, path: string, body?: unknown) =>
      call(env.sim, method, poolPath(path), { auth: ['admin', env.password], body });
    expect(
      (
        await rest('POST', '/san/iscsi/targets', {
          name: 'iqn.2025-01.test:old',
          vip_allowed_portals: { enabled: true, assigned_vips: ['vip2'] },
        })
      ).status,
    ).toBe(201);
    expect(
      (await rest('POST', '/san/iscsi/targets/iqn.2025-01.test:old/luns', { name: await physical('vm-101-disk-0'), lun: 3 })).status,
    ).toBe(201);
    expect((await rest('PUT', '/san/iscsi/targets/iqn.2025-01.test:old', { name: 'iqn.2025-01.test:new', active: false })).status).toBe(
      201,
    );
    expect(fake.objects().filter((o) => o.includes(':old'))).toEqual([]);
    expect(fake.objects()).toEqual(
      expect.arrayContaining([`${tpg('iqn.2025-01.test:new')}/lun/lun_3`, `${tpg('iqn.2025-01.test:new')}/np/127.0.0.4:${PORT}`]),
    );
    expect(fake.value(`${tpg('iqn.2025-01.test:new')}/enable`)).toBe('0\n'); // inactive: never enabled
    expect((await rest('DELETE', '/san/iscsi/targets/iqn.2025-01.test:new')).status).toBe(204);
  });

  test('closing removes what it made (the iSCSI fabric directory stays registered)', async () => {
    await ok(['target', 'publish', 'vm-100-disk-0']);
    await env.sim.close();
    expect(fake.objects()).toEqual(['iscsi']);
  });
});

describe('LIO backend start and leftovers', () => {
  test('without target_core in configfs, start says what to load and mount', async () => {
    const bare = join(tmp.dir, 'bare');
    mkdirSync(bare);
    const sim = startSimulator({
      listen: ['127.0.0.1'],
      dataPath: { kind: 'lio', dataDir: join(tmp.dir, 'd2'), configfsRoot: join(bare, 'target') },
    });
    await expect(sim).rejects.toThrow(/load target_core_mod, target_core_file and iscsi_target_mod, and mount configfs/);
  });

  test('a target left by a crashed run is removed before it is created again', async () => {
    const fs2 = new FakeConfigfs(join(tmp.dir, 'cfg2/target'));
    const images = new ImageStore(join(tmp.dir, 'd3'));
    await images.apply('Pool-0', { kind: 'volumeCreated', volume: 'v1', sizeBytes: 2 ** 20 });
    const b = await LioBackend.start({ images, addresses: ['127.0.0.2'], port: PORT, root: fs2.root, fs: fs2 });
    const settings = { active: true, incomingUsersActive: false, assignedVipAddresses: ['127.0.0.2'] };
    const lun = {
      lun: 0,
      volume: 'v1',
      devicePath: '/dev/Pool-0/v1',
      scsiId: 'abcdef0123456789',
      sizeBytes: 2 ** 20,
      readonly: false,
      mode: 'wt',
    };
    await b.onTargetCreated('Pool-0', 'iqn.2025-01.test:t', settings);
    await b.onLunAttached('Pool-0', 'iqn.2025-01.test:t', lun);
    const crashed = await LioBackend.start({ images, addresses: ['127.0.0.2'], port: PORT, root: fs2.root, fs: fs2 });
    await crashed.onTargetCreated('Pool-0', 'iqn.2025-01.test:t', settings);
    expect(fs2.objects().filter((o) => o.includes('/lun/'))).toEqual([]);
    await crashed.onLunAttached('Pool-0', 'iqn.2025-01.test:t', lun);
    expect(fs2.value('core/fileio_7/Pool-0@v1/wwn/vpd_unit_serial')).toBe('26162636465663031');
    await crashed.close();
    expect(fs2.objects()).toEqual(['iscsi']);
  });

  test('INQUIRY fields: a long or odd volume name becomes a printable product id of 16 characters', async () => {
    expect(inquiryText('v_vm-100-disk-0', 16)).toBe('v_vm-100-disk-0');
    expect(inquiryText('v_pve-cluster-a_vm-100-disk-12', 16)).toBe('v_pve-cluster-a_');
    expect(inquiryText('v_\u00e9t\u00e9\n', 16)).toBe('v__t__');
    const fs3 = new FakeConfigfs(join(tmp.dir, 'cfg3/target'));
    const images = new ImageStore(join(tmp.dir, 'd4'));
    await images.apply('Pool-0', { kind: 'volumeCreated', volume: 'v_pve-cluster-a_vm-100-disk-12', sizeBytes: 2 ** 20 });
    const b = await LioBackend.start({ images, addresses: ['127.0.0.2'], port: PORT, root: fs3.root, fs: fs3, vendorId: 'SCST_FIO' });
    await b.onTargetCreated('Pool-0', 'iqn.2025-01.test:t', {
      active: true,
      incomingUsersActive: false,
      assignedVipAddresses: ['127.0.0.2'],
    });
    await b.onLunAttached('Pool-0', 'iqn.2025-01.test:t', {
      lun: 0,
      volume: 'v_pve-cluster-a_vm-100-disk-12',
      devicePath: '/dev/Pool-0/x',
      scsiId: 'abcdef0123456789',
      sizeBytes: 2 ** 20,
      readonly: false,
      mode: 'wt',
    });
    expect(fs3.value('core/fileio_7/Pool-0@v_pve-cluster-a_vm-100-disk-12/wwn/vendor_id')).toBe('SCST_FIO');
    expect(fs3.value('core/fileio_7/Pool-0@v_pve-cluster-a_vm-100-disk-12/wwn/product_id')).toBe('v_pve-cluster-a_');
    await b.close();
  });
});
