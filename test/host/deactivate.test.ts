// Whole deactivation flows against the stateful fake host.
import { afterEach, expect, test } from '@jest/globals';
import { BusyError } from '../../src/errors';
import { activate } from '../../src/host/lifecycle/activate';
import { deactivate } from '../../src/host/lifecycle/deactivate';
import { login, nodeNew } from '../../src/host/iscsi/iscsiadm';
import { portal } from '../../src/host/iscsi/portal';
import { findRecord, writeRecord, type LunRecord } from '../../src/host/state/records';
import { FakeHost, GiB, IQN, WWID0, WWID1 } from './fakes/harness';
import { P2, P3, cmdlines, expectNothingLeft, nodeRecords, req } from './flowHelpers';

let h: FakeHost;
afterEach(() => {
  const violations = h.violations(); // no forbidden invocation in any flow
  h.cleanup();
  expect(violations).toEqual([]);
});

async function activated(host: FakeHost, lun = 0): Promise<LunRecord> {
  const env = host.env();
  await activate(env, lun === 0 ? req() : req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1' }));
  return findRecord(env, 'jdss', IQN, lun) as LunRecord;
}

test('full teardown: disks deleted before the map, then logout per portal, node records and record gone', async () => {
  h = FakeHost.standard();
  const rec = await activated(h);
  const mark = h.calls().length;
  const r = await deactivate(h.env(), rec);
  expect(r).toMatchObject({ recordRemoved: true, map: 'removed' });
  expect(r.devicesDeleted).toHaveLength(2);
  expect(r.portals).toEqual([
    { ...P2, action: 'logged-out' },
    { ...P3, action: 'logged-out' },
  ]);
  const after = cmdlines(h).slice(mark);
  expect(after.indexOf(`multipath -f ${WWID0}`)).toBeLessThan(after.indexOf(`iscsiadm -m node -T ${IQN} -p 127.0.0.2:3260 --logout`));
  expect(after).toContain(`multipath -w ${WWID0}`);
  expectNothingLeft(h);
});

test('a record that changed while waiting for the lock (another volume on the LUN) stops the teardown', async () => {
  h = FakeHost.standard();
  const stale = await activated(h);
  const env = h.env();
  writeRecord(env, { ...stale, volume: 'vm-100-disk-7', wwid: WWID1 });
  const before = h.state();
  const mark = h.calls().length;
  await expect(deactivate(env, stale)).rejects.toThrow(BusyError);
  await expect(deactivate(env, stale)).rejects.toThrow(/now holds vm-100-disk-7 .*nothing was torn down/);
  expect(h.state().sessions).toEqual(before.sessions);
  expect(h.state().maps).toEqual(before.maps);
  expect(
    cmdlines(h)
      .slice(mark)
      .filter((c) => /--logout|-o delete|multipath -f|delete/.test(c)),
  ).toEqual([]);
  // the record as it is now is what a new deactivate works from
  writeRecord(env, stale);
  await deactivate(env, findRecord(env, 'jdss', IQN, 0) as LunRecord);
  expectNothingLeft(h);
});

test('deactivating one VM disk leaves another disk on the same target untouched', async () => {
  h = FakeHost.standard();
  const rec0 = await activated(h, 0);
  await activated(h, 1);
  const before = h.state();
  const map1 = before.maps[WWID1];
  const mark = h.calls().length;

  const r = await deactivate(h.env(), rec0);
  expect(r.portals.map((p) => p.action)).toEqual(['kept', 'kept']);
  expect(r.portals[0].reason).toMatch(/still used by LUN 1 \(vm-100-disk-1\)/);
  const s = h.state();
  expect(s.sessions).toEqual(before.sessions);
  expect(s.maps[WWID1]).toEqual(map1);
  expect(map1.paths.every((p: string) => s.disks[p]?.wwid === WWID1)).toBe(true);
  expect(s.maps[WWID0]).toBeUndefined();
  expect(
    cmdlines(h)
      .slice(mark)
      .some((c) => c.includes('--logout') || c.includes('-o delete') || c.includes(WWID1)),
  ).toBe(false);
  expect(nodeRecords(h)).toHaveLength(2);

  await deactivate(h.env(), findRecord(h.env(), 'jdss', IQN, 1) as LunRecord);
  expectNothingLeft(h);
});

test('a busy map flush is retried until it succeeds', async () => {
  h = FakeHost.standard();
  const rec = await activated(h);
  h.setFaults({ mapBusy: { [WWID0]: 5 } });
  const r = await deactivate(h.env(), rec);
  expect(r.map).toBe('removed');
  expect(h.calls('multipath').filter((c) => c.argv[0] === '-f').length).toBeGreaterThanOrEqual(3);
  expectNothingLeft(h);
});

test('a map that never flushes ends in a deferred removal, reported as such', async () => {
  h = FakeHost.standard();
  const rec = await activated(h);
  h.setFaults({ mapBusy: { [WWID0]: 1_000_000 } });
  const r = await deactivate(h.env(), rec);
  expect(r.map).toBe('deferred');
  expect(cmdlines(h)).toContain(`dmsetup remove ${WWID0}`);
  expect(cmdlines(h)).toContain(`dmsetup remove --deferred ${WWID0}`);
  expect(cmdlines(h).some((c) => c.includes('--force'))).toBe(false);
});

test('a map in use is waited for, then refused — and nothing at all is torn down', async () => {
  h = FakeHost.standard();
  const rec = await activated(h);
  h.setFaults({ mapOpen: { [WWID0]: 1 } });
  const before = h.state();
  const mark = h.calls().length;
  const err = await deactivate(h.env(), rec).catch((e) => e);
  expect(err).toBeInstanceOf(BusyError);
  expect(err.message).toMatch(/multipath map 26562313537303732 \(dm-0\) is still in use after 60 s \(open count 1\); not tearing it down/);
  const s = h.state();
  expect(s.disks).toEqual(before.disks);
  expect(s.sessions).toEqual(before.sessions);
  expect(findRecord(h.env(), 'jdss', IQN, 0)).not.toBeNull();
  expect(
    cmdlines(h)
      .slice(mark)
      .every((c) => c.startsWith('dmsetup info')),
  ).toBe(true);
});

test('deactivation is idempotent', async () => {
  h = FakeHost.standard();
  const rec = await activated(h);
  await deactivate(h.env(), rec);
  const again = await deactivate(h.env(), rec);
  expect(again).toEqual({
    recordRemoved: false,
    devicesDeleted: [],
    map: 'absent',
    portals: [
      { ...P2, action: 'no-session' },
      { ...P3, action: 'no-session' },
    ],
  });
  expectNothingLeft(h);
});

test('sessions of targets we have no record for are never touched', async () => {
  const OTHER = 'iqn.2010-01.com.example:foreign';
  h = new FakeHost({
    [IQN]: { portals: ['127.0.0.2:3260'], luns: { 0: { wwid: WWID0, sizeBytes: GiB } } },
    [OTHER]: { portals: ['127.0.0.2:3260'], luns: { 0: { wwid: '2ffffffffffffffff', sizeBytes: GiB } } },
  });
  const env = h.env();
  await nodeNew(env, OTHER, portal('127.0.0.2'));
  await login(env, OTHER, portal('127.0.0.2'));
  await activate(env, req({ portals: [P2] }));
  const mark = h.calls().length;
  await deactivate(env, findRecord(env, 'jdss', IQN, 0) as LunRecord);
  expect(
    cmdlines(h)
      .slice(mark)
      .some((c) => c.includes(OTHER) || c.includes('2ffffffffffffffff')),
  ).toBe(false);
  expect(h.state().sessions.map((s: { target: string }) => s.target)).toEqual([OTHER]);
  expect(Object.values(h.state().disks).map((d) => (d as { target: string }).target)).toEqual([OTHER]);
});

test('portal substring trap: logging out 127.0.0.2 leaves the session on 127.0.0.20', async () => {
  h = new FakeHost({
    [IQN]: {
      portals: ['127.0.0.2:3260', '127.0.0.20:3260'],
      luns: { 0: { wwid: WWID0, sizeBytes: GiB }, 1: { wwid: WWID1, sizeBytes: GiB } },
    },
  });
  const env = h.env();
  await activate(env, req({ portals: [P2] }));
  await activate(
    env,
    req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1', multipath: false, portals: [{ address: '127.0.0.20', port: 3260 }] }),
  );
  const r = await deactivate(env, findRecord(env, 'jdss', IQN, 0) as LunRecord);
  // 127.0.0.20 carried an auto-scanned path of LUN 0 too, so it is considered — and kept for LUN 1
  expect(r.portals).toEqual([
    { ...P2, action: 'logged-out' },
    { address: '127.0.0.20', port: 3260, action: 'kept', reason: 'still used by LUN 1 (vm-100-disk-1)' },
  ]);
  expect(h.state().sessions.map((s: { address: string }) => s.address)).toEqual(['127.0.0.20']);
  expect(cmdlines(h)).not.toContain(`iscsiadm -m node -T ${IQN} -p 127.0.0.20:3260 --logout`);
});

test('a session whose other disk feeds another map is kept, even if no record names that portal', async () => {
  // Login scans every LUN of the target, and multipathd takes every path of an allowed WWID:
  // LUN 1's map (recorded for 127.0.0.20 only) also runs over the 127.0.0.2 session.
  h = new FakeHost({
    [IQN]: {
      portals: ['127.0.0.2:3260', '127.0.0.20:3260'],
      luns: { 0: { wwid: WWID0, sizeBytes: GiB }, 1: { wwid: WWID1, sizeBytes: GiB } },
    },
  });
  const env = h.env();
  await activate(env, req({ portals: [P2] }));
  await activate(env, req({ lun: 1, wwid: WWID1, volume: 'vm-100-disk-1', portals: [{ address: '127.0.0.20', port: 3260 }] }));
  expect(h.state().maps[WWID1].paths).toHaveLength(2);
  const r = await deactivate(env, findRecord(env, 'jdss', IQN, 0) as LunRecord);
  expect(r.portals).toEqual([
    { ...P2, action: 'kept', reason: expect.stringMatching(/session \d+ still carries sd[a-z]+ \(LUN 1\) in use/) },
    { address: '127.0.0.20', port: 3260, action: 'kept', reason: 'still used by LUN 1 (vm-100-disk-1)' },
  ]);
  expect(h.state().maps[WWID1].paths).toHaveLength(2);
  expect(h.state().sessions).toHaveLength(2);
  // LUN 1 going away releases the 127.0.0.2 session too: it carried one of LUN 1's paths
  const r1 = await deactivate(env, findRecord(env, 'jdss', IQN, 1) as LunRecord);
  expect(r1.portals.map((p) => `${p.address} ${p.action}`)).toEqual(['127.0.0.20 logged-out', '127.0.0.2 logged-out']);
  expectNothingLeft(h);
});

test('single-path LUN: its disk is deleted and its portal logged out', async () => {
  h = FakeHost.standard();
  const env = h.env();
  await activate(env, req({ multipath: false, portals: [P2] }));
  const r = await deactivate(env, findRecord(env, 'jdss', IQN, 0) as LunRecord);
  expect(r).toMatchObject({ map: 'absent', recordRemoved: true, portals: [{ ...P2, action: 'logged-out' }] });
  expect(h.calls('multipath')).toEqual([]);
  expectNothingLeft(h);
});
