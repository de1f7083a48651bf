// State file persistence, the control API's clock / seed / state / health routes, and the
// `jdssc simulator start` entry (password file, CA file, ready file, clean stop).
import { describe, test, expect, afterEach } from '@jest/globals';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { simulatorMain } from '../../src/simulator/main';
import { tempDir } from '../helpers/tmp';
import { call, createSnapshot, createVolume, manualClock, poolPath } from './client';

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
const tmp = () => {
  const d = tempDir('jdssc-sim-');
  dirs.push(d);
  return d;
};

describe('state file', () => {
  test('round-trips volumes, snapshots, clones, targets, LUNs and users; written 0600', async () => {
    const dir = tmp();
    const stateFile = `${dir.dir}/state.json`;
    const iqn = 'iqn.2025-01.test:vm-1-0';
    let sim: RunningSimulator = await startSimulator({ listen: ['127.0.0.1'], seed: 1, stateFile });
    await createVolume(sim, 'v_a', '2G', { sparse: false });
    await createSnapshot(sim, 'v_a', 's_1');
    await call(sim, 'POST', poolPath('/volumes/v_a/clone'), { body: { name: 'v_clone', snapshot: 's_1', sparse: true } });
    await call(sim, 'POST', poolPath('/san/iscsi/targets'), {
      body: { name: iqn, vip_allowed_portals: { enabled: true, assigned_vips: ['vip0'] } },
    });
    await call(sim, 'POST', poolPath(`/san/iscsi/targets/${iqn}/luns`), { body: { name: 'v_clone', lun: 4 } });
    await call(sim, 'POST', poolPath(`/san/iscsi/targets/${iqn}/incoming-users`), { body: { name: 'chap', password: 'secret-secret' } });
    const snapshotOf = async (s: RunningSimulator) => ({
      pool: (await call(s, 'GET', poolPath())).json.data,
      volumes: (await call(s, 'GET', poolPath('/volumes'))).json.data,
      snap: (await call(s, 'GET', poolPath('/volumes/v_a/snapshots/s_1'))).json.data,
      target: (await call(s, 'GET', poolPath(`/san/iscsi/targets/${iqn}`))).json.data,
      luns: (await call(s, 'GET', poolPath(`/san/iscsi/targets/${iqn}/luns`))).json.data,
      users: (await call(s, 'GET', poolPath(`/san/iscsi/targets/${iqn}/incoming-users`))).json.data,
    });
    const before = await snapshotOf(sim);
    await sim.close();
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(stateFile, 'utf8')).toContain('secret-secret'); // it has to, for the data path

    sim = await startSimulator({ listen: ['127.0.0.1'], seed: 1, stateFile });
    try {
      const after = await snapshotOf(sim);
      expect(after).toEqual(before);
      // The id generator continues where it stopped: a new volume gets fresh ids.
      await createVolume(sim, 'v_new');
      const ids = (await call(sim, 'GET', poolPath('/volumes'))).json.data.entries.map((v: { guid: string }) => v.guid);
      expect(new Set(ids).size).toBe(3);
    } finally {
      await sim.close();
    }
  });

  test('changes are written (debounced) while running', async () => {
    const stateFile = `${tmp().dir}/state.json`;
    const sim = await startSimulator({ listen: ['127.0.0.1'], stateFile });
    try {
      await createVolume(sim, 'v_live');
      await sim.flush();
      expect(readFileSync(stateFile, 'utf8')).toContain('v_live');
    } finally {
      await sim.close();
    }
  });
});

describe('determinism', () => {
  test('the same seed and clock give the same pool id, guids and scsi ids', async () => {
    const shapes = async () => {
      const s = await startSimulator({ listen: ['127.0.0.1'], seed: 42, now: () => 1_700_000_000_000 });
      try {
        await createVolume(s, 'v_a');
        await createSnapshot(s, 'v_a', 's_1');
        return [
          (await call(s, 'GET', poolPath())).json.data.id,
          (await call(s, 'GET', poolPath('/volumes/v_a'))).json.data,
          (await call(s, 'GET', poolPath('/volumes/v_a/snapshots/s_1'))).json.data,
        ];
      } finally {
        await s.close();
      }
    };
    const [a, b] = [await shapes(), await shapes()];
    expect(a).toEqual(b);
    expect(a[0]).toMatch(/^\d{20}$/);
  });
});

