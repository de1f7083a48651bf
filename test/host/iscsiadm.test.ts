// The iscsiadm wrapper against exit codes and messages recorded from open-iscsi 2.1.8 (on a host
// without iscsid, and in the test VM's real kernel).
import { describe, expect, test } from '@jest/globals';
import { HostError } from '../../src/errors';
import {
  listSessions,
  login,
  logout,
  nodeDelete,
  nodeNew,
  nodeShow,
  nodeUpdate,
  rescanSession,
  sessionDetails,
  sessionsFor,
} from '../../src/host/iscsi/iscsiadm';
import { portal } from '../../src/host/iscsi/portal';
import { fixture, scriptedEnv, type Answer } from './fakes/scripted';
import type { HostEnv } from '../../src/host/core/types';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';

const IQN = 'iqn.2024-01.com.example.array:tgt1';
const P = portal('127.0.0.2');
const errors = JSON.parse(fixture('login-errors.json')) as Record<string, Answer>;

describe('login', () => {
  test('one exact portal per call', async () => {
    const env = scriptedEnv(() => ({ code: 0 }));
    await expect(login(env, IQN, P)).resolves.toEqual({ ok: true, already: false });
    expect(env.calls[0].args).toEqual(['-m', 'node', '-T', IQN, '-p', '127.0.0.2:3260', '--login']);
  });

  test('exit 15 (session already present) is success', async () => {
    const env = scriptedEnv(() => errors.already);
    await expect(login(env, IQN, P)).resolves.toEqual({ ok: true, already: true });
  });

  test.each([
    ['auth', 'auth', /24 - iSCSI login failed due to authorization failure/],
    ['unreachable', 'unreachable', /8 - connection timed out/],
    ['noDaemonHost', 'daemon', /could not connect to iscsid/],
  ])('%s → %s, with the meaningful message and no systemd noise', async (name, kind, msg) => {
    const env = scriptedEnv(() => errors[name]);
    const r = await login(env, IQN, P);
    expect(r).toMatchObject({ ok: false, kind, exitCode: errors[name].code });
    expect(r.ok === false && r.message).toMatch(msg);
    expect(r.ok === false && r.message).not.toMatch(/systemd|D-Bus|Failed to connect to bus/);
  });

  test('a login that hangs past its bound is a timeout outcome', async () => {
    const env = scriptedEnv(() => ({ code: null, timedOut: true }));
    await expect(login(env, IQN, P)).resolves.toMatchObject({ ok: false, kind: 'timeout' });
    // bound derived from the record settings: (retries + 1) × login timeout + margin
    expect(env.calls[0].opts.timeoutMs).toBe(25_000);
  });
});

describe('logout and records', () => {
  test('logout is per portal; no session (21) is fine', async () => {
    const env = scriptedEnv(() => errors.noSession);
    await expect(logout(env, IQN, portal('fd00::2'))).resolves.toBe('no-session');
    expect(env.calls[0].args).toEqual(['-m', 'node', '-T', IQN, '-p', '[fd00::2]:3260', '--logout']);
  });

  test('other logout failures are host errors', async () => {
    const env = scriptedEnv(() => ({ code: 9, stderr: 'iscsiadm: initiator reported error (9 - internal error)\n' }));
    await expect(logout(env, IQN, P)).rejects.toThrow(/exited 9: iscsiadm: initiator reported error \(9 - internal error\)/);
  });

  test('show: 21 means no record; delete: 21 means already gone', async () => {
    const env = scriptedEnv(() => errors.noRecords);
    await expect(nodeShow(env, IQN, P)).resolves.toBeNull();
    await expect(nodeDelete(env, IQN, P)).resolves.toBe('absent');
  });

  test('update retries the known "iSCSI database failure" race, nothing else', async () => {
    let n = 0;
    const env = scriptedEnv(() => (++n < 3 ? errors.idbm : { code: 0 }));
    await nodeUpdate(env, IQN, P, 'node.startup', 'manual');
    expect(env.calls).toHaveLength(3);
    expect(env.calls[0].args).toEqual([
      '-m',
      'node',
      '-T',
      IQN,
      '-p',
      '127.0.0.2:3260',
      '-o',
      'update',
      '-n',
      'node.startup',
      '-v',
      'manual',
    ]);
    const bad = scriptedEnv(() => ({ code: 7, stderr: 'iscsiadm: Cannot modify node.x. Invalid param name.\n' }));
    await expect(nodeUpdate(bad, IQN, P, 'node.x', '1')).rejects.toBeInstanceOf(HostError);
    expect(bad.calls).toHaveLength(1);
  });
});

