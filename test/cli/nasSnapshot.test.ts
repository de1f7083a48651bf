// nas-snapshot commands through the real CLI against the simulator: create/list (also tagged for
// a Proxmox volume), publish as a read-only export and unpublish, delete (unpublished first,
// other clones block), rollback with its blockers and --force, files checked on the simulator's
// disk; bad names never reach the array.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type {
  CreateNasSnapshotResult,
  DeleteNasSnapshotResult,
  ListNasSnapshotsResult,
  NasPublication,
  NasRollbackCheck,
  NasRollbackResult,
  NasUnpublished,
} from '../../src/storage';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { call } from '../simulator/client';

let env: CliEnv;
let dataDir: string;
const dir = () => join(dataDir, 'nas', 'Pool-0', 'files');
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'jdssc-nas-snap-'));
  env = await cliEnv({ nasDataDir: dataDir });
  await env.okJson(['nas-volume', 'create', 'files', '--quota', '1G']);
});
afterAll(async () => {
  await env.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => env.sim.requests.reset());

const shareOnArray = (name: string) => call(env.sim, 'GET', `/api/v4/shares/${name}`, { auth: ['admin', env.password] });
const snapNames = async () => (await env.okJson<ListNasSnapshotsResult>(['nas-snapshot', 'list', 'files'])).snapshots.map((s) => s.name);

describe('create / list', () => {
  test('create stores s_<sid>; a second create is exit 4 (success with --if-not-exists); a missing NAS volume is exit 3', async () => {
    writeFileSync(join(dir(), 'a.txt'), 'version 1');
    expect(await env.okJson<CreateNasSnapshotResult>(['nas-snapshot', 'create', 'files', 'first'])).toEqual({
      nasVolume: 'files',
      snapshot: 'first',
      proxmoxVolume: null,
      physicalName: 's_first',
      created: true,
    });
    const again = await env.run(['nas-snapshot', 'create', 'files', 'first', '--json']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/snapshot first of NAS volume files already exists/);
    expect((await env.okJson<CreateNasSnapshotResult>(['nas-snapshot', 'create', 'files', 'first', '--if-not-exists'])).created).toBe(
      false,
    );
    expect((await env.run(['nas-snapshot', 'create', 'nope', 'x'])).code).toBe(3);
  });

  test('a snapshot for one Proxmox volume gets the sp_ name; --proxmox-volume filters the listing', async () => {
    const r = await env.okJson<CreateNasSnapshotResult>([
      'nas-snapshot',
      'create',
      'files',
      'snap1',
      '--proxmox-volume',
      '100/vm-100-disk-0.qcow2',
    ]);
    // sp_<san(pv)>_<san(sid)>_<B32(pv)>_<B32(sid)>_<B32(dataset)>, B32 computed by Python's base64.b32encode
    expect(r.physicalName).toBe('sp_100_vm-100-disk-0_qcow2_snap1_GEYDAL3WNUWTCMBQFVSGS43LFUYC44LDN53TE---_ONXGC4BR_MZUWYZLT');
    const all = await env.okJson<ListNasSnapshotsResult>(['nas-snapshot', 'list', 'files']);
    expect(all.snapshots.map((s) => [s.name, s.proxmoxVolume])).toEqual([
      ['first', null],
      ['snap1', '100/vm-100-disk-0.qcow2'],
    ]);
    expect(all.snapshots[0]).toMatchObject({ physicalName: 's_first', published: false, clones: [], referenced: 9 });
    const one = await env.okJson<ListNasSnapshotsResult>(['nas-snapshot', 'list', 'files', '--proxmox-volume', '100/vm-100-disk-0.qcow2']);
    expect(one.snapshots.map((s) => s.name)).toEqual(['snap1']);
    expect((await env.run(['nas-snapshot', 'list', 'nope'])).code).toBe(3);
  });
});

describe('publish / unpublish', () => {
  test('publish makes a clone and a read-only share of it and prints the export path', async () => {
    const r = await env.run(['nas-snapshot', 'publish', 'files', 'first', '--allow', '10.0.0.0/24']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('/Pools/Pool-0/s_first\n');
    const onArray = (await shareOnArray('s_first')).json.data;
    expect(onArray).toMatchObject({ path: 'Pool-0/s_first', real_path: '/Pools/Pool-0/s_first' });
    expect(onArray.nfs).toMatchObject({ allow_access_ip: ['10.0.0.0/24'], allow_write_ip: [] });
    // the clone holds the snapshot's files
    expect(readFileSync(join(dataDir, 'nas', 'Pool-0', 's_first', 'a.txt'), 'utf8')).toBe('version 1');
    const listed = await env.okJson<ListNasSnapshotsResult>(['nas-snapshot', 'list', 'files']);
    expect(listed.snapshots[0]).toMatchObject({ name: 'first', published: true, clones: [] });
  });

  test('publishing again changes nothing; the clone is not listed as a NAS volume unless --all', async () => {
    env.sim.requests.reset();
    const r = await env.okJson<NasPublication>(['nas-snapshot', 'publish', 'files', 'first']);
    expect(r).toMatchObject({ clone: 's_first', share: 's_first', exportPath: '/Pools/Pool-0/s_first', created: false });
    expect(env.mutations()).toBe(0);
    const plain = await env.okJson<{ nasVolumes: Array<{ name: string }> }>(['nas-volume', 'list']);
    expect(plain.nasVolumes.map((v) => v.name)).toEqual(['files']);
    const all = await env.okJson<{ nasVolumes: Array<{ name: string; origin: unknown }> }>(['nas-volume', 'list', '--all']);
    expect(all.nasVolumes.find((v) => v.name === 's_first')?.origin).toEqual({ nasVolume: 'files', snapshot: 's_first' });
  });

  test('unpublish removes the share, then the clone; a second unpublish is success with unpublished: false', async () => {
    expect(await env.okJson<NasUnpublished>(['nas-snapshot', 'unpublish', 'files', 'first'])).toEqual({
      nasVolume: 'files',
      snapshot: 'first',
      unpublished: true,
    });
    expect((await shareOnArray('s_first')).status).toBe(404);
    expect(existsSync(join(dataDir, 'nas', 'Pool-0', 's_first'))).toBe(false);
    expect((await env.okJson<NasUnpublished>(['nas-snapshot', 'unpublish', 'files', 'first'])).unpublished).toBe(false);
  });

  test('publishing a missing snapshot is exit 3 and changes nothing', async () => {
    const r = await env.run(['nas-snapshot', 'publish', 'files', 'nope']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/snapshot nope of NAS volume files does not exist/);
    expect(env.mutations()).toBe(0);
  });
});

describe('delete', () => {
  test('a published snapshot is unpublished first, then deleted', async () => {
    await env.okJson(['nas-snapshot', 'create', 'files', 'temp']);
    await env.okJson(['nas-snapshot', 'publish', 'files', 'temp']);
    expect(await env.okJson<DeleteNasSnapshotResult>(['nas-snapshot', 'delete', 'files', 'temp'])).toEqual({
      nasVolume: 'files',
      snapshot: 'temp',
      deleted: true,
      unpublished: true,
    });
    expect((await shareOnArray('s_temp')).status).toBe(404);
    expect(await snapNames()).toEqual(['first', 'snap1']);
  });

  test('a clone that is a NAS volume of its own blocks (exit 5, named); missing is exit 3 or success with --if-exists', async () => {
    await env.okJson(['nas-snapshot', 'create', 'files', 'keep']);
    const made = await call(env.sim, 'POST', '/api/v4/pools/Pool-0/nas-volumes/files/snapshots/s_keep/clones', {
      auth: ['admin', env.password],
      body: { name: 'restored' },
    });
    expect(made.status).toBe(201);
    env.sim.requests.reset();
    const r = await env.run(['nas-snapshot', 'delete', 'files', 'keep', '--json']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/snapshot keep of NAS volume files has dependent clones: restored; delete them first/);
    expect(env.mutations()).toBe(0);
    expect((await env.run(['nas-snapshot', 'delete', 'files', 'nope'])).code).toBe(3);
    expect((await env.okJson<DeleteNasSnapshotResult>(['nas-snapshot', 'delete', 'files', 'nope', '--if-exists'])).deleted).toBe(false);
    // the clone goes through its own NAS volume delete; then the snapshot can go
    await env.okJson(['nas-volume', 'delete', 'restored']);
    expect((await env.okJson<DeleteNasSnapshotResult>(['nas-snapshot', 'delete', 'files', 'keep'])).deleted).toBe(true);
  });
});

describe('rollback', () => {
  test('--check names newer and published snapshots (exit 0); the rollback is refused (exit 5) and changes nothing', async () => {
    writeFileSync(join(dir(), 'a.txt'), 'version 2');
    await env.okJson(['nas-snapshot', 'create', 'files', 'second']);
    await env.okJson(['nas-snapshot', 'publish', 'files', 'second']);
    writeFileSync(join(dir(), 'a.txt'), 'version 3');
    const check = await env.okJson<NasRollbackCheck>(['nas-snapshot', 'rollback', 'files', 'first', '--check']);
    expect(check).toEqual({
      nasVolume: 'files',
      snapshot: 'first',
      possible: false,
      blockers: { snapshots: ['snap1', 'second'], published: ['second'], clones: [] },
    });
    const human = await env.run(['nas-snapshot', 'rollback', 'files', 'first', '--check']);
    expect(human.stdout).toBe(
      'rollback of files to first is blocked by:\n  newer snapshots: snap1, second\n  published snapshots: second\n',
    );
    env.sim.requests.reset();
    const r = await env.run(['nas-snapshot', 'rollback', 'files', 'first', '--json']);
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('blocked');
    expect(r.stderr).toMatch(/would destroy newer snapshots: snap1, second; published: second; delete them or pass --force/);
    expect(env.mutations()).toBe(0);
    expect(readFileSync(join(dir(), 'a.txt'), 'utf8')).toBe('version 3');
  });

  test('--force unpublishes and destroys the newer snapshots, then restores the files', async () => {
    const r = await env.okJson<NasRollbackResult>(['nas-snapshot', 'rollback', 'files', 'first', '--force']);
    expect(r).toEqual({ nasVolume: 'files', snapshot: 'first', destroyed: ['snap1', 'second'], unpublished: ['second'] });
    expect(readFileSync(join(dir(), 'a.txt'), 'utf8')).toBe('version 1');
    expect(await snapNames()).toEqual(['first']);
    expect((await shareOnArray('s_second')).status).toBe(404);
  });

  test('with nothing newer it rolls back at once; a missing snapshot is exit 3', async () => {
    writeFileSync(join(dir(), 'a.txt'), 'scribbled');
    const r = await env.okJson<NasRollbackResult>(['nas-snapshot', 'rollback', 'files', 'first']);
    expect(r.destroyed).toEqual([]);
    expect(readFileSync(join(dir(), 'a.txt'), 'utf8')).toBe('version 1');
    expect((await env.run(['nas-snapshot', 'rollback', 'files', 'nope'])).code).toBe(3);
  });

  test('a clone of a newer snapshot that is a NAS volume blocks even with --force', async () => {
    await env.okJson(['nas-snapshot', 'create', 'files', 'later']);
    await call(env.sim, 'POST', '/api/v4/pools/Pool-0/nas-volumes/files/snapshots/s_later/clones', {
      auth: ['admin', env.password],
      body: { name: 'copy' },
    });
    env.sim.requests.reset();
    const r = await env.run(['nas-snapshot', 'rollback', 'files', 'first', '--force']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/blocked by clones of newer snapshots: copy; delete them first/);
    expect(env.mutations()).toBe(0);
  });
});

describe('bad input: exit 2, one line, zero requests', () => {
  test.each([
    ['snapshot name with @', ['nas-snapshot', 'create', 'files', 'a@b'], /snapshot name "a@b" is not valid/],
    ['snapshot name with /', ['nas-snapshot', 'delete', 'files', 'a/b'], /is not valid/],
    ['bad NAS volume name', ['nas-snapshot', 'list', 'Files'], /NAS volume name "Files" is not valid/],
    ['Proxmox volume with a newline', ['nas-snapshot', 'create', 'files', 's', '--proxmox-volume', 'a\nb'], /--proxmox-volume/],
    ['publish with a bad --allow', ['nas-snapshot', 'publish', 'files', 'first', '--allow', '300.1.1.1'], /--allow: expected/],
    ['rollback --check with --force', ['nas-snapshot', 'rollback', 'files', 'first', '--check', '--force'], /mutually exclusive/],
    ['rollback of a bad name', ['nas-snapshot', 'rollback', 'files', ' x'], /is not valid/],
    ['unpublish of a bad name', ['nas-snapshot', 'unpublish', 'bad/name', 'x'], /is not valid/],
  ])('%s', async (_label, args, why) => {
    env.sim.requests.reset();
    const r = await env.run([...args, '--json']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(why);
    expect(env.sim.requests.count({})).toBe(0);
  });
});
