// Host tier, real protocol: the real jdssc CLI publishes on the simulator, whose tgt data path
// runs real tgtd daemons on 127.0.0.2/.3/.4; libiscsi's tools and a minimal initiator check
// what an iSCSI initiator really sees (portals, size, serial, CHAP, data, sessions).
import { open } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv, type ResultOf } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { freePortOn } from '../../src/simulator/dataPath/ports';
import { tgtLun } from '../../src/simulator';
import { call, poolPath } from '../simulator/client';
import { MiniInitiator } from './helpers/initiator';
import { alive, capacity, discover, offered, inquiry, iscsiUrl, listLuns, requireTools, unitSerial } from './helpers/tools';

const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';
const MiB = 2 ** 20;
const CHAP = { user: 'chapuser', secret: 'chap-Secret-12345' };
let env: CliEnv;
let port: number;
const data = tempDir('jdssc-data-');

beforeAll(async () => {
  requireTools(['tgtd', 'tgtadm', 'iscsi-ls', 'iscsi-inq', 'iscsi-readcapacity16', 'cp']);
  port = await freePortOn(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  env = await cliEnv({
    // vip2 (127.0.0.4) belongs to the pool but is not a data address: targets must not be there.
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
    dataPath: { kind: 'tgt', dataDir: data.dir, port },
    configExtra: `data_port: ${port}`,
  });
});
afterAll(async () => {
  await env?.close();
  data.cleanup();
});

const ok = async <const A extends readonly string[]>(args: A, extraEnv: Record<string, string> = {}): Promise<ResultOf<A>> => {
  const r = await env.run<ResultOf<A>>([...args, '--json'], { env: extraEnv });
  if (r.code !== 0) throw new Error(`jdssc ${args.join(' ')} → ${r.code}: ${r.stderr}`);
  return r.json;
};
const image = async (volume: string) => env.sim.dataPath!.imagePath('Pool-0', (await ok(['volume', 'get', volume])).physicalName);
const fill = (ch: string) => Buffer.alloc(4096, ch);
async function writeAt(path: string, offset: number, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.write(bytes, 0, bytes.length, offset);
  await fh.close();
}
async function readLun(host: string, target: string, lun: number, bytes = 4096, chap?: typeof CHAP): Promise<Buffer> {
  const ini = await MiniInitiator.login({ host, port, target, chap });
  try {
    await ini.capacity(tgtLun(lun));
    return await ini.read(tgtLun(lun), 0, bytes);
  } finally {
    await ini.logout();
  }
}

describe('tgt data path, driven by the real CLI', () => {
  let pub: { target: string; lun: number; wwid: string | null; portals: string[] };

  test('publish: the target is discoverable on exactly the VIPs assigned to it', async () => {
    await ok(['volume', 'create', 'vm-100-disk-0', '--size', '32M']);
    pub = await ok(['target', 'publish', 'vm-100-disk-0']);
    expect(pub).toMatchObject({ target: `${PREFIX}:vm-100-0`, lun: 0, portals: [`127.0.0.2:${port}`, `127.0.0.3:${port}`] });
    expect(await discover('127.0.0.2', port)).toEqual([pub.target]);
    expect(await discover('127.0.0.3', port)).toEqual([pub.target]);
    expect(await offered('127.0.0.4', port)).toEqual([]); // a pool VIP, not assigned to the target
  });

  test('the LUN (tgt LUN = array LUN + 1) has the volume size, the WWID as unit serial, an SCST vendor', async () => {
    expect(tgtLun(pub.lun)).toBe(1);
    for (const host of ['127.0.0.2', '127.0.0.3']) {
      const url = iscsiUrl(host, port, pub.target, tgtLun(pub.lun));
      expect(await capacity(url)).toBe(32 * MiB);
      expect(await unitSerial(url)).toBe(pub.wwid);
    }
    expect(pub.wwid).toMatch(/^2[0-9a-f]{16}$/);
    expect(await inquiry(iscsiUrl('127.0.0.2', port, pub.target, 1))).toMatchObject({ vendor: 'SCST_BIO' });
  });

  test('a logged-in initiator is what `target sessions` reports', async () => {
    const ini = await MiniInitiator.login({ host: '127.0.0.3', port, target: pub.target, initiator: 'iqn.2024-01.test:host-a' });
    try {
      const s = await ok(['target', 'sessions', pub.target]);
      expect(s.sessions).toEqual([{ initiator: 'iqn.2024-01.test:host-a', addresses: ['127.0.0.1'] }]);
    } finally {
      await ini.logout();
    }
    expect((await ok(['target', 'sessions', pub.target])).sessions).toEqual([]);
  });

  test('a snapshot published through its export clone serves the content of snapshot time', async () => {
    const vol = await image('vm-100-disk-0');
    await writeAt(vol, 0, fill('A'));
    await ok(['snapshot', 'create', 'vm-100-disk-0', 'before']);
    await writeAt(vol, 0, fill('B'));
    const snap = await ok(['target', 'publish', 'vm-100-disk-0', '--snapshot', 'before']);
    expect(snap.target).toBe(pub.target); // snapshots go on the VM's target
    expect(snap.lun).toBe(1);
    expect(await readLun('127.0.0.2', snap.target, snap.lun)).toEqual(fill('A'));
    expect(await readLun('127.0.0.3', pub.target, pub.lun)).toEqual(fill('B'));
    expect(await unitSerial(iscsiUrl('127.0.0.2', port, snap.target, tgtLun(snap.lun)))).toBe(snap.wwid);
  });

  test('resize: initiators see the new capacity, the data stays', async () => {
    await ok(['volume', 'resize', 'vm-100-disk-0', '--size', '48M']);
    expect(await capacity(iscsiUrl('127.0.0.2', port, pub.target, tgtLun(pub.lun)))).toBe(48 * MiB);
    expect(await readLun('127.0.0.2', pub.target, pub.lun)).toEqual(fill('B'));
  });

  test('CHAP is enforced when chap_enabled: no secret and a wrong secret fail, the right one works', async () => {
    const chapArgs = ['--chap-enabled', 'true', '--chap-user', CHAP.user];
    await ok(['volume', 'create', 'vm-101-disk-0', '--size', '16M']);
    const p = await ok(['target', 'publish', 'vm-101-disk-0', ...chapArgs], { JDSSC_CHAP_PASSWORD: CHAP.secret });
    expect(p.target).toBe(`${PREFIX}:vm-101-0`);
    // CHAP guards logins, not discovery
    expect((await discover('127.0.0.2', port)).sort()).toEqual([pub.target, p.target].sort());
    const none = await MiniInitiator.login({ host: '127.0.0.2', port, target: p.target }).then(
      (i) => (i.close(), 'logged in'),
      (e: Error) => e.message,
    );
    expect(none).toMatch(/login refused: status class 2/);
    const wrong = await MiniInitiator.login({
      host: '127.0.0.2',
      port,
      target: p.target,
      chap: { ...CHAP, secret: 'wrong-Secret-000' },
    }).then(
      (i) => (i.close(), 'logged in'),
      (e: Error) => e.message,
    );
    expect(wrong).toMatch(/authentication failure/);
    expect(await readLun('127.0.0.3', p.target, p.lun, 4096, CHAP)).toEqual(Buffer.alloc(4096));
    // libiscsi agrees; the other target (no CHAP) takes part in the listing only with the right secret
    expect((await listLuns('127.0.0.2', port)).stdout + (await listLuns('127.0.0.2', port)).stderr).toMatch(/Authentication failure/);
    const good = await listLuns('127.0.0.2', port, CHAP);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/Lun:1\s+Type:DIRECT_ACCESS/);
  });

  test('CHAP switched on before any user exists lets nobody in (as on the appliance)', async () => {
    const t = 'iqn.2025-01.test:locked';
    const body = { name: t, incoming_users_active: true, vip_allowed_portals: { enabled: true, assigned_vips: ['vip0'] } };
    expect((await call(env.sim, 'POST', poolPath('/san/iscsi/targets'), { auth: ['admin', env.password], body })).status).toBe(201);
    await expect(MiniInitiator.login({ host: '127.0.0.2', port, target: t })).rejects.toThrow(/status class 2/);
    expect((await call(env.sim, 'DELETE', poolPath(`/san/iscsi/targets/${t}`), { auth: ['admin', env.password] })).status).toBe(204);
  });

  test('unpublish removes the LUN, and the target with its last LUN', async () => {
    await ok(['target', 'unpublish', 'vm-100-disk-0']);
    expect(await discover('127.0.0.2', port)).toContain(pub.target); // the snapshot export is still there
    await ok(['target', 'unpublish', 'vm-100-disk-0', '--snapshot', 'before']);
    expect(await discover('127.0.0.2', port)).not.toContain(pub.target);
    expect(await discover('127.0.0.3', port)).not.toContain(pub.target);
    expect(await offered('127.0.0.4', port)).toEqual([]);
    expect(env.sim.dataPath!.exported().map((t) => t.name)).toEqual([`${PREFIX}:vm-101-0`]);
  });

  test('rollback restores the snapshot content into the volume image', async () => {
    await ok(['snapshot', 'rollback', 'vm-100-disk-0', 'before']);
    const again = await ok(['target', 'publish', 'vm-100-disk-0']);
    expect(await readLun('127.0.0.2', again.target, again.lun)).toEqual(fill('A'));
    expect(await capacity(iscsiUrl('127.0.0.2', port, again.target, tgtLun(again.lun)))).toBe(32 * MiB);
  });

  test('images are sparse: the data dir holds what was written, not the volume sizes', async () => {
    // volumes of 32 + 16 MiB and a snapshot: a few written blocks each
    expect(await env.sim.dataPath!.diskUsage()).toBeLessThan(2 * MiB);
  });

  test('closing the simulator removes the targets and stops every tgtd', async () => {
    const backend = env.sim.dataPath!.backend as unknown as { daemons: Map<string, { pid?: number }> };
    const pids = [...backend.daemons.values()].map((d) => d.pid);
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
    await env.sim.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(discover('127.0.0.2', port)).rejects.toThrow(/exited/);
  });
});
