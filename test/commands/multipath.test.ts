// The multipath commands (status, add, remove): parse only, usage errors and human output through
// the seam, and `add` / `remove` end to end on the fake host (fake multipath tools and kernel
// maps): each acts on exactly one WWID's map, remove refuses while the map is open, and a bad
// WWID is a usage error before any host tool runs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import multipathAdd from '../../src/commands/multipath/add';
import multipathRemove from '../../src/commands/multipath/remove';
import multipathStatus from '../../src/commands/multipath/status';
import type { MapState } from '../../src/host';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { commandTier, type BadCase, type HumanCase, type ParseCase } from './seam';

const WWID = '26562313537303732';

const PARSE: ParseCase[] = [
  // digits only, still a string: a number would lose the WWID's last digits
  { argv: ['multipath', 'status', WWID], def: multipathStatus, args: { wwid: WWID } },
  { argv: ['multipath', 'add', WWID], def: multipathAdd, args: { wwid: WWID } },
  { argv: ['multipath', 'remove', '2ABCDEF0123456789'], def: multipathRemove, args: { wwid: '2ABCDEF0123456789' } },
];

const BAD: BadCase[] = [
  { argv: ['multipath', 'status', WWID, '--all'], def: multipathStatus, message: /Unknown argument: all/ },
  { argv: ['multipath', 'add'], def: multipathAdd, message: /Not enough non-option arguments: got 0, need at least 1/ },
  { argv: ['multipath', 'remove', WWID, '26562313537303733'], def: multipathRemove, message: /Unknown argument: 26562313537303733/ },
  { argv: ['multipath', 'flush'], message: /Unknown argument: flush/ },
];

const mapped: MapState & { wwid: string } = {
  wwid: WWID,
  dm: 'dm-0',
  linked: true,
  activePaths: 1,
  totalPaths: 2,
  source: 'multipath',
  sizeBytes: 2 ** 30,
};

const HUMAN: HumanCase[] = [
  {
    name: 'status: map, paths, size, where the path states came from',
    def: multipathStatus,
    result: mapped,
    lines: [`wwid    ${WWID}`, 'map     dm-0', 'paths   1 active of 2', 'size    1.0 GiB (1073741824 bytes)', 'source  multipath'],
    bold: ['wwid', 'map', 'paths', 'size', 'source'],
  },
  {
    name: 'status: no map',
    def: multipathStatus,
    result: { ...mapped, dm: null, linked: false, activePaths: 0, totalPaths: 0, source: 'none', sizeBytes: null },
    lines: [`wwid    ${WWID}`, 'map     none', 'paths   0 active of 0', 'size    -', 'source  none'],
    bold: ['wwid', 'map', 'paths', 'size', 'source'],
  },
  {
    name: 'add: created',
    def: multipathAdd,
    result: { wwid: WWID, dm: 'dm-3', created: true },
    lines: [`${WWID}: dm-3 (created)`],
    bold: [],
  },
  {
    name: 'add: already there',
    def: multipathAdd,
    result: { wwid: WWID, dm: 'dm-3', created: false },
    lines: [`${WWID}: dm-3 (already there)`],
    bold: [],
  },
  { name: 'remove', def: multipathRemove, result: { wwid: WWID, map: 'removed' }, lines: [`${WWID}: removed`], bold: [] },
];

commandTier('multipath', { parse: PARSE, bad: BAD, human: HUMAN });