describe('the node database race', () => {
  // Measured in the test VM: 18 concurrent `login deactivate` — a delete of one target's record
  // failed with exit 6 while another process removed some other target's record.
  test.each([
    ['delete', (env: HostEnv) => nodeDelete(env, IQN, P), 'deleted'],
    ['show', (env: HostEnv) => nodeShow(env, IQN, P).then((m) => m !== null), true],
    ['new', (env: HostEnv) => nodeNew(env, IQN, P).then(() => 'made'), 'made'],
    ['login', (env: HostEnv) => login(env, IQN, P).then((r) => r.ok), true],
    ['logout', (env: HostEnv) => logout(env, IQN, P), 'logged-out'],
  ] as [string, (env: HostEnv) => Promise<unknown>, unknown][])(
    '%s retries "iSCSI database failure" (exit 6) and then succeeds',
    async (_name, call, expected) => {
      let n = 0;
      const env = scriptedEnv(() => (++n < 3 ? errors.idbm : { code: 0, stdout: 'node.name = x\n' }));
      await expect(call(env)).resolves.toBe(expected);
      expect(env.calls).toHaveLength(3);
    },
  );

  test('a database failure that does not pass gives up after 6 attempts with the message', async () => {
    const env = scriptedEnv(() => errors.idbm);
    await expect(nodeDelete(env, IQN, P)).rejects.toThrow(/exited 6: .*encountered iSCSI database failure/);
    expect(env.calls).toHaveLength(6);
  });

  test('other failures are not retried', async () => {
    const env = scriptedEnv(() => ({ code: 9, stderr: 'iscsiadm: internal error\n' }));
    await expect(nodeDelete(env, IQN, P)).rejects.toBeInstanceOf(HostError);
    expect(env.calls).toHaveLength(1);
  });
});

describe("tool bounds follow the caller's budget", () => {
  test('a budget up to the default 110 s keeps the fixed bounds; 330 s triples them', async () => {
    const normal = scriptedEnv(() => ({ code: 0 }));
    await nodeShow(normal, IQN, P);
    await logout(normal, IQN, P);
    expect(normal.calls.map((c) => c.opts.timeoutMs)).toEqual([15_000, 20_000]);
    const clock = new FakeClock();
    const long = scriptedEnv(() => ({ code: 0 }), { clock, deadline: new Deadline(clock, 330_000) });
    await nodeShow(long, IQN, P);
    await logout(long, IQN, P);
    expect(long.calls.map((c) => c.opts.timeoutMs)).toEqual([45_000, 60_000]);
  });
});

describe('sessions', () => {
  test('21 "No active sessions" with systemd noise is an empty list', async () => {
    const env = scriptedEnv(() => ({ code: 21, stderr: fixture('session-none.stderr.txt') }));
    await expect(listSessions(env)).resolves.toEqual([]);
  });

  test('sessions are matched by exact (portal, target): 10.0.0.2 never matches 10.0.0.20', async () => {
    const env = scriptedEnv(() => ({ code: 0, stdout: fixture('session-list.txt') }));
    const all = await listSessions(env);
    expect(sessionsFor(all, 'iqn.2025-04.proxmox.joviandss.iscsi:vm-101-0', portal('10.0.0.2'))).toEqual([]);
    expect(sessionsFor(all, 'iqn.2025-04.proxmox.joviandss.iscsi:vm-101-0', portal('10.0.0.20')).map((s) => s.sid)).toEqual([3]);
    expect(sessionsFor(all, 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100', portal('192.168.29.102'))).toEqual([]);
    expect(sessionsFor(all, 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0', portal('192.168.29.102')).map((s) => s.sid)).toEqual([1]);
  });

  test('details and targeted rescan address one session id', async () => {
    const env = scriptedEnv((_t, args) =>
      args.includes('--rescan') ? { code: 21, stderr: 'iscsiadm: No session found.\n' } : { code: 0, stdout: fixture('session-P3.txt') },
    );
    const d = await sessionDetails(env, 2);
    expect(d.map((x) => x.sid)).toEqual([1, 2, 3]);
    expect(env.calls[0].args).toEqual(['-m', 'session', '-r', '2', '-P', '3']);
    await expect(rescanSession(env, 2)).resolves.toBe(false);
    expect(env.calls[1].args).toEqual(['-m', 'session', '-r', '2', '--rescan']);
    await expect(rescanSession(env, -1)).rejects.toThrow(/invalid iSCSI session id/);
  });
});
