// iSCSI: targets, LUNs, CHAP incoming users, sessions, global LUN search, old firmware, and
// the data-path hooks.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { noopBackend, startSimulator, type RunningSimulator, type TargetBackend } from '../../src/simulator/index';
import { call, createVolume, poolPath } from './client';

const T0 = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
const T1 = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-1';
const targets = (rest = '', pool = 'Pool-0') => poolPath(`/san/iscsi/targets${rest}`, pool);

let sim: RunningSimulator;
let hooks: string[];
beforeEach(async () => {
  hooks = [];
  const backend: TargetBackend = {
    ...noopBackend,
    onTargetCreated: (p, t, s) => void hooks.push(`created ${p} ${t} ${s.assignedVipAddresses.join(',')}`),
    onLunAttached: (_p, t, l) => void hooks.push(`attached ${t} ${l.lun} ${l.devicePath}`),
    onLunDetached: (_p, t, l) => void hooks.push(`detached ${t} ${l}`),
    onUsersChanged: (_p, t, u) => void hooks.push(`users ${t} ${u.map((x) => x.name).join(',')}`),
    onTargetDeleted: (_p, t) => void hooks.push(`deleted ${t}`),
  };
  sim = await startSimulator({
    listen: ['127.0.0.1'],
    seed: 3,
    backend,
    pools: [
      {
        name: 'Pool-0',
        vips: [
          { name: 'vip0', address: '127.0.0.2' },
          { name: 'vip1', address: '127.0.0.3' },
        ],
      },
      { name: 'Pool-1', oldFirmware: true },
    ],
  });
  await createVolume(sim, 'v_vm-100-disk-0');
  await createVolume(sim, 'v_vm-100-disk-1');
});
afterEach(async () => sim.close());

const newTarget = (name = T0, extra: Record<string, unknown> = {}, pool = 'Pool-0') =>
  call(sim, 'POST', targets('', pool), { body: { name, active: true, incoming_users_active: false, ...extra } });
const attach = (volume: string, lun?: number, target = T0) =>
  call(sim, 'POST', targets(`/${target}/luns`), { body: lun === undefined ? { name: volume } : { name: volume, lun } });

