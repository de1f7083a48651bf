// login activate of a volume this host already has active and healthy: while the array's REST
// API is away, answered from the host (its LUN record and the devices), with no REST request, so
// VM restart on the same node works. While the array answers, the array decides (a record can be
// stale: another node may have deleted and re-created the volume). Anything unhealthy or changed
// (a path, the map, a device state, portals, CHAP, pool, multipath) goes to the array as before:
// with REST away that is exit 6, with REST up it repairs.
import { readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { lockFileName, targetLockKey } from '../../src/host/state/lock';
import type { Activation } from '../../src/flows/login';
import { cliEnv, type CliEnv } from '../helpers/cli';
import * as kernel from '../host/fakes/lib/kernel.mjs';
import type { FakeState } from '../host/fakes/lib/state.mjs';

// kernel.mjs has removeMap; its type declarations list only removeDisk
const { removeDisk } = kernel;
const { removeMap } = kernel as unknown as { removeMap(state: FakeState, wwid: string): void };

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ fakeHost: true, configExtra: 'multipath: true' });
  for (const v of ['vm-400-disk-0', 'vm-400-disk-1', 'vm-401-disk-0', 'vm-402-disk-0'])
    expect((await env.run(['volume', 'create', v, '--size', '1G'])).code).toBe(0);
});
afterAll(async () => env.close());

/** The array's REST API away: 127.0.0.1:1 refuses at once; one round of attempts. */
const AWAY = ['--control-port', '1', '--rest-attempts', '1'];

type Disk = { wwid: string; address: string; devDir: string };
const disksOf = (wwid: string): [string, Disk][] =>
  Object.entries(env.host!.state().disks as Record<string, Disk>).filter(([, d]) => d.wwid === wwid);

/** `login activate` with the simulator's request log: exit code, JSON, and the requests it sent. */
const activate = async (args: string[], flags: string[] = []) => {
  env.sim.requests.reset();
  const r = await env.run<Activation>([...flags, 'login', 'activate', ...args, '--json']);
  return { ...r, requests: env.sim.requests.count({}) };
};

