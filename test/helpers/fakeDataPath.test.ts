// The fake data path of the simulator tiers: one host as before (its sessions carry
// FAKE_INITIATOR), or several hosts that all see the array and whose sessions the appliance
// reports each under its own initiator (test/pve/09-two-nodes.t relies on both).
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { initialState, loadState, saveState, withState } from '../host/fakes/lib/state.mjs';
import { FAKE_INITIATOR, fakeDataPath } from './fakeDataPath.mjs';
import { tempDir } from './tmp';

const TARGET = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
const settings = { active: true, incomingUsersActive: false, assignedVipAddresses: ['127.0.0.2'] };
const lun = {
  lun: 0,
  volume: 'v_vm-100-disk-0',
  devicePath: '',
  scsiId: 'abcdefgh12345678',
  sizeBytes: 2 ** 30,
  readonly: false,
  mode: 'wt',
};

function hostState(dir: string, name: string): string {
  const statePath = join(dir, `${name}.json`);
  saveState(statePath, initialState(join(dir, name)));
  return statePath;
}

function loggedIn(statePath: string, sid: number): void {
  withState(statePath, (s) => {
    s.sessions.push({ sid, target: TARGET, address: '127.0.0.2', port: 3260 });
  });
}

describe('fakeDataPath', () => {
  const tmp = tempDir('jdssc-fakedp-');
  afterAll(() => tmp.cleanup());

  test('one state path: that host sees the array and its sessions carry FAKE_INITIATOR', async () => {
    const a = hostState(tmp.dir, 'single');
    const dp = fakeDataPath(a);
    await dp.onTargetCreated('Pool-0', TARGET, settings);
    await dp.onLunAttached('Pool-0', TARGET, lun);
    expect(loadState(a).array.targets[TARGET]).toEqual({
      portals: ['127.0.0.2:3260'],
      chap: null,
      luns: { 0: { wwid: `2${Buffer.from('abcdefgh').toString('hex')}`, sizeBytes: 2 ** 30 } },
    });
    loggedIn(a, 1);
    expect(await dp.listSessions('Pool-0', TARGET)).toEqual([
      { target_name: TARGET, cid: '0', ip: '127.0.0.1', sid: '1', initiator_name: FAKE_INITIATOR },
    ]);
  });

  test('several hosts: every one sees each change of the array; sessions are reported per host', async () => {
    const a = hostState(tmp.dir, 'a');
    const b = hostState(tmp.dir, 'b');
    const dp = fakeDataPath([
      { statePath: a, initiator: 'iqn.test:node-a' },
      { statePath: b, initiator: 'iqn.test:node-b', address: '127.0.0.9' },
    ]);
    await dp.onTargetCreated('Pool-0', TARGET, settings);
    await dp.onLunAttached('Pool-0', TARGET, lun);
    for (const p of [a, b]) expect(Object.keys(loadState(p).array.targets[TARGET].luns)).toEqual(['0']);
    loggedIn(b, 7);
    expect(await dp.listSessions('Pool-0', TARGET)).toEqual([
      { target_name: TARGET, cid: '0', ip: '127.0.0.9', sid: '7', initiator_name: 'iqn.test:node-b' },
    ]);
    loggedIn(a, 1);
    expect((await dp.listSessions('Pool-0', TARGET))!.map((s) => s.initiator_name)).toEqual(['iqn.test:node-a', 'iqn.test:node-b']);
    await dp.onLunDetached('Pool-0', TARGET, 0);
    for (const p of [a, b]) expect(loadState(p).array.targets[TARGET].luns).toEqual({});
    await dp.onTargetDeleted('Pool-0', TARGET);
    for (const p of [a, b]) expect(loadState(p).array.targets[TARGET]).toBeUndefined();
  });

  test('two hosts under one initiator name are refused: the guard could not tell them apart', () => {
    const a = hostState(tmp.dir, 'x');
    const b = hostState(tmp.dir, 'y');
    expect(() =>
      fakeDataPath([
        { statePath: a, initiator: 'iqn.test:same' },
        { statePath: b, initiator: 'IQN.test:same' },
      ]),
    ).toThrow(/given twice/);
  });
});
