// login / multipath commands end to end: the real CLI publishes on the simulator, the fake
// host tools (kernel, udev, multipathd stand-ins) log in, and both sides are checked.
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { FAKE_INITIATOR } from '../helpers/fakeDataPath.mjs';

const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';
let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv({ fakeHost: true, configExtra: 'multipath: true' });
  for (const v of ['vm-100-disk-0', 'vm-100-disk-1', 'vm-200-disk-0'])
    expect((await env.run(['volume', 'create', v, '--size', '1G'])).code).toBe(0);
});
afterAll(async () => env.close());

const sessions = () => env.host!.state().sessions as { target: string; address: string }[];
const recordFiles = (): string[] => {
  const dir = join(env.host!.root, 'var/lib/jdssc/luns');
  const walk = (d: string): string[] =>
    existsSync(d)
      ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]))
      : [];
  return walk(dir);
};

describe('login activate / deactivate', () => {
  test('two portals → two sessions → one multipath map; the device is the map', async () => {
    const vol = await env.okJson(['volume', 'get', 'vm-100-disk-0']);
    const a = await env.okJson(['login', 'activate', 'vm-100-disk-0']);
    expect(a).toMatchObject({
      volume: 'vm-100-disk-0',
      target: `${PREFIX}:vm-100-0`,
      lun: 0,
      wwid: vol.wwid,
      multipath: true,
      degraded: false,
      answeredBy: 'array',
      sizeBytes: 2 ** 30,
      device: join(env.host!.root, 'dev/mapper', vol.wwid!),
    });
    expect(a.portals.map((p: { address: string; ok: boolean }) => `${p.address}:${p.ok}`)).toEqual(['127.0.0.2:true', '127.0.0.3:true']);
    expect(
      sessions()
        .map((s) => s.address)
        .sort(),
    ).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(existsSync(a.device)).toBe(true);
    // the appliance now sees this host logged in
    expect((await env.okJson(['target', 'sessions', `${PREFIX}:vm-100-0`])).sessions).toEqual([
      { initiator: FAKE_INITIATOR, addresses: ['127.0.0.1'] },
    ]);
  });

  test('activating again is a no-op; status answers from the host record without REST', async () => {
    expect((await env.okJson(['login', 'activate', 'vm-100-disk-0'])).degraded).toBe(false);
    env.sim.requests.reset();
    const st = await env.okJson(['login', 'status', 'vm-100-disk-0']);
    expect(st).toMatchObject({ active: true, target: `${PREFIX}:vm-100-0`, lun: 0 });
    expect(env.sim.requests.count({})).toBe(0);
    expect((await env.okJson(['login', 'list'])).records.map((r: { volume: string }) => r.volume)).toEqual(['vm-100-disk-0']);
  });

  test('status of an inactive volume tells the device it would get (one REST request)', async () => {
    const vol = await env.okJson(['volume', 'get', 'vm-200-disk-0']);
    env.sim.requests.reset();
    expect(await env.okJson(['login', 'status', 'vm-200-disk-0'])).toMatchObject({
      active: false,
      device: join(env.host!.root, 'dev/mapper', vol.wwid!),
    });
    expect(env.sim.requests.count({})).toBe(1);
    expect((await env.run(['login', 'status', 'vm-404-disk-0'])).code).toBe(3);
  });

  test("a second disk of the same VM shares the target; logging it out leaves the first disk's device and sessions", async () => {
    const b = await env.okJson(['login', 'activate', 'vm-100-disk-1']);
    expect(b).toMatchObject({ target: `${PREFIX}:vm-100-0`, lun: 1 });
    const d = await env.okJson(['login', 'deactivate', 'vm-100-disk-1']);
    expect(d.wasActive).toBe(true);
    expect(d.results[0].portals.every((p: { action: string }) => p.action === 'kept')).toBe(true);
    expect(sessions().length).toBe(2);
    const first = await env.okJson(['login', 'status', 'vm-100-disk-0']);
    expect(existsSync(first.device!)).toBe(true);
    expect(existsSync(b.device)).toBe(false);
    // the LUN stays published for the next start or a migration
    expect((await env.okJson(['target', 'get', 'vm-100-disk-1'])).published).toBe(true);
  });

  test('deactivating the last disk logs out, removes node records and the record file', async () => {
    await env.okJson(['login', 'deactivate', 'vm-100-disk-0']);
    expect(sessions()).toEqual([]);
    expect(recordFiles()).toEqual([]);
    const nodes = join(env.host!.root, 'etc/iscsi/nodes');
    expect(existsSync(nodes) ? readdirSync(nodes) : []).toEqual([]);
    expect(readdirSync(join(env.host!.root, 'dev/mapper'))).toEqual([]);
    expect(await env.okJson(['login', 'deactivate', 'vm-100-disk-0'])).toMatchObject({ wasActive: false });
  });

  test('a snapshot is activated through its export and deactivating removes the export', async () => {
    await env.okJson(['snapshot', 'create', 'vm-200-disk-0', 'snap1']);
    const a = await env.okJson(['login', 'activate', 'vm-200-disk-0', '--snapshot', 'snap1']);
    expect(a).toMatchObject({ snapshot: 'snap1', target: `${PREFIX}:vm-200-0` });
    expect((await env.okJson(['login', 'status', 'vm-200-disk-0', '--snapshot', 'snap1'])).active).toBe(true);
    const d = await env.okJson(['login', 'deactivate', 'vm-200-disk-0', '--snapshot', 'snap1']);
    expect(d).toMatchObject({ wasActive: true, unpublished: true });
    expect((await env.okJson(['target', 'get', 'vm-200-disk-0', '--snapshot', 'snap1'])).published).toBe(false);
    expect(await env.okJson(['snapshot', 'delete', 'vm-200-disk-0', 'snap1'])).toMatchObject({ deleted: true });
  });

  test('deactivating a volume also takes down its snapshots that are active here', async () => {
    await env.okJson(['snapshot', 'create', 'vm-200-disk-0', 'snap2']);
    await env.okJson(['login', 'activate', 'vm-200-disk-0']);
    await env.okJson(['login', 'activate', 'vm-200-disk-0', '--snapshot', 'snap2']);
    const d = await env.okJson(['login', 'deactivate', 'vm-200-disk-0']);
    expect(d.results).toHaveLength(2);
    expect((await env.okJson(['login', 'list'])).records).toEqual([]);
    expect(sessions()).toEqual([]);
    expect((await env.okJson(['target', 'get', 'vm-200-disk-0', '--snapshot', 'snap2'])).published).toBe(false);
    await env.okJson(['snapshot', 'delete', 'vm-200-disk-0', 'snap2']);
  });

  test('a single-path disk still open by a process (QEMU) is not pulled; deactivate fails with exit 5', async () => {
    const single = ['--multipath', 'false'];
    const a = await env.okJson([...single, 'login', 'activate', 'vm-200-disk-0']);
    const disk = readlinkSync(join(env.host!.root, 'dev/disk/by-id', `scsi-${a.wwid}`))
      .split('/')
      .pop()!;
    // a fake process that holds the disk open, as QEMU would
    const fd = join(env.host!.root, 'proc/4242/fd');
    mkdirSync(fd, { recursive: true });
    symlinkSync(join(env.host!.root, 'dev', disk), join(fd, '7'));
    const quick = { overrides: { hostTuning: { unusedWaitMs: 300 } } };
    const r = await env.run([...single, 'login', 'deactivate', 'vm-200-disk-0', '--json'], quick);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`${disk} \\(open by pid 4242\\)`));
    expect(existsSync(join(env.host!.root, 'dev', disk))).toBe(true);
    expect(sessions().length).toBe(2);
    rmSync(join(env.host!.root, 'proc/4242'), { recursive: true });
    expect((await env.run([...single, 'login', 'deactivate', 'vm-200-disk-0', '--json'])).code).toBe(0);
    expect(sessions()).toEqual([]);
  });

  test('online resize: grow on the array, then rescan shows the new size on the map', async () => {
    const a = await env.okJson(['login', 'activate', 'vm-200-disk-0']);
    await env.okJson(['volume', 'resize', 'vm-200-disk-0', '--size', '2G']);
    // the array's SCST now reports the bigger LUN
    env.host!.update((s) => {
      s.array.targets[a.target].luns[a.lun].sizeBytes = 2 * 2 ** 30;
    });
    expect(await env.okJson(['login', 'rescan', 'vm-200-disk-0'])).toMatchObject({ size: 2 * 2 ** 30 });
    await env.okJson(['login', 'deactivate', 'vm-200-disk-0']);
  });

  test('multipath commands act on one WWID', async () => {
    const a = await env.okJson(['login', 'activate', 'vm-200-disk-0']);
    expect(await env.okJson(['multipath', 'status', a.wwid])).toMatchObject({ wwid: a.wwid, activePaths: 2, totalPaths: 2 });
    expect((await env.run(['multipath', 'status', 'not-a-wwid'])).code).toBe(2);
    await env.okJson(['login', 'deactivate', 'vm-200-disk-0']);
    expect(await env.okJson(['multipath', 'status', a.wwid])).toMatchObject({ dm: null });
    const forbidden = env.host!.state().violations as string[];
    expect(forbidden).toEqual([]);
  });

  test('no host tool ever got a secret or a host-wide command', async () => {
    const calls = env.host!.state().calls as { tool: string; argv: string[] }[];
    expect(calls.length).toBeGreaterThan(10);
    expect(JSON.stringify(calls)).not.toContain(env.password);
    expect(calls.some((c) => c.tool === 'multipath' && c.argv.includes('-F'))).toBe(false);
  });
});

