import { describe, expect, test } from '@jest/globals';
import { parseNodeRecord, parseSessionDetails, parseSessions } from '../../src/host/iscsi/parse';
import { activePaths, parseDmStatus, parseMultipathLl } from '../../src/host/multipath/parse';
import { byPathName, formatPortal, parsePortal, portal, samePortal, sameTarget } from '../../src/host/iscsi/portal';
import { meaningfulLines } from '../../src/host/core/exec';
import { fixture } from './fakes/scripted';

describe('iscsiadm -m session', () => {
  test('parses IPv4, IPv6 and tpgt; keeps exact addresses', () => {
    const s = parseSessions(fixture('session-list.txt'));
    expect(s).toHaveLength(5);
    expect(s[0]).toEqual({
      transport: 'tcp',
      sid: 1,
      portal: { address: '192.168.29.102', port: 3260 },
      tpgt: 1,
      target: 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0',
      flags: 'non-flash',
    });
    expect(s[3].portal).toEqual({ address: 'fd00:10::2', port: 3260 });
    expect(s[4]).toMatchObject({ sid: 5, portal: { address: '10.0.0.2', port: 3261 }, tpgt: 2 });
  });

  test('daemon noise and junk lines are skipped', () => {
    const text = `${fixture('session-none.stderr.txt')}${fixture('session-list.txt')}garbage line\n`;
    expect(parseSessions(text).map((x) => x.sid)).toEqual([1, 2, 3, 4, 5]);
    expect(parseSessions('')).toEqual([]);
  });
});

describe('iscsiadm -m session -P 3', () => {
  test('one entry per session with host number and attached disks', () => {
    const d = parseSessionDetails(fixture('session-P3.txt'));
    expect(d.map((x) => [x.sid, x.target, x.portal?.address, x.hostNumber])).toEqual([
      [1, 'iqn.2024-01.com.example.array:tgt1', '127.0.0.2', 1],
      [2, 'iqn.2024-01.com.example.array:tgt1', '127.0.0.3', 0],
      [3, 'iqn.2025-04.proxmox.joviandss.iscsi:vm-101-0', '127.0.0.4', 2],
    ]);
    expect(d[0].disks).toEqual([
      { host: 1, channel: 0, id: 0, lun: 0 },
      { host: 1, channel: 0, id: 0, lun: 1, disk: 'sda', state: 'running' },
    ]);
    expect(d[1].disks.map((x) => `${x.lun}:${x.disk ?? '-'}`)).toEqual(['0:-', '1:sdb', '2:sdc']);
    expect(d[2]).toMatchObject({ sessionState: 'FAILED', connectionState: 'TRANSPORT WAIT' });
  });
});

test('node record show: key = value pairs', () => {
  const m = parseNodeRecord(
    'node.name = iqn.x:y\nnode.conn[0].timeo.login_timeout = 5\nnode.session.auth.password = ********\nnode.session.auth.username = <empty>\n',
  );
  expect(m.get('node.conn[0].timeo.login_timeout')).toBe('5');
  expect(m.get('node.session.auth.password')).toBe('********');
});

describe('multipath -ll', () => {
  test('testbed output: two path groups, both paths active', () => {
    const [m] = parseMultipathLl(fixture('multipath-ll.txt'));
    expect(m).toMatchObject({
      name: '3600a0b80000000000000000000000001',
      wwid: '3600a0b80000000000000000000000001',
      dm: 'dm-0',
      vendorProduct: 'EXAMPLE,ARRAY',
      size: '1.0G',
    });
    expect(m.paths.map((p) => [p.hctl, p.device, p.majMin, p.dmState, p.checkerState, p.onlineState])).toEqual([
      ['1:0:0:1', 'sda', '8:0', 'active', 'ready', 'running'],
      ['0:0:0:1', 'sdb', '8:16', 'active', 'ready', 'running'],
    ]);
    expect(activePaths(m)).toHaveLength(2);
  });

  test('a failed faulty path does not count as active', () => {
    const [m] = parseMultipathLl(fixture('multipath-ll-jovian.txt'));
    expect(m.wwid).toBe('26562313537303732');
    expect(activePaths(m).map((p) => p.device)).toEqual(['sdc']);
  });

  test('user-friendly name form, i/o pending and ghost paths', () => {
    const [m] = parseMultipathLl(fixture('multipath-ll-friendly.txt'));
    expect(m).toMatchObject({ name: 'mpatha', wwid: '36001405d27e5d898829468b90ce4ef8c', dm: 'dm-2' });
    expect(m.paths.map((p) => p.checkerState)).toEqual(['i/o pending', 'ghost']);
  });

  test('empty output (daemon under load) parses to nothing', () => {
    expect(parseMultipathLl('')).toEqual([]);
    expect(parseMultipathLl('\n')).toEqual([]);
  });
});

test('dmsetup status: path flags and length', () => {
  expect(parseDmStatus(fixture('dmsetup-status.txt'))).toEqual({
    sectors: 2097152,
    paths: [
      { majMin: '8:0', active: true },
      { majMin: '8:16', active: false },
    ],
  });
  expect(parseDmStatus('0 2097152 linear 8:0 0\n')).toBeNull();
  expect(parseDmStatus('')).toBeNull();
});

describe('portals', () => {
  test('exact comparison: 10.0.0.2 is not 10.0.0.20', () => {
    expect(samePortal(portal('10.0.0.2'), portal('10.0.0.20'))).toBe(false);
    expect(samePortal(portal('10.0.0.2'), portal('10.0.0.2', 3261))).toBe(false);
    expect(samePortal(parsePortal('[FD00::2]:3260'), portal('fd00::2'))).toBe(true);
    expect(sameTarget('IQN.2025-04.X:vm-1-0', 'iqn.2025-04.x:vm-1-0')).toBe(true);
  });

  test('formats for iscsiadm and udev by-path', () => {
    expect(formatPortal(portal('fd00::2'))).toBe('[fd00::2]:3260');
    expect(formatPortal(parsePortal('127.0.0.2'))).toBe('127.0.0.2:3260');
    expect(byPathName(portal('127.0.0.2'), 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0', 1)).toBe(
      'ip-127.0.0.2:3260-iscsi-iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0-lun-1',
    );
  });

  test('hostnames and bad ports are refused', () => {
    expect(() => portal('storage.example.com')).toThrow(/must be an IP address/);
    expect(() => portal('10.0.0.2', 70000)).toThrow(/out of range/);
  });
});

test('stderr noise from a socket-activated iscsid is not a message', () => {
  expect(meaningfulLines(fixture('session-none.stderr.txt'))).toEqual(['iscsiadm: No active sessions.']);
});
