// sysfs and /dev discovery against the fake root (laid out like the real kernel's).
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import {
  byIdLink,
  byPathLink,
  deleteDevice,
  holders,
  mapDevice,
  mapperLink,
  rescanDevice,
  resolveBlock,
  scsiAddress,
  sizeBytes,
  slaves,
} from '../../src/host/devices/links';
import { listSessions, login, nodeNew, sessionsFor } from '../../src/host/iscsi/iscsiadm';
import { addWwid, daemonAddMap } from '../../src/host/multipath/tool';
import { portal } from '../../src/host/iscsi/portal';
import { scanHostLun, sessionDisks, sessionHost, sessionState, sessionTarget } from '../../src/host/iscsi/scsiHosts';
import type { HostEnv } from '../../src/host/core/types';
import { writeControl } from '../../src/host/core/sysfs';
import { FakeHost, GiB, IQN, WWID0, WWID1 } from './fakes/harness';

let h: FakeHost;
let env: HostEnv;
const P2 = portal('127.0.0.2');
const P3 = portal('127.0.0.3');

beforeEach(async () => {
  h = FakeHost.standard();
  env = h.env();
  for (const p of [P2, P3]) {
    await nodeNew(env, IQN, p);
    await login(env, IQN, p);
  }
});
afterEach(() => h.cleanup());

test('by-path per portal and by-id per WWID resolve to sd devices with sizes', () => {
  const a = resolveBlock(env, byPathLink(env, P2, IQN, 0));
  const b = resolveBlock(env, byPathLink(env, P3, IQN, 0));
  expect(a).toMatch(/^sd[a-z]+$/);
  expect(b).toMatch(/^sd[a-z]+$/);
  expect(a).not.toBe(b);
  expect([a, b]).toContain(resolveBlock(env, byIdLink(env, WWID0)));
  expect(sizeBytes(env, a as string)).toBe(GiB);
  expect(resolveBlock(env, byPathLink(env, portal('127.0.0.20'), IQN, 0))).toBeNull();
  expect(resolveBlock(env, byPathLink(env, P2, IQN, 7))).toBeNull();
});

test('links that dangle or leave the /dev root do not resolve', () => {
  symlinkSync('../../sdzz', join(env.roots.dev, 'disk/by-id/scsi-dangling'));
  symlinkSync('/etc/hostname', join(env.roots.dev, 'disk/by-id/scsi-outside'));
  expect(resolveBlock(env, join(env.roots.dev, 'disk/by-id/scsi-dangling'))).toBeNull();
  expect(resolveBlock(env, join(env.roots.dev, 'disk/by-id/scsi-outside'))).toBeNull();
});

test('session → SCSI host, disks, state and target from sysfs', async () => {
  const [s] = sessionsFor(await listSessions(env), IQN, P2);
  const host = sessionHost(env, s.sid);
  expect(host).toBe(h.state().sessions.find((x: { sid: number }) => x.sid === s.sid).host);
  const disks = sessionDisks(env, s.sid);
  expect(disks.map((d) => d.lun).sort()).toEqual([0, 1]);
  expect(disks.every((d) => d.host === host && d.name?.startsWith('sd'))).toBe(true);
  expect(sessionState(env, s.sid)).toBe('LOGGED_IN');
  expect(sessionTarget(env, s.sid)).toBe(IQN);
  const name = resolveBlock(env, byPathLink(env, P2, IQN, 1)) as string;
  expect(scsiAddress(env, name)).toEqual({ host, channel: 0, id: 0, lun: 1 });
  expect(sessionHost(env, 999)).toBeNull();
});

test('targeted scan, rescan and delete write exactly the kernel control strings', async () => {
  const [s] = sessionsFor(await listSessions(env), IQN, P2);
  const host = sessionHost(env, s.sid) as number;
  expect(scanHostLun(env, host, 3)).toBe(true);
  expect(readFileSync(join(env.roots.sys, 'class/scsi_host', `host${host}`, 'scan'), 'utf8')).toBe('- - 3');
  const name = resolveBlock(env, byPathLink(env, P2, IQN, 0)) as string;
  expect(rescanDevice(env, name)).toBe(true);
  expect(readFileSync(join(env.roots.sys, 'block', name, 'device/rescan'), 'utf8')).toBe('1');
  expect(deleteDevice(env, name)).toBe(true);
  await h.clock.sleep(1); // the fake kernel acts on the write
  expect(existsSync(join(env.roots.sys, 'block', name))).toBe(false);
  expect(resolveBlock(env, byPathLink(env, P2, IQN, 0))).toBeNull();
  // a vanished device: no error, and no regular file is created in its place
  expect(deleteDevice(env, name)).toBe(false);
  expect(writeControl(join(env.roots.sys, 'block', name, 'device/delete'), '1')).toBe(false);
  expect(existsSync(join(env.roots.sys, 'block', name))).toBe(false);
});

test('a map: /dev/mapper link, by-id moved to dm, slaves and holders; found by sysfs name too', async () => {
  await addWwid(env, WWID1);
  expect(await daemonAddMap(env, WWID1)).toBe(true);
  const dm = mapDevice(env, WWID1) as string;
  expect(dm).toMatch(/^dm-\d+$/);
  expect(resolveBlock(env, mapperLink(env, WWID1))).toBe(dm);
  expect(resolveBlock(env, byIdLink(env, WWID1))).toBe(dm);
  const paths = slaves(env, dm);
  expect(paths).toHaveLength(2);
  for (const p of paths) expect(holders(env, p)).toEqual([dm]);
  expect(sizeBytes(env, dm)).toBe(GiB);
  // without the /dev/mapper link, the map is still found through /sys/block/dm-*/dm/name
  const { rmSync } = await import('node:fs');
  rmSync(mapperLink(env, WWID1));
  expect(mapDevice(env, WWID1)).toBe(dm);
  expect(mapDevice(env, WWID0)).toBeNull();
});