describe('login activate of a volume active and healthy here', () => {
  test('REST away: the second activation answers the same device with no request (exit 0); REST up: the array is asked', async () => {
    const first = await activate(['vm-400-disk-0']);
    expect(first.code).toBe(0);
    expect(first.requests).toBeGreaterThan(0);
    const again = await activate(['vm-400-disk-0']);
    expect(again.code).toBe(0);
    expect(again.requests).toBeGreaterThan(0); // the array decides while it answers
    expect(again.json).toEqual(first.json);
    const log = join(env.dir, 'known-away.log');
    const away = await activate(['vm-400-disk-0'], [...AWAY, '--log-file', log]);
    expect({ code: away.code, stderr: away.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(log, 'utf8')).toMatch(/the array does not answer: vm-400-disk-0 answered from this host's LUN record/);
    expect(first.json.answeredBy).toBe('array');
    expect(away.json).toEqual({ ...first.json, answeredBy: 'host-record' });
    // without --json the answer says so in a line of its own
    const human = await env.run(['--control-port', '1', '--rest-attempts', '1', 'login', 'activate', 'vm-400-disk-0']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^the array did not answer: active as recorded on this host/m);
    expect(away.requests).toBe(0);
  });

  test('REST up: a stale record of the volume at another LUN is removed once the array has answered', async () => {
    const a = (await activate(['vm-400-disk-0'])).json;
    const dir = join(env.host!.root, 'var/lib/jdssc/luns/jdss-test', a.target.toLowerCase());
    const rec = JSON.parse(readFileSync(join(dir, `lun-${a.lun}.json`), 'utf8'));
    writeFileSync(join(dir, 'lun-7.json'), JSON.stringify({ ...rec, lun: 7, wwid: '2ffffffffffffff7' }));
    const stale = () => readdirSync(dir).filter((f) => f === 'lun-7.json');
    expect(stale()).toHaveLength(1);
    // two records name it: the host alone cannot answer (exit 6 with REST away)
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(6);
    const log = join(env.dir, 'known-stale.log');
    const r = await activate(['vm-400-disk-0'], ['--log-file', log]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ device: a.device, lun: a.lun, wwid: a.wwid });
    expect(readFileSync(log, 'utf8')).toMatch(/removed this host's stale record of it at LUN 7/);
    expect(stale()).toEqual([]);
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0);
  });

  test('a second disk of the same VM (same target) and a snapshot are answered from the host too', async () => {
    const b = await activate(['vm-400-disk-1']);
    expect(b.json).toMatchObject({ lun: 1, degraded: false });
    await env.okJson(['snapshot', 'create', 'vm-401-disk-0', 'snapA']);
    const snap = await activate(['vm-401-disk-0', '--snapshot', 'snapA']);
    expect(snap.code).toBe(0);
    for (const args of [['vm-400-disk-1'], ['vm-401-disk-0', '--snapshot', 'snapA']]) {
      const r = await activate(args, AWAY);
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect(r.json.device).toBe((args.length === 1 ? b : snap).json.device);
    }
    // the volume itself is not active here: only its snapshot is; that needs the array
    expect((await activate(['vm-401-disk-0'], AWAY)).code).toBe(6);
  });

  test('a path gone: REST away → exit 6; REST up → the array is asked and the path comes back', async () => {
    const a = (await activate(['vm-400-disk-0'])).json;
    env.host!.update((s) => {
      const [name] = Object.entries(s.disks as Record<string, Disk>).find(([, d]) => d.wwid === a.wwid && d.address === '127.0.0.3')!;
      removeDisk(s, name);
    });
    expect(disksOf(a.wwid)).toHaveLength(1);
    const away = await activate(['vm-400-disk-0'], AWAY);
    expect(away.code).toBe(6);
    expect(away.json.error.code).toBe('unreachable');
    const repaired = await activate(['vm-400-disk-0']);
    expect(repaired.code).toBe(0);
    expect(repaired.requests).toBeGreaterThan(0);
    expect(repaired.json).toMatchObject({ device: a.device, degraded: false });
    expect(disksOf(a.wwid)).toHaveLength(2);
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0); // healthy again
  });

  test('the multipath map gone → exit 6 with REST away; REST up rebuilds it', async () => {
    const a = (await activate(['vm-400-disk-0'])).json;
    env.host!.update((s) => removeMap(s, a.wwid));
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(6);
    expect((await activate(['vm-400-disk-0'])).json).toMatchObject({ device: a.device, degraded: false });
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0);
  });

  test('a path device not running, or a path outside the map, is not healthy enough without the array', async () => {
    const a = (await activate(['vm-400-disk-0'])).json;
    const [[name, disk]] = disksOf(a.wwid);
    const stateFile = join(env.host!.root, disk.devDir, 'state');
    writeFileSync(stateFile, 'transport-offline\n');
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(6);
    writeFileSync(stateFile, 'running\n');
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0);
    const dm = readlinkSync(join(env.host!.root, 'dev/mapper', a.wwid)).replace('../', '');
    const slave = join(env.host!.root, 'sys/devices/virtual/block', dm, 'slaves', name);
    const target = readlinkSync(slave);
    rmSync(slave);
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(6);
    symlinkSync(target, slave);
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0);
  });

  test('changed settings go to the array: portals, CHAP, pool, multipath', async () => {
    const chapPw = join(env.dir, 'known-chap.pw');
    writeFileSync(chapPw, `user_password ${env.password}\nchap_user_password Known-Chap-Secret-7\n`, { mode: 0o600 });
    const changed: [string, string[]][] = [
      ['one data address fewer', ['--data-addresses', '127.0.0.2']],
      ['another data port', ['--data-port', '3261']],
      ['CHAP turned on', ['--password-file', chapPw, '--chap-enabled', 'true', '--chap-user', 'pvechap']],
      ['another pool', ['--pool', 'Pool-1']],
      ['multipath off', ['--multipath', 'false']],
    ];
    for (const [why, flags] of changed) {
      const r = await activate(['vm-400-disk-0'], [...AWAY, ...flags]);
      expect({ why, code: r.code }).toEqual({ why, code: 6 });
    }
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0);
  });

  test('with CHAP: answered from the host while the configured CHAP is the one in the node records', async () => {
    const pw = join(env.dir, 'chap-a.pw');
    const pwB = join(env.dir, 'chap-b.pw');
    writeFileSync(pw, `user_password ${env.password}\nchap_user_password Chap-Secret-Aaaa1\n`, { mode: 0o600 });
    writeFileSync(pwB, `user_password ${env.password}\nchap_user_password Chap-Secret-Bbbb2\n`, { mode: 0o600 });
    const chap = (file: string, user = 'pvechap') => ['--password-file', file, '--chap-enabled', 'true', '--chap-user', user];
    const first = await activate(['vm-402-disk-0'], chap(pw));
    expect(first.code).toBe(0);
    const again = await activate(['vm-402-disk-0'], [...AWAY, ...chap(pw)]);
    expect(again.code).toBe(0);
    expect(again.json.device).toBe(first.json.device);
    expect((await activate(['vm-402-disk-0'], [...AWAY, ...chap(pwB)])).code).toBe(6); // another secret
    expect((await activate(['vm-402-disk-0'], [...AWAY, ...chap(pw, 'otheruser')])).code).toBe(6); // another user
    expect((await activate(['vm-402-disk-0'], AWAY)).code).toBe(6); // CHAP off now
    expect((await env.run([...chap(pw), 'login', 'deactivate', 'vm-402-disk-0'])).code).toBe(0);
  });

  test('single path (no multipath): the by-id link must be the LUN’s own device', async () => {
    const flags = ['--multipath', 'false', '--data-addresses', '127.0.0.2'];
    const a = await activate(['vm-401-disk-0'], flags);
    expect(a.json).toMatchObject({ multipath: false, degraded: false });
    expect((await activate(['vm-401-disk-0'], [...AWAY, ...flags])).code).toBe(0);
    const byId = join(env.host!.root, 'dev/disk/by-id', `scsi-${a.json.wwid}`);
    const own = readlinkSync(byId);
    // the link now names another LUN's disk (a reused WWID link): not proof of this LUN
    const other = Object.keys(env.host!.state().disks).find((n) => `../../${n}` !== own)!;
    rmSync(byId);
    symlinkSync(`../../${other}`, byId);
    expect((await activate(['vm-401-disk-0'], [...AWAY, ...flags])).code).toBe(6);
    rmSync(byId);
    symlinkSync(own, byId);
    expect((await activate(['vm-401-disk-0'], [...AWAY, ...flags])).code).toBe(0);
    expect((await env.run([...flags, 'login', 'deactivate', 'vm-401-disk-0'])).code).toBe(0);
  });

  test("the answer is given under the target's node lock (a deactivation cannot race it)", async () => {
    const a = (await activate(['vm-400-disk-0'])).json;
    const lock = join(env.host!.root, 'run/lock/jdssc', lockFileName(targetLockKey(a.target)));
    writeFileSync(lock, JSON.stringify({ pid: process.pid, token: 'held-by-test', createdAt: Date.now(), purpose: 'test' }));
    try {
      const r = await activate(['vm-400-disk-0'], [...AWAY, '--timeout', '2']);
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/held by pid \d+ for test/);
    } finally {
      rmSync(lock, { force: true });
    }
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0);
  });

  test('once deactivated, activation needs the array again', async () => {
    expect((await env.run(['login', 'deactivate', 'vm-400-disk-1'])).code).toBe(0);
    expect((await activate(['vm-400-disk-1'], AWAY)).code).toBe(6);
    expect((await activate(['vm-400-disk-0'], AWAY)).code).toBe(0); // the other disk of the target is untouched
  });
});