describe('targets', () => {
  test('create answers 201 with the target; VIPs are kept by name', async () => {
    const r = await newTarget(T0, { vip_allowed_portals: { enabled: true, assigned_vips: ['vip0', 'vip1'] } });
    expect(r.status).toBe(201);
    const expected = {
      name: T0,
      active: true,
      incoming_users_active: false,
      outgoing_user: null,
      allow_ip: [],
      deny_ip: [],
      conflicted: false,
      vip_allowed_portals: { enabled: true, assigned_vips: ['vip0', 'vip1'] },
    };
    expect(r.json.data).toEqual(expected);
    expect((await call(sim, 'GET', targets(`/${T0}`))).json.data).toEqual(expected);
    expect((await call(sim, 'GET', targets())).json.data).toEqual([expected]);
    expect(hooks).toEqual([`created Pool-0 ${T0} 127.0.0.2,127.0.0.3`]);
  });

  test('the target list is unpaged: page/per_page are not honoured, the answer is always the plain array', async () => {
    await newTarget(T0);
    await newTarget(T1);
    const plain = (await call(sim, 'GET', targets())).json.data;
    expect(plain.map((t: { name: string }) => t.name)).toEqual([T0, T1]);
    for (const q of ['?page=0', '?page=1&per_page=1', '?page=5&per_page=25']) {
      expect((await call(sim, 'GET', targets(q))).json).toEqual({ data: plain, error: null });
    }
  });

  test('without vip_allowed_portals the target is created unrestricted', async () => {
    expect((await newTarget()).json.data.vip_allowed_portals).toEqual({ enabled: false, assigned_vips: [] });
  });

  test('a name taken in any pool is a 409 TargetNameConflictError naming that pool', async () => {
    await newTarget();
    for (const pool of ['Pool-0', 'Pool-1']) {
      const r = await newTarget(T0, {}, pool);
      expect(r.status).toBe(409);
      expect(r.json.error).toMatchObject({
        class: 'opene.san.target.base.iscsi.TargetNameConflictError',
        message: `Target with name ${T0} is already present on Pool-0.`,
      });
    }
  });

  test('validation: unknown VIP names, unknown keys, bad IQNs are 400', async () => {
    const vip = await newTarget(T0, { vip_allowed_portals: { enabled: true, assigned_vips: ['vip9'] } });
    expect(vip.status).toBe(400);
    expect(vip.json.error).toMatchObject({ class: 'opene.exceptions.ValidationError', message: 'VIP vip9 does not exist on pool Pool-0.' });
    const extra = await newTarget(T0, { conflicted: false });
    expect(extra.json.error.message).toBe("Additional properties are not allowed ('conflicted' was unexpected)");
    expect((await newTarget('not-an-iqn')).status).toBe(400);
    expect((await call(sim, 'GET', targets())).json.data).toEqual([]);
  });

  test('a missing target is 404 ItemNotFoundError "Target <t> not exists." on every sub-path', async () => {
    for (const [method, path] of [
      ['GET', `/${T0}`],
      ['PUT', `/${T0}`],
      ['DELETE', `/${T0}`],
      ['GET', `/${T0}/luns`],
      ['POST', `/${T0}/luns`],
      ['GET', `/${T0}/incoming-users`],
      ['GET', `/${T0}/sessions`],
    ]) {
      const r = await call(sim, method, targets(path), { body: method === 'POST' ? { name: 'v_vm-100-disk-0' } : undefined });
      expect(r.status).toBe(404);
      expect(r.json.error).toMatchObject({ class: 'opene.exceptions.ItemNotFoundError', message: `Target ${T0} not exists.` });
    }
  });

  test('PUT answers 201 and updates VIPs, CHAP switch, or the name', async () => {
    await newTarget();
    const vips = await call(sim, 'PUT', targets(`/${T0}`), {
      body: { name: T0, vip_allowed_portals: { enabled: true, assigned_vips: ['vip1'] } },
    });
    expect(vips.status).toBe(201);
    expect(vips.json.data.vip_allowed_portals.assigned_vips).toEqual(['vip1']);
    const chap = await call(sim, 'PUT', targets(`/${T0}`), { body: { name: T0, incoming_users_active: true } });
    expect(chap.json.data.incoming_users_active).toBe(true);
    const renamed = await call(sim, 'PUT', targets(`/${T0}`), { body: { name: T1 } });
    expect(renamed.json.data.name).toBe(T1);
    expect((await call(sim, 'GET', targets(`/${T0}`))).status).toBe(404);
  });

  test('DELETE answers 204 and detaches its LUNs (the zvol is free again)', async () => {
    await newTarget();
    await attach('v_vm-100-disk-0');
    const r = await call(sim, 'DELETE', targets(`/${T0}`));
    expect(r.status).toBe(204);
    expect((await call(sim, 'DELETE', poolPath('/volumes/v_vm-100-disk-0'))).status).toBe(204);
    expect(hooks.slice(-2)).toEqual([`detached ${T0} 0`, `deleted ${T0}`]);
  });
});

describe('old firmware', () => {
  test('an old-firmware pool refuses vip_allowed_portals and does not show it', async () => {
    const r = await newTarget(T1, { vip_allowed_portals: { enabled: true, assigned_vips: [] } }, 'Pool-1');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toBe("Additional properties are not allowed ('vip_allowed_portals' was unexpected)");
    const plain = await newTarget(T1, {}, 'Pool-1');
    expect(plain.status).toBe(201);
    expect(plain.json.data).not.toHaveProperty('vip_allowed_portals');
  });

  test('the oldFirmware fault does the same on a modern pool', async () => {
    await sim.faults.add({ kind: 'oldFirmware' });
    const r = await newTarget(T0, { vip_allowed_portals: { enabled: true, assigned_vips: ['vip0'] } });
    expect(r.json.error.message).toBe("Additional properties are not allowed ('vip_allowed_portals' was unexpected)");
    expect((await newTarget(T0, { vip_allowed_portals: { enabled: true, assigned_vips: ['vip0'] } })).status).toBe(201);
  });
});

