import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  b32decode,
  b32encode,
  checkSnapshotName,
  checkVolumeName,
  exportClonePhysical,
  isSimple,
  parseSnapshotName,
  snapshotPhysical,
  vmidOf,
  volumeLogical,
  volumePhysical,
  withClusterPrefix,
  withoutClusterPrefix,
} from '../../src/storage/arrayNames';

describe('worked examples of the on-array naming (upstream-compatible)', () => {
  test.each([
    ['vm-100-disk-0', 'OZWS2MJQGAWWI2LTNMWTA---'],
    ['vm-100-disk-0.raw', 'OZWS2MJQGAWWI2LTNMWTALTSMF3Q----'],
    ['a.b', 'MEXGE---'],
  ])('B32(%s) = %s', (text, encoded) => {
    expect(b32encode(text)).toBe(encoded);
    expect(b32decode(encoded)).toBe(text);
  });

  test.each([
    ['vm-100-disk-0', 'v_vm-100-disk-0'],
    ['pveA_vm-100-disk-0', 'v_pveA_vm-100-disk-0'],
    ['vm-100-disk-0.raw', 'vh_vm-100-disk-0_raw_OZWS2MJQGAWWI2LTNMWTALTSMF3Q----'],
    ['my server disk', 'vh_my_server_disk_NV4SA43FOJ3GK4RAMRUXG2Y-'],
    ['vm-100-state-snap1', 'v_vm-100-state-snap1'],
    ['base-100-disk-0', 'v_base-100-disk-0'],
  ])('volume %s ↔ %s', (logical, physical) => {
    expect(volumePhysical(logical)).toBe(physical);
    expect(volumeLogical(physical)).toBe(logical);
  });

  test.each([
    ['snap1', 's_snap1'],
    ['a.b', 'sh_a_b_MEXGE---'],
  ])('snapshot %s ↔ %s', (sid, physical) => {
    expect(snapshotPhysical(sid)).toBe(physical);
    expect(parseSnapshotName(physical)).toEqual({ kind: 'user', name: sid });
  });

  test('export clones', () => {
    expect(exportClonePhysical('snap1', 'vm-100-disk-0')).toBe('se_snap1_OZWS2MJQGAWWI2LTNMWTA---');
    expect(exportClonePhysical('a.b', 'vm-100-disk-0')).toBe('shv_a_b_MEXGE---_OZWS2MJQGAWWI2LTNMWTA---');
    expect(parseSnapshotName('se_snap1_OZWS2MJQGAWWI2LTNMWTA---')).toEqual({ kind: 'export', name: 'snap1', volume: 'vm-100-disk-0' });
    expect(parseSnapshotName('se_a_b_OZWS2MJQGAWWI2LTNMWTA---')).toEqual({ kind: 'export', name: 'a_b', volume: 'vm-100-disk-0' });
    expect(parseSnapshotName('shv_a_b_MEXGE---_OZWS2MJQGAWWI2LTNMWTA---')).toEqual({
      kind: 'export',
      name: 'a.b',
      volume: 'vm-100-disk-0',
    });
    // with a cluster prefix the logical volume (prefix included) is what is encoded
    expect(exportClonePhysical('snap1', 'pveA_vm-100-disk-0')).toBe(`se_snap1_${b32encode('pveA_vm-100-disk-0')}`);
  });

  test('intermediate clone snapshots are named like the clone volume', () => {
    expect(parseSnapshotName('v_vm-101-disk-0')).toEqual({ kind: 'clone-source', name: 'vm-101-disk-0' });
  });

  test('legacy names decode', () => {
    expect(volumeLogical(`vb_${b32encode('old disk')}`)).toBe('old disk');
    expect(parseSnapshotName(`sb_${b32encode('x.y')}_${b32encode('vm-1-disk-0')}`)).toEqual({
      kind: 'user',
      name: 'x.y',
      volume: 'vm-1-disk-0',
    });
    expect(parseSnapshotName('autosnap_daily_1')).toEqual({ kind: 'user', name: 'daily_1' });
    expect(volumeLogical('t_vm-1-disk-0_abc')).toBeUndefined();
    expect(parseSnapshotName('made-by-someone-else')).toEqual({ kind: 'foreign', name: 'made-by-someone-else' });
  });

  test('upstream scenario names test1, test_-2- and test$@3# round-trip', () => {
    expect(volumePhysical('test1')).toBe('v_test1');
    expect(volumePhysical('test_-2-')).toBe('v_test_-2-');
    expect(volumePhysical('test$@3#')).toBe(`vh_test__3__${b32encode('test$@3#')}`);
    for (const n of ['test1', 'test_-2-', 'test$@3#']) expect(volumeLogical(volumePhysical(n))).toBe(n);
  });

  test("Unicode letters count as simple, like Python's \\w", () => {
    expect(isSimple('dysk-żółty')).toBe(true);
    expect(volumePhysical('dysk-żółty')).toBe('v_dysk-żółty');
    expect(isSimple('a b')).toBe(false);
  });
});

