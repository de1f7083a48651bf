import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { volumeByName } from '../../src/simulator/model/model';
import type { RollbackCheck, RollbackResult } from '../../src/storage';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());
beforeEach(() => env.sim.requests.reset());

const arraySnapshots = (vol: string) => [...volumeByName(env.sim.state.pool('Pool-0')!, vol)!.snapshots.keys()];

/** Snapshots one simulated second apart, or all in the same second with `sameSecond`. */
async function snapshotsAt(volume: string, names: string[], sameSecond = false) {
  const t0 = Date.now();
  for (const [i, n] of names.entries()) {
    env.sim.clock.adjust({ freezeAt: sameSecond ? t0 : t0 + i * 1000 });
    await env.okJson(['snapshot', 'create', volume, n]);
  }
  env.sim.clock.adjust({ freezeAt: null });
}

describe('snapshot create / list / delete', () => {
  beforeAll(async () => {
    await env.okJson(['volume', 'create', 'vm-200-disk-0', '--size', '8M']);
  });

  test('create, then a second create of the same name is exit 4 (or success with --if-not-exists)', async () => {
    expect(await env.okJson(['snapshot', 'create', 'vm-200-disk-0', 'first'])).toEqual({
      volume: 'vm-200-disk-0',
      snapshot: 'first',
      created: true,
    });
    const again = await env.run(['snapshot', 'create', 'vm-200-disk-0', 'first', '--json']);
    expect(again.code).toBe(4);
    expect(again.json.error.code).toBe('exists');
    expect(await env.okJson(['snapshot', 'create', 'vm-200-disk-0', 'first', '--if-not-exists'])).toMatchObject({ created: false });
  });

  test('a snapshot of a missing volume is exit 3; a bad snapshot name is exit 2 with nothing sent', async () => {
    expect((await env.run(['snapshot', 'create', 'vm-404-disk-0', 's'])).code).toBe(3);
    env.sim.requests.reset();
    expect((await env.run(['snapshot', 'create', 'vm-200-disk-0', 'a@b'])).code).toBe(2);
    expect(env.sim.requests.count({})).toBe(0);
  });

  test('list shows user snapshots with guid and creation, oldest first; --size adds the size', async () => {
    await env.okJson(['snapshot', 'create', 'vm-200-disk-0', 'second.one']);
    const l = await env.okJson(['snapshot', 'list', 'vm-200-disk-0']);
    expect(l.snapshots.map((s: { name: string }) => s.name)).toEqual(['first', 'second.one']);
    expect(l.snapshots[0]).toEqual({ name: 'first', guid: expect.stringMatching(/^\d+$/), creation: expect.any(Number), size: null });
    expect(Math.abs(l.snapshots[0].creation! - Date.now() / 1000)).toBeLessThan(60);
    const sized = await env.okJson(['snapshot', 'list', 'vm-200-disk-0', '--size']);
    expect(sized.snapshots.every((s: { size: number | null }) => s.size === 8 * 2 ** 20)).toBe(true);
  });

  test('list of a missing volume is exit 3', async () => {
    expect((await env.run(['snapshot', 'list', 'vm-404-disk-0'])).code).toBe(3);
  });

  test('delete: missing is exit 3, or success with --if-exists', async () => {
    expect((await env.run(['snapshot', 'delete', 'vm-200-disk-0', 'nope'])).code).toBe(3);
    expect(await env.okJson(['snapshot', 'delete', 'vm-200-disk-0', 'nope', '--if-exists'])).toMatchObject({ deleted: false });
    expect(await env.okJson(['snapshot', 'delete', 'vm-200-disk-0', 'second.one'])).toMatchObject({ deleted: true, exportClones: [] });
    expect(arraySnapshots('v_vm-200-disk-0')).toEqual(['s_first']);
  });

  test('delete removes the export clone of a published snapshot first', async () => {
    const exportName = 'se_first_OZWS2MRQGAWWI2LTNMWTA---';
    expect(
      (await env.rest('POST', '/volumes/v_vm-200-disk-0/clone', { name: exportName, snapshot: 's_first', sparse: true, readonly: true }))
        .status,
    ).toBeLessThan(300);
    const r = await env.okJson(['snapshot', 'delete', 'vm-200-disk-0', 'first']);
    expect(r.exportClones).toEqual(['export of snapshot first of vm-200-disk-0']);
    expect((await env.rest('GET', `/volumes/${exportName}`)).status).toBe(500);
    expect(arraySnapshots('v_vm-200-disk-0')).toEqual([]);
  });
});