describe('multipath add / remove on the fake host', () => {
  interface FakeMap {
    dm: string;
    paths: string[];
    open: number;
  }
  interface Call {
    tool: string;
    argv: string[];
  }
  let env: CliEnv;
  let a: string; // the WWID these tests act on
  let b: string; // another active volume's WWID, which must never be touched
  const maps = (): Record<string, FakeMap> => env.host!.state().maps;
  const calls = (): Call[] => env.host!.state().calls;
  const quick = { overrides: { hostTuning: { unusedWaitMs: 300 } } };

  beforeAll(async () => {
    env = await cliEnv({ fakeHost: true, configExtra: 'multipath: true' });
    for (const v of ['vm-300-disk-0', 'vm-301-disk-0']) expect((await env.run(['volume', 'create', v, '--size', '1G'])).code).toBe(0);
    a = (await env.okJson(['login', 'activate', 'vm-300-disk-0'])).wwid;
    b = (await env.okJson(['login', 'activate', 'vm-301-disk-0'])).wwid;
  });
  afterAll(async () => env.close());

  test('add keeps an existing map as it is', async () => {
    const before = maps();
    expect(Object.keys(before).sort()).toEqual([a, b].sort());
    expect(await env.okJson(['multipath', 'add', a])).toEqual({ wwid: a, dm: before[a].dm, created: false });
    expect(maps()).toEqual(before);
  });

  test('remove refuses with exit 5 while the map is open, and flushes nothing', async () => {
    env.host!.update((s) => {
      s.faults.mapOpen = { [a]: 1 };
    });
    const seen = calls().length;
    const r = await env.run(['multipath', 'remove', a, '--json'], quick);
    env.host!.update((s) => {
      s.faults.mapOpen = {};
    });
    expect(r.code).toBe(5);
    expect(r.json.error).toMatchObject({ code: 'busy', details: { wwid: a, open: 1 } });
    expect(r.stderr).toMatch(new RegExp(`^error: multipath map ${a} \\(dm-\\d+\\) is still in use .*; not tearing it down\\n$`));
    expect(Object.keys(maps()).sort()).toEqual([a, b].sort());
    const removals = calls()
      .slice(seen)
      .filter((c) => c.argv.includes('-f') || c.argv.join(' ').startsWith('del map') || c.argv[0] === 'remove');
    expect(removals).toEqual([]);
  });

  test("remove flushes that WWID's map only; the paths and the other map stay", async () => {
    const before = maps();
    const disks = Object.keys(env.host!.state().disks).sort();
    const seen = calls().length;
    expect(await env.okJson(['multipath', 'remove', a])).toEqual({ wwid: a, map: 'removed' });
    expect(Object.keys(maps())).toEqual([b]);
    expect(maps()[b]).toEqual(before[b]);
    expect(existsSync(join(env.host!.root, 'dev/mapper', a))).toBe(false);
    expect(existsSync(join(env.host!.root, 'dev/mapper', b))).toBe(true);
    expect(Object.keys(env.host!.state().disks).sort()).toEqual(disks);
    const mine = calls().slice(seen);
    expect(mine.some((c) => c.tool === 'multipath' && c.argv.join(' ') === `-f ${a}`)).toBe(true);
    expect(mine.filter((c) => c.argv.includes(b))).toEqual([]);
    // a second remove finds nothing to do
    expect(await env.okJson(['multipath', 'remove', a])).toEqual({ wwid: a, map: 'absent' });
  });

  test('add builds the map of exactly that WWID from its paths', async () => {
    const before = maps();
    const seen = calls().length;
    const r = await env.okJson(['multipath', 'add', a.toUpperCase()]);
    expect(r).toEqual({ wwid: a, dm: expect.stringMatching(/^dm-\d+$/), created: true });
    const after = maps();
    expect(Object.keys(after).sort()).toEqual([a, b].sort());
    expect(after[a]).toMatchObject({ dm: r.dm, open: 0 });
    expect(after[a].paths).toHaveLength(2);
    expect(after[b]).toEqual(before[b]);
    expect(existsSync(join(env.host!.root, 'dev/mapper', a))).toBe(true);
    const mine = calls().slice(seen);
    expect(mine.some((c) => c.tool === 'multipath' && c.argv.join(' ') === `-a ${a}`)).toBe(true);
    expect(mine.filter((c) => c.argv.includes(b))).toEqual([]);
  });

  test.each([
    ['add', 'not-a-wwid'],
    ['remove', '1234'],
    ['remove', `${WWID}g`],
  ])('multipath %s %s: exit 2, one line, no host tool run', async (verb, wwid) => {
    const seen = calls().length;
    const r = await env.run(['multipath', verb, wwid]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: expected a WWID (hex digits, e.g. 26562313537303732), got "${wwid}"\n`);
    expect(calls().length).toBe(seen);
  });

  test('no host-wide form of any tool was used', () => {
    expect(env.host!.state().violations).toEqual([]);
  });
});