describe('control API', () => {
  test('clock offset and freeze drive creation times', async () => {
    const clock = manualClock(1_700_000_000_000);
    const sim = await startSimulator({ listen: ['127.0.0.1'], now: clock.now });
    try {
      expect((await call(sim, 'POST', '/__simulator/clock', { body: { offsetMs: 3_600_000 } })).json.now).toBe(1_700_003_600_000);
      await createVolume(sim, 'v_a');
      expect((await call(sim, 'GET', poolPath('/volumes/v_a'))).json.data.creation).toBe('1700003600');
      await call(sim, 'POST', '/__simulator/clock', { body: { freezeAt: 1_800_000_000_000 } });
      clock.advance(10_000);
      await createVolume(sim, 'v_b');
      expect((await call(sim, 'GET', poolPath('/volumes/v_b'))).json.data.creation).toBe('1800000000');
      expect((await call(sim, 'POST', '/__simulator/clock', { body: { offsetMs: 'soon' } })).status).toBe(400);
    } finally {
      await sim.close();
    }
  });

  test('seed, health and a state dump without CHAP secrets', async () => {
    const sim = await startSimulator({ listen: ['127.0.0.1'] });
    try {
      const seeded = await call(sim, 'POST', '/__simulator/seed', {
        body: { pool: 'Pool-0', volumes: 3, prefix: 'v_bulk-', snapshotsPerVolume: 2 },
      });
      expect(seeded.json).toEqual({ count: 3, first: 'v_bulk-0', last: 'v_bulk-2' });
      expect((await call(sim, 'GET', poolPath('/volumes/v_bulk-1/snapshots'))).json.data.results).toBe(2);
      const health = (await call(sim, 'GET', '/__simulator/health')).json;
      expect(health).toMatchObject({ ok: true, port: sim.port, pools: [{ name: 'Pool-0', volumes: 3, targets: 0 }] });
      const iqn = 'iqn.2025-01.test:x';
      await call(sim, 'POST', poolPath('/san/iscsi/targets'), { body: { name: iqn } });
      await call(sim, 'POST', poolPath(`/san/iscsi/targets/${iqn}/incoming-users`), { body: { name: 'chap', password: 'secret-secret' } });
      const dump = await call(sim, 'GET', '/__simulator/state');
      expect(dump.json.pools[0].volumes).toHaveLength(3);
      expect(dump.text).not.toContain('secret-secret');
      expect((await call(sim, 'POST', '/__simulator/seed', { body: { pool: 'Nope', volumes: 1 } })).status).toBe(404);
      expect((await call(sim, 'GET', '/__simulator/bogus')).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});

describe('simulatorMain', () => {
  test('reads the password file, writes CA and ready files, prints one line, stops cleanly', async () => {
    const dir = tmp();
    const passwordFile = dir.file('pw', 'user_name admin\nuser_password Very-Secret_pw1\n');
    const readyFile = `${dir.dir}/ready.json`;
    const caFile = `${dir.dir}/ca.pem`;
    const stateFile = `${dir.dir}/state.json`;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    let stop!: () => void;
    const untilStopped = new Promise<void>((r) => (stop = r));
    const exit = simulatorMain({ listen: ['127.0.0.1'], passwordFile, readyFile, caFile, stateFile }, { stdout, stderr }, { untilStopped });
    while (!existsSync(readyFile)) await new Promise((r) => setTimeout(r, 10));
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    expect(ready).toMatchObject({ pid: process.pid, addresses: ['127.0.0.1'], caFile, user: 'admin' });
    expect(statSync(readyFile).mode & 0o777).toBe(0o600);
    expect(statSync(caFile).mode & 0o777).toBe(0o644);
    const ca = readFileSync(caFile, 'utf8');
    const fake = { port: ready.port, addresses: ready.addresses, caPem: ca } as unknown as RunningSimulator;
    expect((await call(fake, 'GET', poolPath(), { auth: ['admin', 'Very-Secret_pw1'] })).status).toBe(200);
    expect((await call(fake, 'GET', poolPath(), { auth: ['admin', 'admin'] })).status).toBe(401);
    await call(fake, 'POST', poolPath('/volumes'), { auth: ['admin', 'Very-Secret_pw1'], body: { name: 'v_main', size: '1G' } });
    stop();
    expect(await exit).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
    expect(out).toContain(`https://127.0.0.1:${ready.port}`);
    expect(out).not.toContain('Very-Secret_pw1');
    expect(existsSync(readyFile)).toBe(false);
    expect(readFileSync(stateFile, 'utf8')).toContain('v_main'); // flushed on close
  });

  test('refuses non-loopback addresses (exit 2) and an unreadable password file', async () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    let err = '';
    io.stderr.on('data', (c) => (err += c));
    expect(await simulatorMain({ listen: ['192.168.1.10'] }, io, { untilStopped: Promise.resolve() })).toBe(2);
    expect(err).toContain('192.168.1.10');
    expect(await simulatorMain({ listen: ['127.0.0.1'], passwordFile: '/nonexistent/pw' }, io, { untilStopped: Promise.resolve() })).toBe(
      2,
    );
  });

  test('a plain password file uses its first line', async () => {
    const dir = tmp();
    const passwordFile = dir.file('pw', 'just-the-password\nignored\n');
    const readyFile = `${dir.dir}/ready.json`;
    let stop!: () => void;
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    const exit = simulatorMain({ listen: ['127.0.0.1'], passwordFile, readyFile, user: 'ops' }, io, {
      untilStopped: new Promise<void>((r) => (stop = r)),
    });
    while (!existsSync(readyFile)) await new Promise((r) => setTimeout(r, 10));
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    expect(ready.caFile).toBeNull();
    stop();
    expect(await exit).toBe(0);
  });
});
