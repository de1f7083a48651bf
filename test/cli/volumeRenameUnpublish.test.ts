// `volume rename --unpublish` (a template conversion in one process) and `volume resize --rescan`
// (an online resize in one process) through the real CLI, the simulator and the fake host: what
// the 2-3 processes did before (login deactivate --unpublish, volume get, volume rename
// --expect-scsi-id; volume resize, login rescan) with every guard, and a refused rename proven
// by reads before the first change (the volume stays active and published).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ fakeHost: true });
});
afterAll(async () => env.close());
beforeEach(() => env.sim.requests.reset());

interface Activation {
  target: string;
  lun: number;
  wwid: string;
  device: string;
}
interface Renamed {
  name: string;
  previousName: string;
  scsiId: string;
  alreadyRenamed: boolean;
  unpublished?: boolean;
}

const sessions = () => env.host!.state().sessions as unknown[];
/** Whether the array exports the LUN of this WWID (the fake data path mirrors what the REST API published). */
const published = (wwid: string) =>
  Object.values(env.host!.state().array.targets as Record<string, { luns: Record<string, { wwid: string }> }>).some((t) =>
    Object.values(t.luns).some((l) => l.wwid === wwid),
  );
const active = async (name: string) => (await env.okJson<{ active: boolean }>(['login', 'status', name])).active;

describe('volume rename --unpublish', () => {
  test('an active, published disk becomes a template in one process: torn down, unpublished, renamed, same volume', async () => {
    await env.okJson(['volume', 'create', 'vm-100-disk-1', '--size', '1G']);
    const before = await env.okJson<{ scsiId: string }>(['volume', 'get', 'vm-100-disk-1']);
    const a = await env.okJson<Activation>(['login', 'activate', 'vm-100-disk-1']);
    expect(published(a.wwid)).toBe(true);
    const r = await env.okJson<Renamed>(['volume', 'rename', 'vm-100-disk-1', 'base-100-disk-1', '--vmid', '100', '--base', '--unpublish']);
    expect(r).toEqual({
      name: 'base-100-disk-1',
      previousName: 'vm-100-disk-1',
      scsiId: before.scsiId,
      alreadyRenamed: false,
      unpublished: true,
    });
    expect(sessions()).toEqual([]);
    expect(published(a.wwid)).toBe(false);
    expect((await env.okJson<{ scsiId: string }>(['volume', 'get', 'base-100-disk-1'])).scsiId).toBe(before.scsiId);
  });

  test('the wanted name taken, with --vmid: the next free base- name', async () => {
    await env.okJson(['volume', 'create', 'vm-200-disk-0', '--size', '1G']);
    await env.okJson(['volume', 'create', 'base-200-disk-0', '--size', '1M']); // e.g. left by another node
    await env.okJson(['login', 'activate', 'vm-200-disk-0']);
    const r = await env.okJson<Renamed>(['volume', 'rename', 'vm-200-disk-0', 'base-200-disk-0', '--vmid', '200', '--base', '--unpublish']);
    expect(r).toMatchObject({ name: 'base-200-disk-1', unpublished: true });
    expect((await env.okJson<{ size: number }>(['volume', 'get', 'base-200-disk-0'])).size).toBe(2 ** 20); // the other one untouched
  });

  test('refused before the first change: a taken name without --vmid (exit 4) leaves the disk active and published', async () => {
    await env.okJson(['volume', 'create', 'vm-300-disk-0', '--size', '1G']);
    await env.okJson(['volume', 'create', 'vm-301-disk-0', '--size', '1M']);
    const a = await env.okJson<Activation>(['login', 'activate', 'vm-300-disk-0']);
    env.sim.requests.reset();
    const r = await env.run(['volume', 'rename', 'vm-300-disk-0', 'vm-301-disk-0', '--unpublish']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/vm-301-disk-0 already exists/);
    expect(env.mutations()).toBe(0);
    expect(published(a.wwid)).toBe(true);
    expect(await active('vm-300-disk-0')).toBe(true);
  });

  test('refused before the first change: a different SCSI id than expected (exit 4)', async () => {
    env.sim.requests.reset();
    const r = await env.run([
      'volume',
      'rename',
      'vm-300-disk-0',
      'base-300-disk-0',
      '--unpublish',
      '--expect-scsi-id',
      '0123456789abcdef',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not the expected 0123456789abcdef/);
    expect(env.mutations()).toBe(0);
    expect(await active('vm-300-disk-0')).toBe(true);
  });

  test('a missing source is exit 3 with no change; a finished rename repeated with its SCSI id is recognised', async () => {
    env.sim.requests.reset();
    expect((await env.run(['volume', 'rename', 'vm-999-disk-0', 'base-999-disk-0', '--unpublish'])).code).toBe(3);
    expect(env.mutations()).toBe(0);
    const id = (await env.okJson<{ scsiId: string }>(['volume', 'get', 'base-100-disk-1'])).scsiId;
    const again = await env.okJson<Renamed>([
      'volume',
      'rename',
      'vm-100-disk-1',
      'base-100-disk-1',
      '--unpublish',
      '--expect-scsi-id',
      id,
    ]);
    expect(again).toMatchObject({ name: 'base-100-disk-1', alreadyRenamed: true, unpublished: false });
  });

  test('neither a new name nor --vmid → exit 2 before anything runs', async () => {
    const r = await env.run(['volume', 'rename', 'vm-300-disk-0', '--unpublish']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(env.sim.requests.count({})).toBe(0);
  });
});

describe('volume resize --rescan', () => {
  test('active here: grown on the array and on every path in one process', async () => {
    await env.okJson(['volume', 'create', 'vm-400-disk-0', '--size', '1G']);
    const a = await env.okJson<Activation>(['login', 'activate', 'vm-400-disk-0']);
    // the array's SCST reports the bigger LUN once the zvol grew (the fake data path does not follow a resize)
    env.host!.update((s) => {
      s.array.targets[a.target].luns[a.lun].sizeBytes = 2 * 2 ** 30;
    });
    const r = await env.okJson<{ size: number; rescanned: { device: string; size: number } | null }>([
      'volume',
      'resize',
      'vm-400-disk-0',
      '--size',
      '2G',
      '--rescan',
    ]);
    expect(r).toMatchObject({ size: 2 * 2 ** 30, rescanned: { device: a.device, size: 2 * 2 ** 30 } });
    await env.okJson(['login', 'deactivate', 'vm-400-disk-0']);
  });

  test('not active here: the resize only, no host tool run, rescanned null', async () => {
    await env.okJson(['volume', 'create', 'vm-401-disk-0', '--size', '1G']);
    const calls = (env.host!.state().calls as unknown[] | undefined)?.length ?? 0;
    const r = await env.okJson<{ size: number; rescanned: unknown }>(['volume', 'resize', 'vm-401-disk-0', '--grow-by', '1G', '--rescan']);
    expect(r).toMatchObject({ size: 2 * 2 ** 30, rescanned: null });
    expect((env.host!.state().calls as unknown[] | undefined)?.length ?? 0).toBe(calls);
  });
});
