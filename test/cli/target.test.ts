import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv, type ResultOf } from '../helpers/cli';

let env: CliEnv;
const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';
beforeAll(async () => {
  env = await cliEnv({
    pools: [
      {
        name: 'Pool-0',
        vips: [
          { name: 'vip0', address: '127.0.0.2' },
          { name: 'vip1', address: '127.0.0.3' },
          { name: 'vip9', address: '127.0.0.9' },
        ],
      },
      { name: 'Pool-1', vips: [{ name: 'vipB', address: '127.0.0.5' }] },
    ],
    configExtra: 'luns_per_target: 3',
  });
});
afterAll(async () => env.close());
beforeEach(() => env.sim.requests.reset());

const targetsOnArray = async () => (await env.rest('GET', '/san/iscsi/targets')).json.data.map((t: { name: string }) => t.name).sort();

describe('publish / unpublish', () => {
  beforeAll(async () => {
    for (const d of [0, 1, 2, 3]) await env.okJson(['volume', 'create', `vm-100-disk-${d}`, '--size', '4M']);
  });

  test('first disk: new target vm-100-0, LUN 0, both data VIPs, WWID of the volume', async () => {
    const vol = await env.okJson(['volume', 'get', 'vm-100-disk-0']);
    const p = await env.okJson(['target', 'publish', 'vm-100-disk-0']);
    expect(p).toEqual({
      volume: 'vm-100-disk-0',
      snapshot: null,
      target: `${PREFIX}:vm-100-0`,
      lun: 0,
      portals: ['127.0.0.2:3260', '127.0.0.3:3260'],
      wwid: vol.wwid,
      scsiId: vol.scsiId,
      created: { target: true, lun: true, exportClone: false },
    });
    const t = (await env.rest('GET', `/san/iscsi/targets/${PREFIX}:vm-100-0`)).json.data;
    expect(t.vip_allowed_portals).toEqual({ enabled: true, assigned_vips: ['vip0', 'vip1'] });
    expect(t.incoming_users_active).toBe(false);
  });

  test('publishing again changes nothing and returns the same place', async () => {
    const p = await env.okJson(['target', 'publish', 'vm-100-disk-0']);
    expect(p).toMatchObject({ lun: 0, created: { target: false, lun: false } });
    expect(env.mutations()).toBe(0);
  });

  test('more disks fill the target up to luns_per_target, then the next target of the VM', async () => {
    expect((await env.okJson(['target', 'publish', 'vm-100-disk-1'])).lun).toBe(1);
    expect((await env.okJson(['target', 'publish', 'vm-100-disk-2'])).lun).toBe(2);
    const fourth = await env.okJson(['target', 'publish', 'vm-100-disk-3']);
    expect(fourth).toMatchObject({ target: `${PREFIX}:vm-100-1`, lun: 0 });
  });

  test('the lowest free LUN is reused', async () => {
    expect((await env.okJson(['target', 'unpublish', 'vm-100-disk-1'])).detached).toEqual([
      { target: `${PREFIX}:vm-100-0`, lun: 1, targetDeleted: false },
    ]);
    await env.okJson(['volume', 'create', 'vm-100-disk-4', '--size', '4M']);
    expect(await env.okJson(['target', 'publish', 'vm-100-disk-4'])).toMatchObject({ target: `${PREFIX}:vm-100-0`, lun: 1 });
  });

  test('the target goes with its last LUN; unpublishing twice is fine', async () => {
    const r = await env.okJson(['target', 'unpublish', 'vm-100-disk-3']);
    expect(r.detached).toEqual([{ target: `${PREFIX}:vm-100-1`, lun: 0, targetDeleted: true }]);
    expect(await targetsOnArray()).toEqual([`${PREFIX}:vm-100-0`]);
    expect(await env.okJson(['target', 'unpublish', 'vm-100-disk-3'])).toMatchObject({ wasPublished: false, detached: [] });
  });

  test('get is read-only', async () => {
    expect(await env.okJson(['target', 'get', 'vm-100-disk-4'])).toMatchObject({ published: true, target: `${PREFIX}:vm-100-0`, lun: 1 });
    expect(await env.okJson(['target', 'get', 'vm-100-disk-3'])).toMatchObject({ published: false, target: null });
    expect(env.mutations()).toBe(0);
  });

  test('deleting a published volume detaches it; no empty target stays behind', async () => {
    await env.okJson(['volume', 'create', 'vm-110-disk-0', '--size', '4M']);
    await env.okJson(['target', 'publish', 'vm-110-disk-0']);
    const d = await env.okJson(['volume', 'delete', 'vm-110-disk-0']);
    expect(d.unpublished).toEqual([{ target: `${PREFIX}:vm-110-0`, lun: 0, targetDeleted: true }]);
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-110-0`);
  });

  test('list and sessions', async () => {
    const l = await env.okJson(['target', 'list']);
    expect(l.targets).toEqual([
      {
        name: `${PREFIX}:vm-100-0`,
        chap: false,
        vips: ['vip0', 'vip1'],
        luns: [
          { lun: 0, volume: 'vm-100-disk-0' },
          { lun: 1, volume: 'vm-100-disk-4' },
          { lun: 2, volume: 'vm-100-disk-2' },
        ],
      },
    ]);
    env.sim.setSessions('Pool-0', `${PREFIX}:vm-100-0`, [
      { initiator_name: 'iqn.1993-08.org.debian:01:aaa', ip: '127.0.0.11' },
      { initiator_name: 'iqn.1993-08.org.debian:01:aaa', ip: '127.0.0.12' },
      { initiator_name: 'iqn.1993-08.org.debian:01:bbb', ip: '127.0.0.13' },
    ]);
    expect((await env.okJson(['target', 'sessions', `${PREFIX}:vm-100-0`])).sessions).toEqual([
      { initiator: 'iqn.1993-08.org.debian:01:aaa', addresses: ['127.0.0.11', '127.0.0.12'] },
      { initiator: 'iqn.1993-08.org.debian:01:bbb', addresses: ['127.0.0.13'] },
    ]);
    env.sim.setSessions('Pool-0', `${PREFIX}:vm-100-0`, []);
    expect((await env.run(['target', 'sessions', `${PREFIX}:vm-404-0`])).code).toBe(3);
  });
});

describe('detaching while other hosts are logged in', () => {
  const T = `${PREFIX}:vm-130-0`;
  const ME = 'iqn.1993-08.org.debian:01:thishost';
  let hostRoot: string;
  beforeAll(async () => {
    hostRoot = `${env.dir}/host-130`;
    mkdirSync(`${hostRoot}/etc/iscsi`, { recursive: true });
    writeFileSync(`${hostRoot}/etc/iscsi/initiatorname.iscsi`, `## generated\nInitiatorName=${ME}\n`);
    await env.okJson(['volume', 'create', 'vm-130-disk-0', '--size', '4M']);
    await env.okJson(['target', 'publish', 'vm-130-disk-0']);
  });

  test('a session of another initiator: unpublish and delete refuse (exit 5), nothing is detached', async () => {
    env.sim.setSessions('Pool-0', T, [
      { initiator_name: ME, ip: '127.0.0.11' },
      { initiator_name: 'iqn.1993-08.org.debian:01:otherhost', ip: '127.0.0.12' },
    ]);
    env.sim.requests.reset();
    for (const args of [
      ['target', 'unpublish', 'vm-130-disk-0'],
      ['volume', 'delete', 'vm-130-disk-0'],
    ]) {
      const r = await env.run(['--host-root', hostRoot, ...args, '--json']);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/live iSCSI sessions from other hosts: iqn\.1993-08\.org\.debian:01:otherhost \(127\.0\.0\.12\).*--force/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.json.error.details.initiators).toEqual(['iqn.1993-08.org.debian:01:otherhost']);
    }
    // The only mutating request is delete's first plain DELETE of the volume, which the array
    // refuses (a LUN is attached); nothing succeeded and nothing was detached.
    const mutating = env.sim.requests.all().filter((r) => ['POST', 'PUT', 'DELETE'].includes(r.method));
    expect(mutating.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      expect.stringMatching(/^DELETE \/api\/v4\/pools\/Pool-0\/volumes\/v_vm-130-disk-0 [45]\d\d$/),
    ]);
    expect((await env.okJson(['target', 'get', 'vm-130-disk-0'])).published).toBe(true);
  });

  test("this host's own sessions never block", async () => {
    env.sim.setSessions('Pool-0', T, [{ initiator_name: ME.toUpperCase(), ip: '127.0.0.11' }]);
    const u = await env.okJson(['--host-root', hostRoot, 'target', 'unpublish', 'vm-130-disk-0']);
    expect(u).toMatchObject({ wasPublished: true, detached: [{ target: T, lun: 0, targetDeleted: true }] });
    expect((await env.okJson(['target', 'get', 'vm-130-disk-0'])).published).toBe(false);
  });

  test('--force detaches anyway', async () => {
    await env.okJson(['target', 'publish', 'vm-130-disk-0']);
    env.sim.setSessions('Pool-0', T, [{ initiator_name: 'iqn.1993-08.org.debian:01:otherhost', ip: '127.0.0.12' }]);
    const d = await env.okJson(['--host-root', hostRoot, 'volume', 'delete', 'vm-130-disk-0', '--force']);
    expect(d.unpublished).toEqual([{ target: T, lun: 0, targetDeleted: true }]);
  });
});

