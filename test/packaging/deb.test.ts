// `make deb` builds a Debian package that installs into, and uninstalls cleanly from, a
// throwaway root (dpkg --root, maintainer scripts run without chroot and skip service restarts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir('jdssc-deb-');
afterAll(() => tmp.cleanup());

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JDSSC_CACHE_DIR: join(tmp.dir, 'cache') },
  });

test('make deb: root-owned package with the right dependencies that installs and purges cleanly', () => {
  const deb = sh('make', ['--no-print-directory', '-s', 'deb']).trim().split('\n').pop()!;
  expect(deb).toMatch(/^dist\/jdssc_[\d.]+_all\.deb$/);

  const info = sh('dpkg-deb', ['-f', deb, 'Depends', 'Architecture']);
  expect(info).toMatch(/Depends: nodejs \(>= 18\), open-iscsi, multipath-tools/);
  expect(info).toMatch(/Architecture: all/);
  const listing = sh('dpkg-deb', ['-c', deb]).trim().split('\n');
  expect(listing.every((l) => l.split(/\s+/)[1] === 'root/root')).toBe(true);

  const root = join(tmp.dir, 'root');
  for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(root, 'var/lib/dpkg', d), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  const dpkg = (args: string[]) => sh('dpkg', [`--root=${root}`, '--force-script-chrootless', '--log=/dev/null', ...args]);

  dpkg(['--force-depends', '-i', deb]);
  for (const f of [
    'usr/bin/jdssc',
    'usr/lib/jdssc/dist/jdssc.cjs',
    'usr/lib/jdssc/dist/simulator.cjs',
    'usr/lib/jdssc/dist/vendor-prom-client.cjs',
    'usr/lib/jdssc/dist/vendor-tar.cjs',
    'usr/lib/jdssc/dist/vendor-yocto-spinner.cjs',
    'usr/share/man/man1/jdssc.1',
    'usr/share/bash-completion/completions/jdssc',
    'etc/multipath/conf.d/jdssc.conf',
    'usr/lib/udev/rules.d/68-jdssc-guest-lvm.rules',
    'usr/share/doc/jdssc/examples/jdss-Pool-0.yaml',
    'usr/share/perl5/PVE/Storage/Custom/JovianDSSPlugin.pm',
    'usr/share/perl5/PVE/Storage/Custom/JovianDSS/Cli.pm',
    'usr/share/perl5/PVE/Storage/Custom/JovianDSS/Secrets.pm',
  ]) {
    expect(existsSync(join(root, f))).toBe(true);
  }
  // the installed CLI runs from its own files (no node_modules)
  expect(sh(join(root, 'usr/bin/jdssc'), ['volume', '--help'])).toMatch(/jdssc volume create <name>/);
  expect(dpkg(['-s', 'jdssc'])).toMatch(/Status: install ok installed/);

  dpkg(['--purge', 'jdssc']);
  const left = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? left(join(dir, e.name)) : [join(dir, e.name)]));
  expect(left(root).filter((f) => !f.includes('/var/lib/dpkg/'))).toEqual([]);
}, 120_000);