describe('CHAP', () => {
  test('the secret reaches the node record file, never an argv; a wrong secret on the array is refreshed once', async () => {
    const { writeFileSync } = await import('node:fs');
    const secret = 'Chap-Login-Secret-42';
    const pw = join(env.dir, 'chap.pw');
    writeFileSync(pw, `user_password ${env.password}\nchap_user_password ${secret}\n`, { mode: 0o600 });
    const chap = ['--password-file', pw, '--chap-enabled', 'true', '--chap-user', 'pvechap'];
    const a = await env.okJson([...chap, 'login', 'activate', 'vm-200-disk-0']);
    expect(a.degraded).toBe(false);
    const calls = JSON.stringify(env.host!.state().calls);
    expect(calls).not.toContain(secret);
    const nodeFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? nodeFiles(join(dir, e.name)) : [join(dir, e.name)]));
    const records = nodeFiles(join(env.host!.root, 'etc/iscsi/nodes')).map((f) => readFileSync(f, 'utf8'));
    expect(records.some((t) => t.includes(secret))).toBe(true);
    await env.okJson([...chap, 'login', 'deactivate', 'vm-200-disk-0']);
    // someone changed the secret on the array: login fails once with auth failure, jdssc pushes ours, retries
    env.host!.update((s) => {
      s.array.targets[a.target].chap = { user: 'pvechap', secret: 'Some-Other-Secret-1' };
    });
    const again = await env.okJson([...chap, 'login', 'activate', 'vm-200-disk-0']);
    expect(again.degraded).toBe(false);
    await env.okJson([...chap, 'login', 'deactivate', 'vm-200-disk-0']);
  });
});
