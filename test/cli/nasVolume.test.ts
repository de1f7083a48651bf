// nas-volume and share commands through the real CLI against the simulator: results, exit codes,
// files on the simulator's disk, and bad input that never reaches the array (request log empty).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { NasDeleteResult, NasResizeResult, NasVolumeView, ShareDeleteResult, ShareView } from '../../src/storage';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { call } from '../simulator/client';

const GiB = 2 ** 30;
let env: CliEnv;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jdssc-nas-cli-'));
  env = await cliEnv({ nasDataDir: dataDir });
});
afterAll(async () => {
  await env.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => env.sim.requests.reset());

const nasVolume = (args: string[]) => env.okJson<NasVolumeView>(['nas-volume', ...args]);
const share = (args: string[]) => env.okJson<ShareView>(['share', ...args]);
/** A share as the appliance holds it (shares are global: no pool in the path). */
const shareOnArray = (name: string) => call(env.sim, 'GET', `/api/v4/shares/${name}`, { auth: ['admin', env.password] });

describe('nas-volume create / get / list / resize', () => {
  test('create with quota and reservation: the object read back, its export path, its directory on the array', async () => {
    const v = await nasVolume(['create', 'datastore-pve-01', '--quota', '10G', '--reservation', '1G']);
    expect(v).toEqual({
      name: 'datastore-pve-01',
      pool: 'Pool-0',
      quota: 10 * GiB,
      reservation: GiB,
      used: 0,
      available: 10 * GiB,
      referenced: 0,
      exportPath: '/Pools/Pool-0/datastore-pve-01',
      creation: expect.any(Number),
      origin: null,
      readonly: false,
    });
    expect(env.sim.nasPaths('Pool-0', 'datastore-pve-01')).toBe(join(dataDir, 'nas', 'Pool-0', 'datastore-pve-01'));
    expect(await nasVolume(['get', 'datastore-pve-01'])).toEqual(v);
  });

  test('get reports the files written into it as used; human output names the export', async () => {
    writeFileSync(join(env.sim.nasPaths('Pool-0', 'datastore-pve-01')!, 'iso.img'), Buffer.alloc(4096, 1));
    expect((await nasVolume(['get', 'datastore-pve-01'])).used).toBe(4096);
    const human = await env.run(['nas-volume', 'get', 'datastore-pve-01']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^export\s+\/Pools\/Pool-0\/datastore-pve-01$/m);
    expect(human.stdout).toMatch(/^quota\s+10\.0 GiB \(10737418240 bytes\)$/m);
  });

  test('a second create of the name is exit 4; a missing one is exit 3', async () => {
    const again = await env.run(['nas-volume', 'create', 'datastore-pve-01', '--quota', '1G', '--json']);
    expect(again.code).toBe(4);
    expect(again.json.error.code).toBe('exists');
    expect(again.stderr).toMatch(/NAS volume \(or dataset\) datastore-pve-01 already exists/);
    const missing = await env.run(['nas-volume', 'get', 'nope', '--json']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/NAS volume nope does not exist/);
  });

  test('a quota larger than the pool is exit 8 and creates nothing', async () => {
    const r = await env.run(['nas-volume', 'create', 'huge', '--quota', '500G']);
    expect(r.code).toBe(8);
    expect((await env.run(['nas-volume', 'get', 'huge'])).code).toBe(3);
  });

  test('list shows it with quota and use', async () => {
    await nasVolume(['create', 'second', '--quota', '1G']);
    const l = await env.okJson<{ nasVolumes: NasVolumeView[] }>(['nas-volume', 'list']);
    expect(l.nasVolumes.map((v) => [v.name, v.quota])).toEqual([
      ['datastore-pve-01', 10 * GiB],
      ['second', GiB],
    ]);
    const human = await env.run(['nas-volume', 'list']);
    expect(human.stdout.split('\n')[0]).toMatch(/^NAME\s+QUOTA\s+USED\s+AVAILABLE\s+EXPORT$/);
    expect(human.stdout).toMatch(/^second\s+1\.0 GiB\s+0 B\s+1\.0 GiB\s+\/Pools\/Pool-0\/second$/m);
  });

  test('resize: --quota sets, --grow-by adds, the same quota changes nothing', async () => {
    expect(await env.okJson<NasResizeResult>(['nas-volume', 'resize', 'second', '--quota', '2G'])).toEqual({
      name: 'second',
      previousQuota: GiB,
      quota: 2 * GiB,
      used: 0,
    });
    expect((await env.okJson<NasResizeResult>(['nas-volume', 'resize', 'second', '--grow-by', '1G'])).quota).toBe(3 * GiB);
    env.sim.requests.reset();
    expect((await env.okJson<NasResizeResult>(['nas-volume', 'resize', 'second', '--quota', '3G'])).quota).toBe(3 * GiB);
    expect(env.mutations()).toBe(0);
  });

  test('resize below what it uses is exit 2 and nothing is sent but the read', async () => {
    writeFileSync(join(env.sim.nasPaths('Pool-0', 'second')!, 'data.bin'), Buffer.alloc(8192, 2));
    env.sim.requests.reset();
    const r = await env.run(['nas-volume', 'resize', 'second', '--quota', '4K', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to set the quota of NAS volume second to 4096 bytes: it already uses 8192 bytes/);
    expect(env.mutations()).toBe(0);
    expect((await nasVolume(['get', 'second'])).quota).toBe(3 * GiB);
  });
});

describe('share create / get / list / delete', () => {
  test('create with access rules: read-write for those addresses, root stays root', async () => {
    const s = await share([
      'create',
      'datastore-pve-01',
      '--nas-volume',
      'datastore-pve-01',
      '--allow',
      '192.168.31.0/24',
      '--allow',
      'fd00::5',
    ]);
    expect(s).toEqual({
      name: 'datastore-pve-01',
      pool: 'Pool-0',
      nasVolume: 'datastore-pve-01',
      exportPath: '/Pools/Pool-0/datastore-pve-01',
      active: true,
      nfs: true,
      allow: ['192.168.31.0/24', 'fd00::5'],
      readOnly: false,
      rootSquash: false,
    });
    // what the appliance holds: the same addresses may write, no_root_squash on
    const onArray = (await shareOnArray('datastore-pve-01')).json.data;
    expect(onArray.nfs).toMatchObject({
      enabled: true,
      allow_access_ip: ['192.168.31.0/24', 'fd00::5'],
      allow_write_ip: ['192.168.31.0/24', 'fd00::5'],
      no_root_squash: true,
      all_squash: false,
    });
    expect(await share(['get', 'datastore-pve-01'])).toEqual(s);
  });

  test('--read-only leaves the write list empty; --root-squash squashes; no --allow means any address', async () => {
    const s = await share(['create', 'second-ro', '--nas-volume', 'second', '--read-only', '--root-squash']);
    expect(s).toMatchObject({ allow: [], readOnly: true, rootSquash: true });
    const onArray = (await shareOnArray('second-ro')).json.data;
    expect(onArray.nfs).toMatchObject({ allow_access_ip: [], allow_write_ip: [], no_root_squash: false });
    const human = await env.run(['share', 'get', 'second-ro']);
    expect(human.stdout).toMatch(/^access\s+read-only$/m);
    expect(human.stdout).toMatch(/^allow\s+any address$/m);
  });

  test('a taken share name is exit 4 naming what it shares; a missing NAS volume is exit 3 with no change sent', async () => {
    const taken = await env.run(['share', 'create', 'second-ro', '--nas-volume', 'datastore-pve-01', '--json']);
    expect(taken.code).toBe(4);
    expect(taken.stderr).toMatch(/share second-ro already exists \(it shares Pool-0\/second\)/);
    env.sim.requests.reset();
    const missing = await env.run(['share', 'create', 'x', '--nas-volume', 'nope']);
    expect(missing.code).toBe(3);
    expect(env.mutations()).toBe(0);
  });

  test('list shows the shares of the pool; delete removes one (missing: exit 3, or success with --if-exists)', async () => {
    const l = await env.okJson<{ shares: ShareView[] }>(['share', 'list']);
    expect(l.shares.map((s) => s.name)).toEqual(['datastore-pve-01', 'second-ro']);
    expect(await env.okJson<ShareDeleteResult>(['share', 'delete', 'second-ro'])).toEqual({
      name: 'second-ro',
      nasVolume: 'second',
      deleted: true,
    });
    expect((await env.run(['share', 'get', 'second-ro'])).code).toBe(3);
    expect((await env.run(['share', 'delete', 'second-ro'])).code).toBe(3);
    expect((await env.okJson<ShareDeleteResult>(['share', 'delete', 'second-ro', '--if-exists'])).deleted).toBe(false);
  });
});

describe('nas-volume delete', () => {
  test('refused while shared or with snapshots (exit 5, naming them), nothing changed; --force removes them first', async () => {
    await env.okJson(['nas-snapshot', 'create', 'datastore-pve-01', 'daily']);
    await env.okJson(['nas-snapshot', 'publish', 'datastore-pve-01', 'daily']);
    env.sim.requests.reset();
    const r = await env.run(['nas-volume', 'delete', 'datastore-pve-01', '--json']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /NAS volume datastore-pve-01 is in use: shares datastore-pve-01; snapshots daily; published snapshots s_daily; remove them first or pass --force/,
    );
    expect(r.json.error.details).toMatchObject({
      shares: ['datastore-pve-01'],
      snapshots: ['s_daily'],
      published: ['s_daily'],
      clones: [],
    });
    expect(env.mutations()).toBe(0);

    const d = await env.okJson<NasDeleteResult>(['nas-volume', 'delete', 'datastore-pve-01', '--force']);
    expect(d).toEqual({
      name: 'datastore-pve-01',
      sharesDeleted: ['datastore-pve-01'],
      unpublished: ['daily'],
      snapshotsDeleted: ['daily'],
    });
    expect((await env.run(['nas-volume', 'get', 'datastore-pve-01'])).code).toBe(3);
    expect((await shareOnArray('s_daily')).status).toBe(404);
    expect(existsSync(join(dataDir, 'nas', 'Pool-0', 'datastore-pve-01'))).toBe(false);
    expect(existsSync(join(dataDir, 'nas', 'Pool-0', 's_daily'))).toBe(false);
  });

  test('a plain NAS volume is deleted at once; a missing one is exit 3', async () => {
    await nasVolume(['create', 'plain', '--quota', '1G']);
    env.sim.requests.reset();
    expect(await env.okJson<NasDeleteResult>(['nas-volume', 'delete', 'plain'])).toEqual({
      name: 'plain',
      sharesDeleted: [],
      unpublished: [],
      snapshotsDeleted: [],
    });
    expect(env.mutations()).toBe(1);
    expect((await env.run(['nas-volume', 'delete', 'plain'])).code).toBe(3);
  });
});

describe('bad input: exit 2, one line, zero requests', () => {
  test.each([
    ['upper-case name', ['nas-volume', 'create', 'Data', '--quota', '1G'], /NAS volume name "Data" is not valid/],
    ['name with a slash', ['nas-volume', 'create', 'a/b', '--quota', '1G'], /is not valid/],
    ['name starting with a dot', ['nas-volume', 'get', '.hidden'], /is not valid/],
    ['quota 0', ['nas-volume', 'create', 'ok', '--quota', '0'], /--quota: must be more than 0 bytes/],
    ['quota garbage', ['nas-volume', 'create', 'ok', '--quota', 'lots'], /--quota: expected a size/],
    ['signed quota', ['nas-volume', 'create', 'ok', '--quota', '-1G'], /without a sign/],
    [
      'reservation above the quota',
      ['nas-volume', 'create', 'ok', '--quota', '1G', '--reservation', '2G'],
      /cannot be more than the quota/,
    ],
    ['resize with both', ['nas-volume', 'resize', 'second', '--quota', '1G', '--grow-by', '1G'], /exactly one of --quota and --grow-by/],
    ['resize with neither', ['nas-volume', 'resize', 'second'], /exactly one of --quota and --grow-by/],
    ['grow by 0', ['nas-volume', 'resize', 'second', '--grow-by', '0'], /--grow-by: must be more than 0 bytes/],
    ['resize a bad name', ['nas-volume', 'resize', 'A B', '--quota', '1G'], /is not valid/],
    ['delete a bad name', ['nas-volume', 'delete', 'x@y'], /is not valid/],
    ['share of a bad NAS volume name', ['share', 'create', 'ok', '--nas-volume', 'Bad'], /--nas-volume "Bad" is not valid/],
    ['bad share name', ['share', 'create', 'a b', '--nas-volume', 'second'], /share name "a b" is not valid/],
    [
      '--allow not an address',
      ['share', 'create', 'ok', '--nas-volume', 'second', '--allow', 'pve1.local'],
      /--allow: expected an IPv4 or IPv6 address/,
    ],
    ['--allow prefix too long (IPv4)', ['share', 'create', 'ok', '--nas-volume', 'second', '--allow', '10.0.0.0/33'], /--allow: expected/],
    ['--allow prefix too long (IPv6)', ['share', 'create', 'ok', '--nas-volume', 'second', '--allow', 'fd00::/129'], /--allow: expected/],
    ['--allow with a bad octet', ['share', 'create', 'ok', '--nas-volume', 'second', '--allow', '10.0.0.256'], /--allow: expected/],
    ['--allow empty', ['share', 'create', 'ok', '--nas-volume', 'second', '--allow', ''], /--allow/],
    ['share get with a bad name', ['share', 'get', 'a/b'], /is not valid/],
  ])('%s', async (_label, args, why) => {
    env.sim.requests.reset();
    const r = await env.run([...args, '--json']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(why);
    expect(r.json.error.exit).toBe(2);
    expect(env.sim.requests.count({})).toBe(0);
  });
});