describe('snapshot publish', () => {
  test('goes through a read-only export clone that unpublish removes', async () => {
    await env.okJson(['volume', 'create', 'vm-120-disk-0', '--size', '4M']);
    await env.okJson(['snapshot', 'create', 'vm-120-disk-0', 'snap1']);
    const p = await env.okJson(['target', 'publish', 'vm-120-disk-0', '--snapshot', 'snap1']);
    expect(p).toMatchObject({ snapshot: 'snap1', target: `${PREFIX}:vm-120-0`, lun: 0, created: { exportClone: true } });
    const clone = (await env.rest('GET', '/volumes/se_snap1_OZWS2MJSGAWWI2LTNMWTA---')).json.data;
    expect(clone.origin).toBe('Pool-0/v_vm-120-disk-0@s_snap1');
    expect(p.wwid).toBe(`2${Buffer.from(clone.default_scsi_id.slice(0, 8)).toString('hex')}`);
    const u = await env.okJson(['target', 'unpublish', 'vm-120-disk-0', '--snapshot', 'snap1']);
    expect(u).toMatchObject({ wasPublished: true, exportCloneDeleted: true });
    expect((await env.rest('GET', '/volumes/se_snap1_OZWS2MJSGAWWI2LTNMWTA---')).status).toBe(500);
    await env.okJson(['snapshot', 'delete', 'vm-120-disk-0', 'snap1']);
  });

  test('a missing snapshot is exit 3 and leaves nothing', async () => {
    const r = await env.run(['target', 'publish', 'vm-120-disk-0', '--snapshot', 'nope']);
    expect(r.code).toBe(3);
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-120-0`);
  });
});

describe('guards and configuration errors', () => {
  test('no data address is a pool VIP → the explicit VIP error, exit 2, nothing changed', async () => {
    await env.okJson(['volume', 'create', 'vm-130-disk-0', '--size', '4M']);
    env.sim.requests.reset();
    const r = await env.run(['--data-addresses', '127.0.0.7', 'target', 'publish', 'vm-130-disk-0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unable to identify VIP name for ip's: 127\.0\.0\.7/);
    expect(env.mutations()).toBe(0);
  });

  test('a volume without a VM id in its name needs --vmid', async () => {
    await env.okJson(['volume', 'create', 'scratch', '--size', '4M']);
    expect((await env.run(['target', 'publish', 'scratch'])).code).toBe(2);
    expect((await env.okJson(['target', 'publish', 'scratch', '--vmid', '777'])).target).toBe(`${PREFIX}:vm-777-0`);
    await env.okJson(['target', 'unpublish', 'scratch']);
  });

  test('a target name owned by another pool is refused (another storage with the same prefix)', async () => {
    await env.rest('POST', '/san/iscsi/targets', { name: `${PREFIX}:vm-140-0`, active: true }, 'Pool-1');
    await env.okJson(['volume', 'create', 'vm-140-disk-0', '--size', '4M']);
    const r = await env.run(['target', 'publish', 'vm-140-disk-0', '--json']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/belongs to another pool.*own target_prefix/);
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-140-0`);
  });

  test('a changed target_prefix moves an idle volume to the new prefix', async () => {
    await env.okJson(['volume', 'create', 'vm-150-disk-0', '--size', '4M']);
    await env.okJson(['target', 'publish', 'vm-150-disk-0']);
    const moved = await env.okJson(['--target-prefix', 'iqn.2026-01.example.new', 'target', 'publish', 'vm-150-disk-0']);
    expect(moved.target).toBe('iqn.2026-01.example.new:vm-150-0');
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-150-0`);
  });

  test('...but a volume in use under the old prefix stays there (live sessions)', async () => {
    env.sim.setSessions('Pool-0', 'iqn.2026-01.example.new:vm-150-0', [
      { initiator_name: 'iqn.1993-08.org.debian:01:ccc', ip: '127.0.0.21' },
    ]);
    const kept = await env.okJson(['target', 'publish', 'vm-150-disk-0']);
    expect(kept).toMatchObject({ target: 'iqn.2026-01.example.new:vm-150-0', note: expect.stringMatching(/in use by 127\.0\.0\.21/) });
    env.sim.setSessions('Pool-0', 'iqn.2026-01.example.new:vm-150-0', []);
  });
});

describe('CHAP', () => {
  const chapSecret = 'Chap-Secret-123456';

  /** The same storage with CHAP enabled, reading secrets from `passwordFile`. */
  function chapConfig(passwordFile: string): string {
    const cfg = `${env.config}.chap-${Math.random().toString(36).slice(2)}.yaml`;
    const text = readFileSync(env.config, 'utf8').replace(/password_file: .*/, `password_file: ${passwordFile}`);
    writeFileSync(cfg, `${text}\nchap_enabled: true\nchap_user_name: pvechap\n`, { mode: 0o600 });
    return cfg;
  }

  test('enabled: the target requires CHAP with exactly our user; the secret is never printed', async () => {
    const pw = `${env.dir}/pw-chap`;
    writeFileSync(pw, `user_password ${env.password}\nchap_user_password ${chapSecret}\n`, { mode: 0o600 });
    await env.okJson(['volume', 'create', 'vm-160-disk-0', '--size', '4M']);
    const r = await env.run(['-c', chapConfig(pw), 'target', 'publish', 'vm-160-disk-0', '--json'], { noConfig: true });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(chapSecret);
    const t = (await env.rest('GET', `/san/iscsi/targets/${PREFIX}:vm-160-0`)).json.data;
    expect(t.incoming_users_active).toBe(true);
    expect((await env.rest('GET', `/san/iscsi/targets/${PREFIX}:vm-160-0/incoming-users`)).json.data).toEqual([{ name: 'pvechap' }]);
  });

  test('when the CHAP user cannot be set, publish fails and takes back the LUN and target it made', async () => {
    const pw = `${env.dir}/pw-chap-undo`;
    writeFileSync(pw, `user_password ${env.password}\nchap_user_password ${chapSecret}\n`, { mode: 0o600 });
    await env.okJson(['volume', 'create', 'vm-161-disk-0', '--size', '4M']);
    await env.sim.faults.add({ kind: 'status5xx', status: 500, match: { method: 'POST', path: '/incoming-users$' }, count: 0 });
    const r = await env.run(['-c', chapConfig(pw), 'target', 'publish', 'vm-161-disk-0', '--json'], { noConfig: true });
    env.sim.faults.clear();
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).not.toContain(chapSecret);
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-161-0`);
    expect((await env.okJson(['target', 'get', 'vm-161-disk-0'])).published).toBe(false);
  });

  test('a storage without CHAP turns it off on its target and removes the users', async () => {
    await env.okJson(['target', 'publish', 'vm-160-disk-0']);
    const t = (await env.rest('GET', `/san/iscsi/targets/${PREFIX}:vm-160-0`)).json.data;
    expect(t.incoming_users_active).toBe(false);
    expect((await env.rest('GET', `/san/iscsi/targets/${PREFIX}:vm-160-0/incoming-users`)).json.data).toEqual([]);
  });

  test('enabled without a secret → exit 2 before anything is sent', async () => {
    env.sim.requests.reset();
    const r = await env.run(['-c', chapConfig(env.passwordFile), 'target', 'publish', 'vm-160-disk-0'], { noConfig: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no CHAP secret/);
    expect(env.sim.requests.count({})).toBe(0);
  });
});

