// `make deb` builds a Debian package that installs into, and uninstalls cleanly from, a
// throwaway root (dpkg --root, maintainer scripts run without chroot and skip service restarts),
// and that takes over a node running Open-E's package: dpkg removes theirs, the joviandss and
// joviandss-nfs sections of storage.cfg read by the real Proxmox storage code load our plugins,
// and the postinst names, per storage, what the switch loses.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { tempDir } from '../helpers/tmp';
import { buildOpenEDeb, OPEN_E_FILES, OPEN_E_PACKAGE, writeOpenEConfig } from './openE';

const tmp = tempDir('jdssc-deb-');
afterAll(() => tmp.cleanup());

const sh = (cmd: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JDSSC_CACHE_DIR: join(tmp.dir, 'cache'), ...env },
  });

/** An empty dpkg database under tmp/<name>, and dpkg run on it. */
function dpkgRoot(name: string) {
  const root = join(tmp.dir, name);
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(root, 'var/lib/dpkg', d), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  const dpkg = (args: string[], env: Record<string, string> = {}) =>
    sh('dpkg', [`--root=${root}`, '--force-script-chrootless', '--log=/dev/null', ...args], env);
  return { root, dpkg };
}

// The real Proxmox VE storage code, where test/pve finds it: installed, else ../shared/pve.
const pveLib = ((): string[] | undefined => {
  const stubs = resolve('test/pve/stubs');
  if (existsSync('/usr/share/perl5/PVE/Storage.pm')) return [stubs];
  const shared = resolve('../shared/pve');
  if (!existsSync(join(shared, 'pve-storage/src/PVE/Storage.pm'))) return undefined;
  return [stubs, ...['pve-storage', 'pve-common', 'pve-cluster'].map((p) => join(shared, p, 'src'))];
})();

/** The Perl modules of the repository, as the package installs them under /usr/share/perl5. */
const perlFiles = () => (readdirSync('perl', { recursive: true }) as string[]).filter((f) => f.endsWith('.pm')).sort();

let deb: string;
beforeAll(() => {
  deb = sh('make', ['--no-print-directory', '-s', 'deb']).trim().split('\n').pop()!;
}, 120_000);

test('make deb: root-owned package with the right dependencies that installs and purges cleanly', () => {
  expect(deb).toMatch(/^dist\/jdssc_[\d.]+_all\.deb$/);

  const info = sh('dpkg-deb', ['-f', deb, 'Depends', 'Architecture', 'Conflicts', 'Replaces', 'Provides']);
  expect(info).toMatch(/Depends: nodejs \(>= 18\), open-iscsi, multipath-tools/);
  expect(info).toMatch(/Architecture: all/);
  expect(sh('dpkg-deb', ['-f', deb, 'Recommends'])).toBe('sg3-utils, nfs-common\n');
  expect(info).toMatch(`Conflicts: ${OPEN_E_PACKAGE}\n`);
  expect(info).toMatch(`Replaces: ${OPEN_E_PACKAGE}\n`);
  expect(info).not.toMatch(/Provides/);
  const listing = sh('dpkg-deb', ['-c', deb]).trim().split('\n');
  expect(listing.every((l) => l.split(/\s+/)[1] === 'root/root')).toBe(true);

  const { root, dpkg } = dpkgRoot('root');
  dpkg(['--force-depends', '-i', deb]);
  expect(perlFiles()).toContain('PVE/Storage/Custom/JovianDSSPlugin.pm');
  for (const f of [
    'usr/bin/jdssc',
    'usr/lib/jdssc/dist/jdssc.cjs',
    'usr/lib/jdssc/dist/simulator.cjs',
    'usr/lib/jdssc/dist/vendor-chalk.cjs',
    'usr/lib/jdssc/dist/vendor-execa.cjs',
    'usr/lib/jdssc/dist/vendor-prom-client.cjs',
    'usr/lib/jdssc/dist/vendor-tar.cjs',
    'usr/lib/jdssc/dist/vendor-yocto-spinner.cjs',
    'usr/lib/jdssc/storage-cfg-check',
    'usr/share/man/man1/jdssc.1',
    'usr/share/bash-completion/completions/jdssc',
    'etc/multipath/conf.d/jdssc.conf',
    'usr/lib/udev/rules.d/68-jdssc-guest-lvm.rules',
    'usr/share/doc/jdssc/examples/jdss-Pool-0.yaml',
    'usr/share/doc/jdssc/examples/storage.cfg',
    'usr/share/doc/jdssc/examples/storage-nfs.cfg',
    // the whole perl/ tree: the iSCSI plugin, the NFS plugin (once it exists) and their modules
    ...perlFiles().map((f) => `usr/share/perl5/${f}`),
  ]) {
    expect(existsSync(join(root, f))).toBe(true);
  }
  // the installed CLI runs from its own files (no node_modules)
  expect(sh(join(root, 'usr/bin/jdssc'), ['volume', '--help'])).toMatch(/jdssc volume create \[name\]/);
  expect(dpkg(['-s', 'jdssc'])).toMatch(/Status: install ok installed/);

  dpkg(['--purge', 'jdssc']);
  const left = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? left(join(dir, e.name)) : [join(dir, e.name)]));
  expect(left(root).filter((f) => !f.includes('/var/lib/dpkg/'))).toEqual([]);
});