describe('LUNs', () => {
  beforeEach(async () => void (await newTarget()));

  test('attach answers 201 with the LUN; scsi_id is the volume default_scsi_id; lowest free number', async () => {
    const r = await attach('v_vm-100-disk-0');
    expect(r.status).toBe(201);
    const vol = (await call(sim, 'GET', poolPath('/volumes/v_vm-100-disk-0'))).json.data;
    expect(r.json.data).toEqual({
      name: 'v_vm-100-disk-0',
      lun: 0,
      scsi_id: vol.default_scsi_id,
      block_size: 512,
      mode: 'wt',
      thin_provisioned: true,
      device_handler: 'vdisk_fileio',
      prod_id: 'Storage',
    });
    expect((await attach('v_vm-100-disk-1')).json.data.lun).toBe(1);
    expect((await call(sim, 'GET', targets(`/${T0}/luns/v_vm-100-disk-1`))).json.data.lun).toBe(1);
    await call(sim, 'DELETE', targets(`/${T0}/luns/v_vm-100-disk-0`));
    await createVolume(sim, 'v_vm-100-disk-2');
    expect((await attach('v_vm-100-disk-2')).json.data.lun).toBe(0); // gap filled
    expect((await call(sim, 'GET', targets(`/${T0}/luns`))).json.data.map((l: { lun: number }) => l.lun)).toEqual([0, 1]);
    expect(hooks).toContain(`attached ${T0} 0 /dev/Pool-0/v_vm-100-disk-0`);
  });

  test('a zvol already attached anywhere is 409 "Volume /dev/<pool>/<v> is already used."', async () => {
    await newTarget(T1);
    await attach('v_vm-100-disk-0');
    for (const target of [T0, T1]) {
      const r = await attach('v_vm-100-disk-0', undefined, target);
      expect(r.status).toBe(409);
      expect(r.json.error).toMatchObject({
        class: 'opene.exceptions.ItemConflictError',
        message: 'Volume /dev/Pool-0/v_vm-100-disk-0 is already used.',
      });
    }
  });

  test('a taken LUN number is 409; a missing zvol is errno 1; detach of a missing LUN is 404', async () => {
    await attach('v_vm-100-disk-0', 3);
    const taken = await attach('v_vm-100-disk-1', 3);
    expect(taken.status).toBe(409);
    expect(taken.json.error.message).toBe(`LUN 3 is already used on target ${T0}.`);
    expect((await attach('v_nope')).json.error).toMatchObject({
      errno: 1,
      message: 'Zfs resource: Pool-0/v_nope not found in this collection.',
    });
    for (const method of ['GET', 'DELETE']) {
      const r = await call(sim, method, targets(`/${T0}/luns/v_vm-100-disk-1`));
      expect(r.status).toBe(404);
      expect(r.json.error.message).toBe(`volume name v_vm-100-disk-1 is not attached to target ${T0}`);
    }
    expect((await call(sim, 'DELETE', targets(`/${T0}/luns/v_vm-100-disk-0`))).status).toBe(204);
  });

  test('a zvol exported as a LUN cannot be destroyed or renamed (dataset is busy)', async () => {
    await attach('v_vm-100-disk-0');
    const del = await call(sim, 'DELETE', poolPath('/volumes/v_vm-100-disk-0'));
    expect(del.status).toBe(500);
    expect(del.json.error).toMatchObject({
      class: 'zfslib.wrap.zfs.ZfsCmdError',
      errno: 1000,
      message: "cannot destroy 'Pool-0/v_vm-100-disk-0': dataset is busy",
    });
    const ren = await call(sim, 'PUT', poolPath('/volumes/v_vm-100-disk-0'), { body: { name: 'v_other' } });
    expect(ren.json.error.message).toBe("cannot rename 'Pool-0/v_vm-100-disk-0': dataset is busy");
  });

  test('global LUN search spans pools; eui is the hex of the first 8 scsi id characters', async () => {
    await attach('v_vm-100-disk-0', 2);
    const vol = (await call(sim, 'GET', poolPath('/volumes/v_vm-100-disk-0'))).json.data;
    const r = await call(sim, 'GET', '/api/v4/san/iscsi/luns?where=name==v_vm-100-disk-0');
    expect(r.json.data).toEqual([
      {
        lun: {
          lun: 2,
          eui: Buffer.from(vol.default_scsi_id.slice(0, 8)).toString('hex'),
          name: 'v_vm-100-disk-0',
          scsi_id: vol.default_scsi_id,
        },
        iscsi_target: { name: T0, active: true },
        pool: 'Pool-0',
      },
    ]);
    await call(sim, 'POST', poolPath('/volumes', 'Pool-1'), { body: { name: 'v_vm-100-disk-0', size: '1G', sparse: true } });
    await newTarget(T1, {}, 'Pool-1');
    await call(sim, 'POST', targets(`/${T1}/luns`, 'Pool-1'), { body: { name: 'v_vm-100-disk-0' } });
    const both = (await call(sim, 'GET', '/api/v4/san/iscsi/luns?where=name==v_vm-100-disk-0')).json.data;
    expect(both.map((e: { pool: string }) => e.pool)).toEqual(['Pool-0', 'Pool-1']);
    expect((await call(sim, 'GET', '/api/v4/san/iscsi/luns?where=name==v_vm-100-disk-1')).json).toEqual({ data: [], error: null });
  });
});