describe('round trips (property)', () => {
  const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\u0000'));

  test('volumes', () => {
    fc.assert(fc.property(name, (n) => volumeLogical(volumePhysical(n)) === n));
  });

  test('snapshots and export clones', () => {
    fc.assert(
      fc.property(name, name, (sid, vol) => {
        const user = parseSnapshotName(snapshotPhysical(sid));
        const exp = parseSnapshotName(exportClonePhysical(sid, vol));
        // `se_` keeps the raw sid, so a simple sid containing '_' still round-trips
        return user.kind === 'user' && user.name === sid && exp.kind === 'export' && exp.name === sid && exp.volume === vol;
      }),
    );
  });

  test('physical names only use ZFS-safe characters for non-simple input', () => {
    fc.assert(
      fc.property(
        name.filter((n) => !isSimple(n)),
        (n) => /^vh_[A-Za-z0-9_-]+$/.test(volumePhysical(n)),
      ),
    );
  });

  test("B32 matches Python's base64.b32encode (the encoder upstream uses)", () => {
    const samples = fc.sample(name, 50);
    const py = execFileSync(
      'python3',
      ['-c', 'import base64,json,sys\nfor s in json.load(sys.stdin): print(base64.b32encode(s.encode()).decode().replace("=","-"))'],
      { input: JSON.stringify(samples), encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(samples.map(b32encode)).toEqual(py);
  });
});

describe('input checks', () => {
  test.each(['', ' vm-1', 'a/b', 'bad\nname'])('volume name %p is refused', (n) => {
    expect(() => checkVolumeName(n, 'Pool-0')).toThrow(/not valid/);
  });

  test('overlong names are refused', () => {
    expect(() => checkVolumeName('x.'.repeat(100), 'Pool-0')).toThrow(/too long/);
  });

  test.each(['', 'a@b', 'a/b', 'x'.repeat(121)])('snapshot name %p is refused', (n) => {
    expect(() => checkSnapshotName(n)).toThrow(/not valid/);
  });

  test('cluster prefix and VM ids', () => {
    expect(withClusterPrefix('vm-100-disk-0', 'pveA')).toBe('pveA_vm-100-disk-0');
    expect(withoutClusterPrefix('pveA_vm-100-disk-0', 'pveA')).toBe('vm-100-disk-0');
    expect(withoutClusterPrefix('pveB_vm-100-disk-0', 'pveA')).toBeUndefined();
    expect(withoutClusterPrefix('vm-1-disk-0', undefined)).toBe('vm-1-disk-0');
    expect(vmidOf('vm-100-disk-0')).toBe(100);
    expect(vmidOf('base-7-disk-1')).toBe(7);
    expect(vmidOf('test1')).toBeUndefined();
  });
});
