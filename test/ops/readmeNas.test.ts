// README "File content (ISO, templates, backups)": every jdssc command it shows parses with
// jdssc's own parser, and all of them run in the order shown against the simulator and the fake
// host's mount/umount (set-up, admin commands, nfs activate/status/deactivate, clean-up), each
// exiting 0. The storage.cfg section it shows parses without a warning with the real Proxmox
// storage code and the repository's plugins (when that code is here), the `pvesm add` line
// sets exactly that section's keys, and config-examples/storage-nfs.cfg carries the same section.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseCommand } from '../../src/cli/main';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('\n## File content (ISO, templates, backups)\n');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));

/** The lines of the section's sh blocks, `\` continuations joined, comments dropped. */
const shLines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].replace(/\\\n\s*/g, '').split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter(Boolean);
const commands = shLines.filter((l) => l.startsWith('jdssc ')).map((l) => l.split(/\s+/).slice(1));
/** An argv without its `-c <file>`: the test gives its own config. */
const withoutConfig = (argv: string[]) => argv.filter((_w, i) => argv[i] !== '-c' && argv[i - 1] !== '-c');
const pvesmAdd = shLines.find((l) => l.startsWith('pvesm add joviandss-nfs '));
const cfgBlock = /```\n(joviandss-nfs: [\s\S]*?)```/.exec(section)?.[1];

const io = () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, stdin: Readable.from(['']), env: {} };
};

const tmp = tempDir('jdssc-readme-nas-');
const tmpBase = () => tmp.dir;
afterAll(() => tmp.cleanup());

let env: CliEnv;
beforeAll(async () => {
  // a pool the README's 500G quota (and 100G more) fits in
  const pools = [
    {
      name: 'Pool-0',
      sizeBytes: 2 ** 40,
      vips: [
        { name: 'vip0', address: '127.0.0.2' },
        { name: 'vip1', address: '127.0.0.3' },
      ],
    },
  ];
  env = await cliEnv({ fakeHost: true, nasDataDir: join(tmpBase(), 'sim-data'), pools });
  // the fake mount shows the simulator's NAS volume folder at the mount point
  env.host!.update((s) => {
    s.nfs = { mounts: [], nasDir: join(tmpBase(), 'sim-data', 'nas') };
  });
});
afterAll(async () => env.close());

test('the section exists and shows set-up, every admin noun and the storage.cfg section', () => {
  expect(start).toBeGreaterThan(0);
  const verbs = new Set(commands.map((c) => withoutConfig(c).slice(0, 2).join(' ')));
  for (const noun of ['nas-volume', 'share', 'nas-snapshot'])
    for (const verb of ['create', 'list', 'delete']) expect(verbs).toContain(`${noun} ${verb}`);
  for (const v of ['nas-snapshot publish', 'nas-snapshot rollback', 'nfs activate', 'nfs status', 'nfs deactivate'])
    expect(verbs).toContain(v);
  expect(pvesmAdd).toBeDefined();
  expect(cfgBlock).toBeDefined();
  expect(section).toMatch('/etc/pve/priv/storage/joviandss-nfs/<id>.pw');
});

test.each(commands.map((c) => [c.join(' '), c]))('parses: jdssc %s', async (_line, argv) => {
  expect(await parseCommand(argv as string[], io())).toBeDefined();
});

test('every command runs, in the order shown, against the simulator and the fake host (exit 0 each)', async () => {
  const mnt = join(tmpBase(), 'mnt');
  let mountPoint: string | undefined;
  for (const argv of commands) {
    // the mount point in this test's folder; the README's example NFS server becomes a loopback
    // address (the fake mount never connects, but no test names a private-range peer to a tool)
    const a = withoutConfig(argv).map((w) =>
      w.startsWith('/mnt/') ? join(mnt, w.replace(/\//g, '_')) : /^192\.168\./.test(w) ? '127.0.0.2' : w,
    );
    const p = a.indexOf('--path');
    if (p >= 0) mkdirSync((mountPoint = a[p + 1]), { recursive: true });
    const r = await env.run(a);
    expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: '' });
    const verb = a.slice(0, 2).join(' ');
    if (verb === 'nfs activate')
      expect(env.host!.state().nfs.mounts).toEqual([
        expect.objectContaining({ path: mountPoint, source: expect.stringMatching(/:\/Pools\/Pool-0\/datastore-pve-01$/) }),
      ]);
    if (verb === 'nas-snapshot publish') expect(r.stdout).toMatch('/Pools/Pool-0/s_before-upgrade');
  }
  expect(mountPoint).toBeDefined();
  // what the commands did: activate mounted, deactivate unmounted, the clean-up left nothing
  expect(env.host!.state().nfs.mounts).toEqual([]);
  const left = await env.okJson(['nas-volume', 'list']);
  expect(JSON.stringify(left)).not.toMatch(/datastore-pve-01/);
});