const nfsPlugin = existsSync('perl/PVE/Storage/Custom/JovianDSSNFSPlugin.pm');

(pveLib ? test : test.skip)(
  `over Open-E's package: dpkg swaps the packages, both sections load our plugins, passwords stay${nfsPlugin ? '' : ' (joviandss-nfs: no plugin in perl/ yet)'}`,
  () => {
    const { root, dpkg } = dpkgRoot('switch');
    const env = { PERL5LIB: pveLib!.join(':'), PVE_TEST_CFS_DIR: join(root, 'etc/pve') };
    dpkg(['--force-depends', '-i', buildOpenEDeb(tmp.dir)]);
    expect(dpkg(['-s', OPEN_E_PACKAGE])).toMatch(/Status: install ok installed/);
    mkdirSync(join(root, 'etc/pve'), { recursive: true });
    const { iscsiPw, nfsPw } = writeOpenEConfig(root);
    const pwBefore = [readFileSync(iscsiPw, 'utf8'), readFileSync(nfsPw, 'utf8')];

    // dpkg -i alone does the swap (Conflicts + Replaces); postinst's lines go to stdout
    const out = dpkg(['--force-depends', '-i', deb], env);
    if (process.env.JDSSC_TEST_SHOW) process.stderr.write(out);
    expect(out).toMatch(new RegExp(`Removing ${OPEN_E_PACKAGE}`));
    expect(dpkg(['-s', 'jdssc'])).toMatch(/Status: install ok installed/);
    const theirs = spawnSync('dpkg-query', [`--root=${root}`, '-W', '-f=${db:Status-Status}', OPEN_E_PACKAGE], { encoding: 'utf8' });
    expect(theirs.stdout).not.toBe('installed');
    for (const f of OPEN_E_FILES) expect({ f, there: existsSync(join(root, f)) }).toEqual({ f, there: false });
    const owner = (f: string) => dpkg(['-S', `/${f}`]).split(':')[0];
    for (const f of perlFiles()) expect({ f, owner: owner(`usr/share/perl5/${f}`) }).toEqual({ f, owner: 'jdssc' });

    // Open-E's password files untouched; the joviandss one copied to ours, 0600
    expect([readFileSync(iscsiPw, 'utf8'), readFileSync(nfsPw, 'utf8')]).toEqual(pwBefore);
    const ours = join(root, 'etc/pve/priv/storage/jdss-Pool-0.pw');
    expect(readFileSync(ours, 'utf8')).toBe(pwBefore[0]);
    expect(statSync(ours).mode & 0o777).toBe(0o600);
    expect(existsSync(join(root, 'etc/pve/priv/storage/jdss-nfs-01.pw'))).toBe(false); // read where it is
    // no secret in what the package printed
    expect(out).not.toMatch(/test-password/);

    // the real storage.cfg parser with the installed plugins
    const parsed = JSON.parse(sh('perl', ['test/packaging/parse-storage-cfg.pl', root], env)) as {
      ids: Record<string, Record<string, unknown>>;
      warnings: string[];
      plugins: Record<string, { module: string; file: string }>;
      secrets: Record<string, { file: string; user_password: boolean }>;
    };
    // the installed plugins find each storage's password: ours for joviandss (the copy), Open-E's for joviandss-nfs
    expect(parsed.secrets['jdss-Pool-0']).toEqual({ file: '/etc/pve/priv/storage/jdss-Pool-0.pw', user_password: true });
    if (nfsPlugin)
      expect(parsed.secrets['jdss-nfs-01']).toEqual({ file: '/etc/pve/priv/storage/joviandss-nfs/jdss-nfs-01.pw', user_password: true });
    const installed = (f: string) => realpathSync(join(root, 'usr/share/perl5/PVE/Storage/Custom', f));
    expect(realpathSync(parsed.plugins.joviandss.file)).toBe(installed('JovianDSSPlugin.pm'));
    expect(readFileSync(parsed.plugins.joviandss.file, 'utf8')).toMatch(/^package PVE::Storage::Custom::JovianDSSPlugin;\n/);
    expect(parsed.ids['jdss-Pool-0']).toMatchObject({
      type: 'joviandss',
      pool_name: 'Pool-0',
      data_addresses: '192.168.41.100',
      control_addresses: '192.168.21.100',
      ssl_cert_verify: 0,
      shared: 1,
      log_file: '/var/log/joviandss/joviandss-pool-0.log',
    });

    // each storage's postinst line names exactly the keys the parser dropped from its section
    const lineOf = (id: string) => out.split('\n').find((l) => l.startsWith(`jdssc: storage '${id}' `));
    const dropped = (id: string) =>
      parsed.warnings.flatMap((w) => (w.includes(`(section '${id}')`) ? [/of '([^']+)'/.exec(w)![1]] : [])).sort();
    expect(dropped('jdss-Pool-0')).toEqual(['debug', 'path']);
    const iscsiLine = lineOf('jdss-Pool-0')!;
    expect(iscsiLine).toMatch(
      /^jdssc: storage 'jdss-Pool-0' \(joviandss\): keys ignored: path, debug \(delete them from \/etc\/pve\/storage.cfg; debug is now jdss_debug\)/,
    );
    // README shows this very line as its example
    expect(readFileSync('README.md', 'utf8')).toContain(`\n${iscsiLine}\n`);
    expect(iscsiLine).toMatch(
      'password file copied from /etc/pve/priv/storage/joviandss/jdss-Pool-0.pw to /etc/pve/priv/storage/jdss-Pool-0.pw',
    );

    if (nfsPlugin) {
      expect(realpathSync(parsed.plugins['joviandss-nfs'].file)).toBe(installed('JovianDSSNFSPlugin.pm'));
      expect(parsed.ids['jdss-nfs-01']).toMatchObject({
        type: 'joviandss-nfs',
        server: '192.168.31.152',
        export: '/Pools/Pool-1/datastore-pve-01',
        path: '/mnt/pve/jdss-nfs-01',
        ssl_cert_verify: 0,
        shared: 1,
      });
      expect(dropped('jdss-nfs-01')).toContain('debug');
      // its password is read at Open-E's place: nothing to say about it
      expect(lineOf('jdss-nfs-01')).toBe(
        `jdssc: storage 'jdss-nfs-01' (joviandss-nfs): keys ignored: ${dropped('jdss-nfs-01').join(', ')} ` +
          '(delete them from /etc/pve/storage.cfg; debug is now jdss_debug)',
      );
      expect(lineOf('jdss-nfs-02')).toBe(
        "jdssc: storage 'jdss-nfs-02' (joviandss-nfs): no password file: write /etc/pve/priv/storage/jdss-nfs-02.pw " +
          '(a line `user_password <REST password>`, mode 0600)',
      );
    } else {
      // until the plugin exists the package says so rather than leave the storage to vanish silently
      expect(lineOf('jdss-nfs-01')).toMatch(/Proxmox skips this storage \(unsupported type 'joviandss-nfs'\)/);
    }
    expect(out.split('\n').filter((l) => l.startsWith('jdssc: '))).toHaveLength(3);
  },
  60_000,
);