describe('rollback (upstream scenarios rollback-001..003 and the same-second data loss)', () => {
  test('to the latest snapshot: possible, and done', async () => {
    await env.okJson(['volume', 'create', 'vm-210-disk-0', '--size', '8M']);
    await snapshotsAt('vm-210-disk-0', ['snap1']);
    env.sim.requests.reset();
    expect(await env.okJson(['snapshot', 'rollback', 'vm-210-disk-0', 'snap1', '--check'])).toEqual({
      volume: 'vm-210-disk-0',
      snapshot: 'snap1',
      possible: true,
      blockers: { snapshots: [], clones: [] },
    });
    // the only snapshot: nothing to order it against, so no GET of its createtxg (listing + the appliance's count)
    expect(env.sim.requests.count({})).toBe(2);
    env.sim.requests.reset();
    expect(await env.okJson(['snapshot', 'rollback', 'vm-210-disk-0', 'snap1'])).toEqual({
      volume: 'vm-210-disk-0',
      snapshot: 'snap1',
      destroyed: [],
    });
    // the same two reads, the rollback, and the listing read back for `destroyed`
    expect(env.sim.requests.count({})).toBe(4);
  });

  test('one newer snapshot blocks and is named (check exits 0, rollback exits 5, nothing changes)', async () => {
    await snapshotsAt('vm-210-disk-0', ['snap2']);
    const check = await env.okJson(['snapshot', 'rollback', 'vm-210-disk-0', 'snap1', '--check']);
    expect(check).toMatchObject({ possible: false, blockers: { snapshots: ['snap2'], clones: [] } });
    env.sim.requests.reset();
    const r = await env.run(['snapshot', 'rollback', 'vm-210-disk-0', 'snap1', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'blocked', details: { snapshots: ['snap2'] } });
    expect(r.stderr).toMatch(/would destroy newer snapshots: snap2/);
    expect(env.mutations()).toBe(0);
  });

  test('two newer snapshots are both named; --destroy-newer destroys exactly them', async () => {
    await snapshotsAt('vm-210-disk-0', ['snap3']);
    const r = await env.run(['snapshot', 'rollback', 'vm-210-disk-0', 'snap1', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.details.snapshots).toEqual(['snap2', 'snap3']);
    const done = await env.okJson<RollbackResult>(['snapshot', 'rollback', 'vm-210-disk-0', 'snap1', '--destroy-newer']);
    expect(done.destroyed).toEqual(['snap2', 'snap3']);
    expect(arraySnapshots('v_vm-210-disk-0')).toEqual(['s_snap1']);
  });

  test('a snapshot taken in the same second as the target blocks, though the appliance counts 0', async () => {
    await env.okJson(['volume', 'create', 'vm-220-disk-0', '--size', '8M']);
    await snapshotsAt('vm-220-disk-0', ['target', 'same-second'], true);
    const counts = await env.rest('GET', '/volumes/v_vm-220-disk-0/snapshots/s_target/rollback');
    expect(counts.json.data).toEqual({ snapshots: 0, clones: 0 }); // the appliance's bug, reproduced
    const check = await env.okJson(['snapshot', 'rollback', 'vm-220-disk-0', 'target', '--check']);
    expect(check).toMatchObject({ possible: false, blockers: { snapshots: ['same-second'] } });
    expect((await env.run(['snapshot', 'rollback', 'vm-220-disk-0', 'target'])).code).toBe(5);
    expect(arraySnapshots('v_vm-220-disk-0')).toEqual(['s_target', 's_same-second']);
  });

  test('clones of newer snapshots always block, even with --destroy-newer', async () => {
    await env.okJson(['volume', 'create', 'vm-230-disk-0', '--size', '8M']);
    await snapshotsAt('vm-230-disk-0', ['old', 'new']);
    await env.okJson(['volume', 'clone', 'vm-230-disk-0', 'vm-231-disk-0', '--snapshot', 'new']);
    const check = await env.okJson<RollbackCheck>(['snapshot', 'rollback', 'vm-230-disk-0', 'old', '--check']);
    expect(check.blockers).toEqual({ snapshots: ['new'], clones: ['vm-231-disk-0'] });
    const r = await env.run(['snapshot', 'rollback', 'vm-230-disk-0', 'old', '--destroy-newer', '--json']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/blocked by clones of newer snapshots: vm-231-disk-0/);
    expect(arraySnapshots('v_vm-230-disk-0')).toEqual(['s_old', 's_new']);
  });

  test('a stale listing cannot hide a newer snapshot: the appliance count is unioned in', async () => {
    await env.okJson(['volume', 'create', 'vm-240-disk-0', '--size', '8M']);
    await snapshotsAt('vm-240-disk-0', ['a', 'b']);
    await env.sim.faults.add({ kind: 'staleList', count: 1, match: { path: 'snapshots$' } });
    const check = await env.okJson<RollbackCheck>(['snapshot', 'rollback', 'vm-240-disk-0', 'a', '--check']);
    expect(check.possible).toBe(false);
  });

  test('--destroy-newer past a stale listing reports the unlisted snapshot it destroyed too', async () => {
    await env.sim.faults.add({ kind: 'staleList', count: 1, match: { path: 'snapshots$' } });
    const r = await env.okJson<RollbackResult>(['snapshot', 'rollback', 'vm-240-disk-0', 'a', '--destroy-newer']);
    expect(r.destroyed).toEqual(['(unlisted snapshot)']);
    expect(arraySnapshots('v_vm-240-disk-0')).toEqual(['s_a']);
  });

  test('same second: rolling back to the newer snapshot b is not blocked by the older a or its clone (createtxg orders them)', async () => {
    await env.okJson(['volume', 'create', 'vm-250-disk-0', '--size', '8M']);
    await snapshotsAt('vm-250-disk-0', ['a', 'b'], true);
    await env.okJson(['volume', 'clone', 'vm-250-disk-0', 'vm-251-disk-0', '--snapshot', 'a']);
    const counts = await env.rest('GET', '/volumes/v_vm-250-disk-0/snapshots/s_b/rollback');
    expect(counts.json.data).toEqual({ snapshots: 0, clones: 0 });
    const check = await env.okJson(['snapshot', 'rollback', 'vm-250-disk-0', 'b', '--check']);
    expect(check).toMatchObject({ possible: true, blockers: { snapshots: [], clones: [] } });
    expect(await env.okJson(['snapshot', 'rollback', 'vm-250-disk-0', 'b'])).toMatchObject({ destroyed: [] });
    expect(arraySnapshots('v_vm-250-disk-0')).toEqual(['s_a', 's_b']);
    // and the other way round, a (older by createtxg) still sees b and b's clone as newer
    await env.okJson(['volume', 'clone', 'vm-250-disk-0', 'vm-252-disk-0', '--snapshot', 'b']);
    const back = await env.okJson(['snapshot', 'rollback', 'vm-250-disk-0', 'a', '--check']);
    expect(back).toMatchObject({ possible: false, blockers: { snapshots: ['b'], clones: ['vm-252-disk-0'] } });
  });

  test('rollback to a missing snapshot is exit 3', async () => {
    expect((await env.run(['snapshot', 'rollback', 'vm-240-disk-0', 'zzz', '--check'])).code).toBe(3);
  });
});