describe('many publishes at once', () => {
  test('disks of one VM published concurrently get distinct LUNs, no duplicate or empty targets', async () => {
    const disks = Array.from({ length: 7 }, (_, i) => `vm-170-disk-${i}`);
    for (const d of disks) await env.okJson(['volume', 'create', d, '--size', '1M']);
    const results = await Promise.all(disks.map((d) => env.run(['target', 'publish', d, '--json'])));
    expect(results.map((r) => r.code)).toEqual(disks.map(() => 0));
    const places = results.map((r) => `${r.json.target}#${r.json.lun}`);
    expect(new Set(places).size).toBe(disks.length);
    const mine = (await targetsOnArray()).filter((t: string) => t.includes(':vm-170-'));
    expect(mine).toEqual([`${PREFIX}:vm-170-0`, `${PREFIX}:vm-170-1`, `${PREFIX}:vm-170-2`]);
    for (const t of mine) {
      const luns = (await env.rest('GET', `/san/iscsi/targets/${t}/luns`)).json.data;
      expect(luns.length).toBeGreaterThan(0);
      expect(luns.length).toBeLessThanOrEqual(3);
    }
  });
});

describe('a refusal leaves no trace: inputs are read before the first change', () => {
  test('publishing a disk that does not exist is exit 3 and sends no change (no target made and taken back)', async () => {
    env.sim.requests.reset();
    const r = await env.run(['target', 'publish', 'vm-180-disk-0', '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/vm-180-disk-0 does not exist/);
    expect(env.mutations()).toBe(0);
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-180-0`);
  });

  test('publishing a snapshot that does not exist sends no change either (no export clone attempt)', async () => {
    await env.okJson(['volume', 'create', 'vm-181-disk-0', '--size', '4M']);
    env.sim.requests.reset();
    const r = await env.run(['target', 'publish', 'vm-181-disk-0', '--snapshot', 'nope', '--json']);
    expect(r.code).toBe(3);
    expect(env.mutations()).toBe(0);
  });
});

describe('cluster_prefix keeps the targets of two clusters apart', () => {
  const cluster =
    (prefix?: string) =>
    <const A extends readonly string[]>(args: A) =>
      env.okJson<ResultOf<A>>(prefix ? ['--cluster-prefix', prefix, ...args] : args);
  const lunsOf = async (t: string) =>
    (await env.rest('GET', `/san/iscsi/targets/${t}/luns`)).json.data.map((l: { name: string }) => l.name).sort();

  test('two clusters on one pool, VM 999 each → two targets, each holding only its own disk', async () => {
    const a = cluster('pveA');
    const b = cluster('pveB');
    await a(['volume', 'create', 'vm-999-disk-0', '--size', '4M']);
    await b(['volume', 'create', 'vm-999-disk-0', '--size', '4M']);
    const pa = await a(['target', 'publish', 'vm-999-disk-0']);
    const pb = await b(['target', 'publish', 'vm-999-disk-0']);
    expect(pa.target).toBe(`${PREFIX}:pvea-vm-999-0`);
    expect(pb.target).toBe(`${PREFIX}:pveb-vm-999-0`);
    expect(await lunsOf(pa.target)).toEqual(['v_pveA_vm-999-disk-0']);
    expect(await lunsOf(pb.target)).toEqual(['v_pveB_vm-999-disk-0']);
    // Each cluster finds its own publication again; unpublishing one leaves the other alone.
    expect(await a(['target', 'get', 'vm-999-disk-0'])).toMatchObject({ published: true, target: pa.target });
    await a(['target', 'unpublish', 'vm-999-disk-0']);
    expect(await targetsOnArray()).not.toContain(pa.target);
    expect(await lunsOf(pb.target)).toEqual(['v_pveB_vm-999-disk-0']);
    await b(['target', 'unpublish', 'vm-999-disk-0']);
  });

  test('without a cluster prefix the names stay exactly as upstream names them, and existing targets keep working', async () => {
    const none = cluster();
    await none(['volume', 'create', 'vm-998-disk-0', '--size', '4M']);
    await none(['volume', 'create', 'vm-998-disk-1', '--size', '4M']);
    // A target made by upstream jdssc (or an earlier version): the next disk joins it.
    await env.rest('POST', '/san/iscsi/targets', {
      name: `${PREFIX}:vm-998-0`,
      active: true,
      vip_allowed_portals: { enabled: true, assigned_vips: ['vip0', 'vip1'] },
    });
    await env.rest('POST', `/san/iscsi/targets/${PREFIX}:vm-998-0/luns`, { name: 'v_vm-998-disk-0', lun: 0 });
    expect(await none(['target', 'publish', 'vm-998-disk-0'])).toMatchObject({ target: `${PREFIX}:vm-998-0`, lun: 0 });
    expect(await none(['target', 'publish', 'vm-998-disk-1'])).toMatchObject({
      target: `${PREFIX}:vm-998-0`,
      lun: 1,
      created: { target: false },
    });
    await none(['target', 'unpublish', 'vm-998-disk-0']);
    await none(['target', 'unpublish', 'vm-998-disk-1']);
    expect(await targetsOnArray()).not.toContain(`${PREFIX}:vm-998-0`);
  });

  test("cleanup judges only its own cluster's targets: another cluster's empty target is not its orphan", async () => {
    await env.rest('POST', '/san/iscsi/targets', { name: `${PREFIX}:pvea-vm-997-0`, active: true });
    const orphanTargets = async (prefix?: string) =>
      (await env.run([...(prefix ? ['--cluster-prefix', prefix] : []), 'cleanup', '--vmids', '1', '--only', 'array', '--json'])).json.items
        .filter((i: { kind: string }) => i.kind === 'empty-target')
        .map((i: { name: string }) => i.name);
    expect(await orphanTargets()).not.toContain(`${PREFIX}:pvea-vm-997-0`);
    expect(await orphanTargets('pveB')).not.toContain(`${PREFIX}:pvea-vm-997-0`);
    expect(await orphanTargets('pveA')).toContain(`${PREFIX}:pvea-vm-997-0`);
    await env.rest('DELETE', `/san/iscsi/targets/${PREFIX}:pvea-vm-997-0`);
  });
});
