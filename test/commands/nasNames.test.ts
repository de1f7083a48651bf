// The NAS naming and access-rule checks behind the nas-* and share commands (docs/NAS.md): direct
// dataset names, s_/sh_/sp_ snapshot names and their decoding, export paths, --allow rules, and
// the REST client's reading of the appliance's NAS objects (numbers as strings).
import { describe, expect, test } from '@jest/globals';
import { parseNasSnapshot, parseNasVolume, parseShare } from '../../src/jovian';
import { UsageError } from '../../src/errors';
import {
  checkAccessRule,
  checkAccessRules,
  checkNasVolumeName,
  nasSnapshotPhysical,
  parseExportPath,
  parseNasSnapshotName,
} from '../../src/storage';

describe('NAS volume names are used as given, or refused', () => {
  test.each(['datastore-pve-01', 'a', '0', 'iso.images', 'with_underscore', 'x'.repeat(128)])('%s is valid', (n) =>
    expect(checkNasVolumeName(n)).toBe(n),
  );
  test.each(['', 'Data', '-lead', '.lead', '_lead', 'a/b', 'a b', 'a@b', 'x'.repeat(129), 'ü'])('%j is refused', (n) =>
    expect(() => checkNasVolumeName(n)).toThrow(UsageError),
  );
});

describe('NAS snapshot names', () => {
  test('a simple id is s_<sid>, any other sh_<sanitized>_<B32>', () => {
    expect(nasSnapshotPhysical('Pool-0', 'files', 'daily')).toBe('s_daily');
    // B32("a.b") = MEXGE--- (RFC 4648 with '=' as '-')
    expect(nasSnapshotPhysical('Pool-0', 'files', 'a.b')).toBe('sh_a_b_MEXGE---');
  });

  test('for a Proxmox volume: sp_<san(pv)>_<san(sid)>_<B32(pv)>_<B32(sid)>_<B32(dataset)>, decoded back', () => {
    const p = nasSnapshotPhysical('Pool-0', 'files', 'snap1', 'vm-100-disk-0');
    // B32 values from Python's base64.b32encode
    expect(p).toBe('sp_vm-100-disk-0_snap1_OZWS2MJQGAWWI2LTNMWTA---_ONXGC4BR_MZUWYZLT');
    expect(parseNasSnapshotName(p)).toEqual({ kind: 'proxmox', name: 'snap1', proxmoxVolume: 'vm-100-disk-0', dataset: 'files' });
  });

  test('decoding: s_ and sh_ are user snapshots, anything else foreign', () => {
    expect(parseNasSnapshotName('s_daily')).toEqual({ kind: 'user', name: 'daily', proxmoxVolume: null, dataset: null });
    expect(parseNasSnapshotName('sh_a_b_MEXGE---')).toMatchObject({ kind: 'user', name: 'a.b' });
    expect(parseNasSnapshotName('autosnap_2026')).toMatchObject({ kind: 'foreign', name: 'autosnap_2026' });
    expect(parseNasSnapshotName('sp_x_y_NOTB32_ONXGC4BR_MZUWYZLT')).toMatchObject({ kind: 'foreign' });
  });

  test('bad ids and Proxmox volumes, and names too long for ZFS, are usage errors', () => {
    expect(() => nasSnapshotPhysical('Pool-0', 'files', 'a@b')).toThrow(UsageError);
    expect(() => nasSnapshotPhysical('Pool-0', 'files', 's', 'a\nb')).toThrow(/--proxmox-volume/);
    expect(() => nasSnapshotPhysical('Pool-0', 'files', 'x'.repeat(100), 'y'.repeat(100))).toThrow(/too long/);
  });
});

test('export paths: /Pools/<pool>/<nas-volume> only', () => {
  expect(parseExportPath('/Pools/Pool-1/datastore-pve-01')).toEqual({ pool: 'Pool-1', nasVolume: 'datastore-pve-01' });
  expect(() => parseExportPath('/Pools/Pool-1/a/b')).toThrow(UsageError);
  expect(() => parseExportPath('/mnt/x')).toThrow(UsageError);
});

describe('--allow rules', () => {
  test.each([
    ['10.0.0.5', '10.0.0.5'],
    ['10.0.0.0/24', '10.0.0.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fd00::/64', 'fd00::/64'],
    ['::1', '::1'],
    ['10.0.0.0/08', '10.0.0.0/8'],
  ])('%s is accepted as %s', (rule, out) => expect(checkAccessRule(rule)).toBe(out));
  test.each(['', 'host.example', '10.0.0', '10.0.0.256', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/-1', 'fd00::/64/1'])(
    '%j is refused',
    (rule) => expect(() => checkAccessRule(rule)).toThrow(/--allow: expected an IPv4 or IPv6 address/),
  );
  test('duplicates are given once', () => expect(checkAccessRules(['10.0.0.1', '10.0.0.1', 'fd00::1'])).toEqual(['10.0.0.1', 'fd00::1']));
});

describe('the appliance objects as the REST client reads them', () => {
  test('a NAS volume: numbers from strings, origin split', () => {
    expect(
      parseNasVolume({
        name: 's_daily',
        quota: '1073741824',
        reservation: '0',
        used: '4096',
        available: '1073737728',
        referenced: '4096',
        mountpoint: '/Pools/Pool-0/s_daily',
        creation: '1700000000',
        guid: '42',
        origin: 'Pool-0/files@s_daily',
        is_clone: true,
        readonly: false,
      }),
    ).toEqual({
      name: 's_daily',
      quota: 2 ** 30,
      reservation: 0,
      used: 4096,
      available: 2 ** 30 - 4096,
      referenced: 4096,
      mountpoint: '/Pools/Pool-0/s_daily',
      creation: 1700000000,
      guid: '42',
      origin: { volume: 'files', snapshot: 's_daily' },
      isClone: true,
      readonly: false,
    });
  });

  test('a NAS snapshot: its clones without the pool', () => {
    expect(parseNasSnapshot({ name: 's_a', createtxg: '7', creation: '1700000000', clones: 'Pool-0/s_a,Pool-0/copy' })).toMatchObject({
      name: 's_a',
      createtxg: 7,
      creation: 1700000000,
      clones: ['s_a', 'copy'],
    });
    expect(parseNasSnapshot({ name: 's_b', clones: '' }).clones).toEqual([]);
  });

  test('a share: NFS settings, lists default to empty', () => {
    const s = parseShare({
      name: 'x',
      path: 'Pool-0/x',
      real_path: '/Pools/Pool-0/x',
      active: true,
      nfs: { enabled: true, no_root_squash: true },
    });
    expect(s).toEqual({
      name: 'x',
      path: 'Pool-0/x',
      realPath: '/Pools/Pool-0/x',
      active: true,
      nfs: {
        enabled: true,
        allowAccessIp: [],
        allowWriteIp: [],
        noRootSquash: true,
        allSquash: false,
        insecureConnections: false,
        synchronousDataRecord: true,
        insecureLockRequests: false,
      },
    });
  });
});
