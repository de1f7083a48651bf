// The one-process forms of the volume commands through their seam: `create --vmid`, `clone
// --vmid`, `rename --unpublish [--vmid --base]`, `resize --rescan` — argv → the args `run`
// receives, bad argv refused before anything runs, and the lines they add to the human output.
import { describe, expect, test } from '@jest/globals';
import volumeClone from '../../src/commands/volume/clone';
import volumeCreate from '../../src/commands/volume/create';
import volumeRename from '../../src/commands/volume/rename';
import volumeResize from '../../src/commands/volume/resize';
import { expectHuman, expectUsageError, parse } from './seam';

describe('parse', () => {
  test.each([
    [['volume', 'create', '--vmid', '100', '--size', '1G'], volumeCreate, { vmid: '100', size: '1G' }],
    [['volume', 'create', '--vmid', '100', '--base', '--size', '1G'], volumeCreate, { vmid: '100', base: true, size: '1G' }],
    [['volume', 'clone', 'base-100-disk-0', '--vmid', '101'], volumeClone, { source: 'base-100-disk-0', vmid: '101' }],
    [
      ['volume', 'rename', 'vm-100-disk-0', 'base-100-disk-0', '--vmid', '100', '--base', '--unpublish'],
      volumeRename,
      { name: 'vm-100-disk-0', 'new-name': 'base-100-disk-0', vmid: '100', base: true, unpublish: true },
    ],
    [
      ['volume', 'rename', 'vm-100-disk-0', '--vmid', '102', '--unpublish'],
      volumeRename,
      { name: 'vm-100-disk-0', vmid: '102', unpublish: true },
    ],
    [['volume', 'resize', 'vm-100-disk-0', '--size', '2G', '--rescan'], volumeResize, { name: 'vm-100-disk-0', size: '2G', rescan: true }],
  ])('jdssc %j', async (argv, def, args) => {
    const p = await parse(argv);
    expect(p.def).toBe(def);
    expect(p.args).toMatchObject(args);
    if (!('name' in args) && def !== volumeRename) expect(p.args.name).toBeUndefined();
  });

  test('rename without a new name and without --vmid: refused at parse time', async () => {
    await expectUsageError(['volume', 'rename', 'vm-100-disk-0', '--unpublish'], /need at least 2 \(the new name\), or --vmid/);
  });

  test('create without a name: the option rules are checked by run before any request', async () => {
    // (the seam's parse does not run `run`; the CLI tier checks exit 2 and nothing sent)
    const p = await parse(['volume', 'create', '--size', '1G']);
    expect(p.args.name).toBeUndefined();
    expect(p.args.vmid).toBeUndefined();
  });
});

describe('human output', () => {
  const renamed = { name: 'base-100-disk-0', previousName: 'vm-100-disk-0', scsiId: '9e697f6e11336500', alreadyRenamed: false };
  test('rename --unpublish says it unpublished first', () =>
    expectHuman(
      volumeRename,
      { ...renamed, unpublished: true },
      ['renamed vm-100-disk-0 to base-100-disk-0', '  unpublished on the array first'],
      [],
    ));
  test('rename --unpublish of a volume that was not published: no extra line', () =>
    expectHuman(volumeRename, { ...renamed, unpublished: false }, ['renamed vm-100-disk-0 to base-100-disk-0'], []));
  const grown = { name: 'vm-100-disk-0', previousSize: 2 ** 30, size: 2 * 2 ** 30 };
  test('resize --rescan of an active volume: the device and the size it shows', () =>
    expectHuman(
      volumeResize,
      { ...grown, rescanned: { device: '/dev/mapper/2abc', size: 2 * 2 ** 30 } },
      ['vm-100-disk-0: 1.0 GiB → 2.0 GiB (2147483648 bytes)', '/dev/mapper/2abc: 2.0 GiB (2147483648 bytes)'],
      [],
    ));
  test('resize --rescan of a volume not active here: the resize line only', () =>
    expectHuman(volumeResize, { ...grown, rescanned: null }, ['vm-100-disk-0: 1.0 GiB → 2.0 GiB (2147483648 bytes)'], []));
});
