import { readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import {
  findByTarget,
  findByVolume,
  findRecord,
  listRecords,
  otherLunsOnTarget,
  otherStoragesOnTarget,
  readRecord,
  recordPath,
  removeRecord,
  writeRecord,
  type LunRecord,
} from '../../src/host/state/records';
import { tempDir } from '../helpers/tmp';

const T = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
let tmp: ReturnType<typeof tempDir>;
let env: { roots: { sys: string; dev: string; iscsiDb: string[]; records: string; locks: string; proc: string } };

function rec(over: Partial<LunRecord> = {}): LunRecord {
  return {
    version: 1,
    storageId: 'jdss-a',
    pool: 'Pool-0',
    volume: 'vm-100-disk-0',
    snapshot: null,
    target: T,
    lun: 0,
    wwid: '26562313537303732',
    portals: [
      { address: '127.0.0.2', port: 3260 },
      { address: '127.0.0.3', port: 3260 },
    ],
    multipath: true,
    device: '/dev/mapper/26562313537303732',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

beforeEach(() => {
  tmp = tempDir('jdssc-rec-');
  env = { roots: { sys: '', dev: '', iscsiDb: [], records: join(tmp.dir, 'luns'), locks: '', proc: '' } };
});
afterEach(() => tmp.cleanup());

test('records are 0600 JSON files keyed by storage, target and LUN, written atomically', () => {
  const path = writeRecord(env, rec());
  expect(path).toBe(join(env.roots.records, 'jdss-a', T, 'lun-0.json'));
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(join(env.roots.records, 'jdss-a')).mode & 0o777).toBe(0o700);
  expect(readRecord(path)).toEqual(rec());
  writeRecord(env, rec({ device: '/dev/mapper/x' }));
  expect(readdirSync(join(env.roots.records, 'jdss-a', T))).toEqual(['lun-0.json']); // no temp files
  expect(findRecord(env, 'jdss-a', T, 0)?.device).toBe('/dev/mapper/x');
});

test('list, find by volume (+snapshot) and by target', () => {
  writeRecord(env, rec());
  writeRecord(env, rec({ lun: 1, volume: 'vm-100-disk-0', snapshot: 'snap1', wwid: '2aaa' }));
  writeRecord(env, rec({ lun: 2, volume: 'vm-100-disk-1', wwid: '2bbb' }));
  writeRecord(env, rec({ storageId: 'jdss-b', target: 'iqn.2025-04.other:vm-200-0', volume: 'vm-200-disk-0' }));
  expect(listRecords(env)).toHaveLength(4);
  expect(listRecords(env, 'jdss-a')).toHaveLength(3);
  expect(findByVolume(env, 'jdss-a', 'vm-100-disk-0').map((r) => r.lun)).toEqual([0]);
  expect(findByVolume(env, 'jdss-a', 'vm-100-disk-0', 'snap1').map((r) => r.lun)).toEqual([1]);
  expect(
    findByTarget(env, T.toUpperCase())
      .map((r) => r.lun)
      .sort(),
  ).toEqual([0, 1, 2]);
});

test('remove deletes the file and empty directories, and is idempotent', () => {
  writeRecord(env, rec());
  expect(removeRecord(env, rec())).toBe(true);
  expect(removeRecord(env, rec())).toBe(false);
  expect(existsSync(join(env.roots.records, 'jdss-a'))).toBe(false);
});

test('guard: another storage with records on this exact target', () => {
  writeRecord(env, rec({ storageId: 'jdss-b' }));
  writeRecord(env, rec({ storageId: 'jdss-c', target: `${T}0` }));
  expect(otherStoragesOnTarget(env, 'jdss-a', T)).toEqual(['jdss-b']);
  expect(otherStoragesOnTarget(env, 'jdss-b', T)).toEqual([]);
});

test('guard: other LUNs of ours on this target, per portal; unreadable records count', () => {
  writeRecord(env, rec());
  writeRecord(env, rec({ lun: 1, volume: 'vm-100-disk-1', portals: [{ address: '127.0.0.3', port: 3260 }] }));
  expect(otherLunsOnTarget(env, rec()).map((f) => f.record?.lun)).toEqual([1]);
  expect(otherLunsOnTarget(env, rec(), { address: '127.0.0.2', port: 3260 })).toEqual([]);
  expect(otherLunsOnTarget(env, rec(), { address: '127.0.0.3', port: 3260 })).toHaveLength(1);
  expect(otherLunsOnTarget(env, rec({ lun: 1 }), { address: '127.0.0.2', port: 3260 }).map((f) => f.record?.lun)).toEqual([0]);
  const broken = recordPath(env, 'jdss-a', T, 5);
  mkdirSync(join(broken, '..'), { recursive: true });
  writeFileSync(broken, '{"truncated');
  expect(otherLunsOnTarget(env, rec(), { address: '127.0.0.2', port: 3260 }).map((f) => f.path)).toEqual([broken]);
  expect(listRecords(env)).toHaveLength(2);
});

test('names that could escape the records root are refused', () => {
  expect(() => writeRecord(env, rec({ storageId: '../x' }))).toThrow(/invalid storage id/);
  expect(() => writeRecord(env, rec({ target: 'iqn/../../etc' }))).toThrow(/invalid iSCSI target name/);
});