test("the section's storage.cfg block and config-examples/storage-nfs.cfg agree, and pvesm add sets exactly its keys", () => {
  const keys = (block: string) =>
    block
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/)[0])
      .filter(Boolean)
      .sort();
  const flags = [...pvesmAdd!.matchAll(/--([\w-]+)/g)].map((m) => m[1]).sort();
  expect(flags).toEqual(keys(cfgBlock!));
  for (const k of keys(cfgBlock!)) expect(pvesmAdd).toMatch(new RegExp(`--${k} \\S+`));
  const example = readFileSync('config-examples/storage-nfs.cfg', 'utf8');
  expect(example).toContain(cfgBlock!.trim());
});

test("as the migration paragraph says: Open-E's VM snapshots (<vmid>_<snapshot>) are not shown by jdssc nas-snapshot", async () => {
  expect(section).toMatch('`jdssc nas-snapshot` does not show or touch them');
  expect((await env.okJson(['nas-volume', 'create', 'from-open-e', '--quota', '1G'])) as unknown).toBeDefined();
  expect((await env.rest('POST', '/nas-volumes/from-open-e/snapshots', { name: '100_before-upgrade' })).status).toBe(201);
  expect(await env.okJson(['nas-snapshot', 'list', 'from-open-e'])).toEqual({ nasVolume: 'from-open-e', snapshots: [] });
  expect((await env.run(['nas-snapshot', 'delete', 'from-open-e', '100_before-upgrade'])).code).toBe(3);
});

// The real Proxmox VE storage code, where test/pve finds it: installed, else ../shared/pve.
const pveLib = ((): string[] | undefined => {
  const stubs = resolve('test/pve/stubs');
  if (existsSync('/usr/share/perl5/PVE/Storage.pm')) return [stubs];
  const shared = resolve('../shared/pve');
  if (!existsSync(join(shared, 'pve-storage/src/PVE/Storage.pm'))) return undefined;
  return [stubs, ...['pve-storage', 'pve-common', 'pve-cluster'].map((p) => join(shared, p, 'src'))];
})();

(pveLib ? test : test.skip)("the section parses without a warning with the real Proxmox code and the repository's plugins", () => {
  const root = join(tmpBase(), 'root');
  mkdirSync(join(root, 'usr/share'), { recursive: true });
  mkdirSync(join(root, 'etc/pve'), { recursive: true });
  symlinkSync(resolve('perl'), join(root, 'usr/share/perl5'));
  writeFileSync(join(root, 'etc/pve/storage.cfg'), cfgBlock!.replace(/^ {8}/gm, '\t'));
  const out = execFileSync('perl', ['test/packaging/parse-storage-cfg.pl', root], {
    encoding: 'utf8',
    env: { ...process.env, PERL5LIB: pveLib!.join(':'), PVE_TEST_CFS_DIR: join(root, 'etc/pve') },
  });
  const parsed = JSON.parse(out) as { ids: Record<string, Record<string, unknown>>; warnings: string[] };
  expect(parsed.warnings).toEqual([]);
  expect(parsed.ids['jdss-nfs-01']).toMatchObject({
    type: 'joviandss-nfs',
    server: '192.168.31.152',
    export: '/Pools/Pool-0/datastore-pve-01',
    path: '/mnt/pve/jdss-nfs-01',
    shared: 1,
  });
});
