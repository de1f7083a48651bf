// Whole activation flows against the stateful fake host (in-process, fake clock).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { BusyError, HostError } from '../../src/errors';
import { activate } from '../../src/host/lifecycle/activate';
import { findRecord, listRecords } from '../../src/host/state/records';
import { FakeHost, GiB, IQN, WWID0, WWID1 } from './fakes/harness';
import { P2, P3, cmdlines, expectNothingLeft, nodeRecords, req } from './flowHelpers';

let h: FakeHost;
afterEach(() => {
  const violations = h.violations(); // no forbidden invocation in any flow
  h.cleanup();
  expect(violations).toEqual([]);
});

describe('activate', () => {
  test('two portals → two sessions → one map with two active paths, and a record', async () => {
    h = FakeHost.standard();
    const env = h.env();
    const r = await activate(env, req());
    expect(r).toMatchObject({ device: join(h.root, 'dev/mapper', WWID0), wwid: WWID0, sizeBytes: GiB, multipath: true, degraded: false });
    expect(r.portals).toEqual([
      { ...P2, ok: true },
      { ...P3, ok: true },
    ]);
    const s = h.state();
    expect(s.sessions.map((x: { address: string; target: string }) => `${x.address} ${x.target}`)).toEqual([
      `127.0.0.2 ${IQN}`,
      `127.0.0.3 ${IQN}`,
    ]);
    expect(s.maps[WWID0].paths).toHaveLength(2);
    const rec = findRecord(env, 'jdss', IQN, 0);
    expect(rec).toMatchObject({
      storageId: 'jdss',
      pool: 'Pool-0',
      volume: 'vm-100-disk-0',
      snapshot: null,
      target: IQN,
      lun: 0,
      wwid: WWID0,
      portals: [P2, P3],
      multipath: true,
      device: r.device,
    });
    expect(rec?.createdAt).toBe(new Date(h.clock.now()).toISOString());
    const node = readFileSync(join(h.root, 'etc/iscsi/nodes', IQN, '127.0.0.2,3260,-1/default'), 'utf8');
    expect(node).toMatch(/^node.startup = manual$/m);
    expect(node).toMatch(/^node.conn\[0\].timeo.login_timeout = 5$/m);
    expect(node).toMatch(/^node.session.initial_login_retry_max = 2$/m);
    expect(cmdlines(h).filter((c) => c.includes('--login'))).toHaveLength(2);
    expect(h.violations()).toEqual([]);
  });

  test('single path: the by-id device, no multipath call at all', async () => {
    h = FakeHost.standard();
    const r = await activate(h.env(), req({ multipath: false, portals: [P2], snapshot: 'snap1', volume: 'vm-100-disk-0' }));
    expect(r.device).toBe(join(h.root, 'dev/disk/by-id', `scsi-${WWID0}`));
    expect(h.calls('multipath')).toEqual([]);
    expect(h.calls('multipathd')).toEqual([]);
    expect(listRecords(h.env())[0]).toMatchObject({ snapshot: 'snap1', multipath: false });
  });

  test('CHAP: the secret is in the node records and never on an argv or in the log (with iscsid noise)', async () => {
    const secret = 'Jovian-Chap_Secret42';
    h = FakeHost.standard({ noise: true }, { user: 'pve', secret });
    const r = await activate(h.env(), req({ chap: { user: 'pve', secret } }));
    expect(r.degraded).toBe(false);
    expect(JSON.stringify(h.calls())).not.toContain(secret);
    expect(h.log.text()).not.toContain(secret);
    for (const p of ['127.0.0.2', '127.0.0.3']) {
      expect(readFileSync(join(h.root, 'etc/iscsi/nodes', IQN, `${p},3260,-1/default`), 'utf8')).toContain(
        `node.session.auth.password = ${secret}`,
      );
    }
  });

  test('wrong CHAP secret (exit 24 on every portal): chap_auth_failed, and nothing left behind', async () => {
    h = FakeHost.standard({}, { user: 'pve', secret: 'the-right-secret-1' });
    const err = await activate(h.env(), req({ chap: { user: 'pve', secret: 'the-wrong-secret-2' } })).catch((e) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err.details).toMatchObject({ reason: 'chap_auth_failed' });
    expect(err.message).toMatch(/could not log in to any portal .*24 - iSCSI login failed due to authorization failure/);
    expect(err.message).not.toContain('the-wrong-secret-2');
    expectNothingLeft(h);
  });

  test('a device that never appears fails at the deadline with a clear message and leaves nothing behind', async () => {
    h = FakeHost.standard({ neverAppears: [WWID0] });
    const started = h.clock.now();
    const err = await activate(h.env(), req()).catch((e) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toBe(
      `LUN 0 of ${IQN} (WWID ${WWID0}) did not become usable within 60 s: by-id scsi-${WWID0}: missing; by-path: 127.0.0.2:3260 missing, 127.0.0.3:3260 missing`,
    );
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(60_000);
    // only targeted rescans of this target's sessions happened on the way
    const rescans = cmdlines(h).filter((c) => c.includes('--rescan'));
    expect(rescans.length).toBeGreaterThan(0);
    expect(rescans.every((c) => /^iscsiadm -m session -r \d+ --rescan$/.test(c))).toBe(true);
    expectNothingLeft(h);
  });

  test("a failing activation stops early enough that its undo fits in the caller's time", async () => {
    // 40 s given: the wait for the device ends 10 s early, so the undo (logouts, node records)
    // runs inside the 40 s instead of after them (the Proxmox plugin kills jdssc soon after).
    h = FakeHost.standard({ neverAppears: [WWID0] });
    const started = h.clock.now();
    const err = await activate(h.env({ deadlineMs: 40_000 }), req()).catch((e) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err.message).toMatch(/did not become usable within 30 s/);
    expect(h.clock.now() - started).toBeLessThanOrEqual(30_000 + 1_000);
    expectNothingLeft(h);
  });

  test('when the device never appears and a portal also failed, the message names both', async () => {
    h = FakeHost.standard({ neverAppears: [WWID0], unreachable: ['127.0.0.3:3260'] });
    const err = await activate(h.env(), req()).catch((e) => e);
    expect(err.message).toMatch(/did not become usable within 60 s: .*; not logged in: 127\.0\.0\.3:3260 \(.*8 - connection timed out/);
    expectNothingLeft(h);
  });

  test('IPv6 portals: bracketed for iscsiadm, bare in the by-path name and the node DB', async () => {
    const V6 = { address: 'fd00::2', port: 3260 };
    h = new FakeHost({ [IQN]: { portals: ['fd00::2:3260'], luns: { 0: { wwid: WWID0, sizeBytes: GiB } } } });
    const r = await activate(h.env(), req({ portals: [V6], chap: { user: 'pve', secret: 'v6-secret-value' } }));
    expect(r.degraded).toBe(false);
    expect(cmdlines(h)).toContain(`iscsiadm -m node -T ${IQN} -p [fd00::2]:3260 --login`);
    expect(nodeRecords(h)).toEqual([`${IQN}/fd00::2,3260,-1`]);
  });

  test('a zero-size export is rescanned (READ CAPACITY) until it reports its size', async () => {
    h = FakeHost.standard({ zeroSize: { [WWID0]: 2 } });
    const r = await activate(h.env(), req());
    expect(r.sizeBytes).toBe(GiB);
    expect(h.state().faults.zeroSize[WWID0]).toBe(0);
  });

  test('a device stuck at size 0 fails and says so', async () => {
    h = FakeHost.standard({ zeroSize: { [WWID0]: -1 } });
    await expect(activate(h.env(), req({ multipath: false }))).rejects.toThrow(/by-id scsi-26562313537303732: sd[a-z]+ with size 0/);
    expectNothingLeft(h);
  });

  test('without auto-scan, a targeted `- - <lun>` scan of our session hosts finds the disk', async () => {
    h = FakeHost.standard({ noAutoScan: true });
    const r = await activate(h.env(), req());
    expect(r.degraded).toBe(false);
    expect(h.violations()).toEqual([]);
    // the sysfs scan was enough: no iscsiadm session rescan was needed
    expect(cmdlines(h).some((c) => c.includes('--rescan'))).toBe(false);
    // and only LUN 0 was scanned in: LUN 1 of the same target stays out of the kernel
    expect(Object.values(h.state().disks).map((d) => (d as { lun: number }).lun)).toEqual([0, 0]);
  });

  test('activating again heals a missing path instead of returning the degraded state', async () => {
    h = FakeHost.standard({ unreachable: ['127.0.0.3:3260'] });
    const env = h.env();
    expect((await activate(env, req())).degraded).toBe(true);
    h.setFaults({ unreachable: [] });
    const r = await activate(env, req());
    expect(r.degraded).toBe(false);
    expect(h.state().maps[WWID0].paths).toHaveLength(2);
  });

  test('degraded: one unreachable portal is reported, not hidden; its node record is dropped', async () => {
    h = FakeHost.standard({ unreachable: ['127.0.0.3:3260'], loginDelayMs: 3_000 });
    const r = await activate(h.env(), req());
    expect(r.degraded).toBe(true);
    expect(r.portals[0]).toEqual({ ...P2, ok: true });
    expect(r.portals[1]).toMatchObject({
      ...P3,
      ok: false,
      errorKind: 'unreachable',
      error: expect.stringMatching(/8 - connection timed out/),
    });
    expect(h.state().maps[WWID0].paths).toHaveLength(1);
    expect(nodeRecords(h)).toEqual([`${IQN}/127.0.0.2,3260,-1`]);
    expect(h.log.text()).toMatch(/activated DEGRADED: 127\.0\.0\.3:3260/);
  });

  test('portal substring trap: a session on 127.0.0.20 does not count for 127.0.0.2', async () => {
    h = new FakeHost({
      [IQN]: {
        portals: ['127.0.0.2:3260', '127.0.0.20:3260'],
        luns: { 0: { wwid: WWID0, sizeBytes: GiB }, 1: { wwid: WWID1, sizeBytes: GiB } },
      },
    });
    const env = h.env();
    await activate(env, req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1', portals: [{ address: '127.0.0.20', port: 3260 }] }));
    const r = await activate(env, req({ portals: [P2] }));
    expect(r.portals).toEqual([{ ...P2, ok: true }]);
    expect(cmdlines(h)).toContain(`iscsiadm -m node -T ${IQN} -p 127.0.0.2:3260 --login`);
    expect(
      h
        .state()
        .sessions.map((s: { address: string }) => s.address)
        .sort(),
    ).toEqual(['127.0.0.2', '127.0.0.20']);
  });

  test('a second storage on the same target IQN is refused before touching anything', async () => {
    h = FakeHost.standard();
    const env = h.env();
    await activate(env, req({ storageId: 'jdss-a' }));
    const before = h.calls().length;
    const err = await activate(env, req({ storageId: 'jdss-b', lun: 1, wwid: WWID1, volume: 'vm-100-disk-1' })).catch((e) => e);
    expect(err).toBeInstanceOf(BusyError);
    expect(err.message).toMatch(/already used on this host by storage jdss-a; different storages must use different target_prefix values/);
    expect(h.calls().length).toBe(before);
  });

  test('activating again is idempotent: same device, no new login, no new session', async () => {
    h = FakeHost.standard();
    const env = h.env();
    const a = await activate(env, req());
    const sessions = h.state().sessions;
    const mark = h.calls().length;
    const b = await activate(env, req());
    expect(b).toEqual(a);
    // it only looked: one session listing and one map check
    expect(cmdlines(h).slice(mark)).toEqual(['iscsiadm -m session', `multipath -ll ${WWID0}`]);
    expect(cmdlines(h).filter((c) => c.includes('--login'))).toHaveLength(2);
    expect(h.state().sessions).toEqual(sessions);
  });

  test('multipath -ll printing nothing under load: the map is verified with dmsetup status', async () => {
    h = FakeHost.standard({ llEmpty: true });
    const r = await activate(h.env(), req());
    expect(r.degraded).toBe(false);
    expect(cmdlines(h)).toContain(`dmsetup status ${WWID0}`);
  });

  test('a map that never comes up fails the activation and is cleaned up completely', async () => {
    h = FakeHost.standard({ noMap: [WWID0] });
    const err = await activate(h.env(), req()).catch((e) => e);
    expect(err.message).toMatch(/multipath map 26562313537303732 did not come up within 30 s: no map named/);
    // escalations stayed per WWID / per path
    expect(cmdlines(h)).toContain(`multipath ${WWID0}`);
    expect(cmdlines(h).some((c) => c.startsWith('multipathd add path sd'))).toBe(true);
    expectNothingLeft(h);
  });

  test('a failed activation of a second LUN keeps the sessions the first LUN uses', async () => {
    h = FakeHost.standard({ neverAppears: [WWID1] });
    const env = h.env();
    await activate(env, req());
    const sessions = h.state().sessions;
    await expect(activate(env, req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1' }))).rejects.toThrow(/did not become usable/);
    expect(h.state().sessions).toEqual(sessions);
    expect(h.state().maps[WWID0].paths).toHaveLength(2);
    expect(listRecords(env).map((r) => r.lun)).toEqual([0]);
    expect(cmdlines(h).some((c) => c.includes('--logout'))).toBe(false);
  });

  test('a LUN number now used by another volume: the stale activation is torn down first', async () => {
    h = FakeHost.standard();
    const env = h.env();
    await activate(env, req());
    const NEW = '26363636363636363';
    h.array((t) => {
      t[IQN].luns[0] = { wwid: NEW, sizeBytes: 2 * GiB };
    });
    const r = await activate(env, req({ wwid: NEW, volume: 'vm-100-disk-5' }));
    expect(r).toMatchObject({ wwid: NEW, sizeBytes: 2 * GiB });
    expect(h.state().maps[WWID0]).toBeUndefined();
    expect(h.state().wwids).toEqual([NEW]);
    expect(findRecord(env, 'jdss', IQN, 0)?.volume).toBe('vm-100-disk-5');
  });

  test('bad input is refused before any command runs', async () => {
    h = FakeHost.standard();
    await expect(activate(h.env(), req({ lun: 300 }))).rejects.toThrow(/LUN must be an integer 0-255/);
    await expect(activate(h.env(), req({ portals: [{ address: 'array.example.com', port: 3260 }] }))).rejects.toThrow(
      /must be an IP address/,
    );
    await expect(activate(h.env(), req({ wwid: '-F' }))).rejects.toThrow(/invalid WWID/);
    await expect(activate(h.env(), req({ chap: { user: 'u', secret: 'has space' } }))).rejects.toThrow(/whitespace/);
    expect(h.calls()).toEqual([]);
  });
});

describe('concurrency', () => {
  test('two activations on one target are serialised by the node lock and both succeed', async () => {
    h = FakeHost.standard();
    const seq: string[] = [];
    const tagged = (tag: string) => {
      const env = h.env();
      const inner = env.exec;
      env.exec = {
        run: (f, a, o) => {
          seq.push(tag);
          return inner.run(f, a, o);
        },
      };
      return env;
    };
    const [a, b] = await Promise.all([
      activate(tagged('A'), req()),
      activate(tagged('B'), req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1' })),
    ]);
    expect(a.degraded || b.degraded).toBe(false);
    expect(seq.join('')).toMatch(/^(A+B+|B+A+)$/);
    expect(h.state().sessions).toHaveLength(2);
    expect(cmdlines(h).filter((c) => c.includes('--login'))).toHaveLength(2);
  });

  test('a waiter gives up at its deadline with BusyError while the lock is held', async () => {
    h = FakeHost.standard({ deviceDelayMs: { [WWID0]: 8_000 } }); // the holder waits 8 s for its disk
    const slow = activate(h.env(), req());
    const fast = activate(h.env({ deadlineMs: 5_000 }), req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1' })).catch((e) => e);
    const err = await fast;
    expect(err).toBeInstanceOf(BusyError);
    expect(err.message).toMatch(/host lock .* is busy \(held by pid \d+ for activate vm-100-disk-0\)/);
    await expect(slow).resolves.toMatchObject({ degraded: false });
  });
});