describe('CHAP incoming users', () => {
  beforeEach(async () => void (await newTarget()));
  const users = targets(`/${T0}/incoming-users`);

  test('empty list, create 201, list names only, delete 204, missing 404', async () => {
    expect((await call(sim, 'GET', users)).json).toEqual({ data: [], error: null });
    const r = await call(sim, 'POST', users, { body: { name: 'chapuser', password: '123456789012' } });
    expect(r.status).toBe(201);
    expect(r.json.data).toEqual({ name: 'chapuser' });
    expect((await call(sim, 'GET', users)).json.data).toEqual([{ name: 'chapuser' }]);
    expect((await call(sim, 'DELETE', `${users}/chapuser`)).status).toBe(204);
    const missing = await call(sim, 'DELETE', `${users}/chapuser`);
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ class: 'opene.exceptions.ItemNotFoundError', message: 'User chapuser not exists.' });
    expect(hooks.filter((h) => h.startsWith('users'))).toEqual([`users ${T0} chapuser`, `users ${T0} `]);
  });

  test('passwords must be 12-255 characters of [a-zA-Z0-9-_!@%()+?.:;] (400, never echoed)', async () => {
    for (const password of ['12345678901', 'x'.repeat(256), 'abcdefghijk$l', 'abc def ghijkl']) {
      const r = await call(sim, 'POST', users, { body: { name: 'u1', password } });
      expect(r.status).toBe(400);
      expect(r.json.error.class).toBe('opene.exceptions.ValidationError');
      expect(r.text).not.toContain(password);
    }
    for (const [name, password] of [
      ['u12', '-_!@%()+?.:;'],
      ['u255', 'y'.repeat(255)],
    ]) {
      expect((await call(sim, 'POST', users, { body: { name, password } })).status).toBe(201);
    }
  });
});

describe('sessions', () => {
  test('idle target → []; injected sessions are returned; missing target → 404; pool-wide listing', async () => {
    await newTarget();
    expect((await call(sim, 'GET', targets(`/${T0}/sessions`))).json).toEqual({ data: [], error: null });
    const session = { cid: '0', ip: '127.0.0.18', sid: '4957301003d0200', initiator_name: 'iqn.1993-08.org.debian:01:793c225e3c37' };
    sim.setSessions('Pool-0', T0, [session]);
    expect((await call(sim, 'GET', targets(`/${T0}/sessions`))).json.data).toEqual([{ target_name: T0, ...session }]);
    const viaControl = await call(sim, 'POST', '/__simulator/sessions', {
      body: { pool: 'Pool-0', target: T0, sessions: [session, { ...session, ip: '127.0.0.19' }] },
    });
    expect(viaControl.status).toBe(200);
    expect((await call(sim, 'GET', targets('/sessions'))).json.data).toHaveLength(2);
    expect((await call(sim, 'POST', '/__simulator/sessions', { body: { target: T1, sessions: [] } })).status).toBe(404);
  });
});
