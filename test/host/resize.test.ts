// Resize rescan: every path, the map and the block layer report the new size.
import { afterEach, expect, test } from '@jest/globals';
import { activate } from '../../src/host/lifecycle/activate';
import { findRecord, type LunRecord } from '../../src/host/state/records';
import { resizeRescan } from '../../src/host/lifecycle/resize';
import { FakeHost, GiB, IQN, WWID0 } from './fakes/harness';
import { cmdlines, req } from './flowHelpers';

let h: FakeHost;
afterEach(() => {
  const violations = h.violations(); // no forbidden invocation in any flow
  h.cleanup();
  expect(violations).toEqual([]);
});

function grow(host: FakeHost, bytes: number): void {
  host.array((t) => {
    t[IQN].luns[0].sizeBytes = bytes;
  });
}

test('after the array grew the LUN: paths rescanned, map resized, sizes verified', async () => {
  h = FakeHost.standard();
  const env = h.env();
  await activate(env, req());
  grow(h, 3 * GiB);
  const r = await resizeRescan(env, findRecord(env, 'jdss', IQN, 0) as LunRecord, 3 * GiB);
  expect(r.sizeBytes).toBe(3 * GiB);
  expect(r.paths.map((p) => p.sizeBytes)).toEqual([3 * GiB, 3 * GiB]);
  expect(r.map?.sizeBytes).toBe(3 * GiB);
  expect(cmdlines(h)).toContain(`multipathd resize map ${WWID0}`);
  expect(cmdlines(h).some((c) => c.startsWith('blockdev --getsize64') && c.endsWith(`mapper/${WWID0}`))).toBe(true);
  expect(h.violations()).toEqual([]);
});

test('single path: the disk alone is rescanned', async () => {
  h = FakeHost.standard();
  const env = h.env();
  await activate(env, req({ multipath: false }));
  grow(h, 2 * GiB);
  const r = await resizeRescan(env, findRecord(env, 'jdss', IQN, 0) as LunRecord, 2 * GiB);
  expect(r).toMatchObject({ sizeBytes: 2 * GiB, map: null });
  expect(h.calls('multipathd')).toEqual([]);
});

test('a size that never shows up fails at the deadline, naming what each layer reports', async () => {
  h = FakeHost.standard();
  const env = h.env();
  await activate(env, req());
  await expect(resizeRescan(env, findRecord(env, 'jdss', IQN, 0) as LunRecord, 4 * GiB)).rejects.toThrow(
    /LUN 0 of .* did not report 4294967296 size within 60 s: sd[a-z]+=1073741824, sd[a-z]+=1073741824, dm-0=1073741824/,
  );
});
