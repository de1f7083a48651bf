// scripts/storage-cfg-check.pl (the package's postinst check of storage.cfg) on its own, in a
// throwaway root (DPKG_ROOT) whose /usr/share/perl5 is the repository's perl/: one line per
// storage that loses something and nothing for the others, never a value from the file, an
// existing password file never replaced, and exit 0 even when the Proxmox code cannot be loaded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir('jdssc-cfgcheck-');
afterAll(() => tmp.cleanup());

// The real Proxmox VE storage code, where test/pve finds it: installed, else ../shared/pve.
const pveLib = ((): string[] | undefined => {
  const stubs = resolve('test/pve/stubs');
  if (existsSync('/usr/share/perl5/PVE/Storage.pm')) return [stubs];
  const shared = resolve('../shared/pve');
  if (!existsSync(join(shared, 'pve-storage/src/PVE/Storage.pm'))) return undefined;
  return [stubs, ...['pve-storage', 'pve-common', 'pve-cluster'].map((p) => join(shared, p, 'src'))];
})();

let n = 0;
/** A root with our perl/ installed, `cfg` as storage.cfg (unless undefined) and password files. */
function root(cfg: string | undefined, pw: Record<string, string> = {}): string {
  const r = join(tmp.dir, `root${n++}`);
  mkdirSync(join(r, 'usr/share'), { recursive: true });
  symlinkSync(resolve('perl'), join(r, 'usr/share/perl5'));
  mkdirSync(join(r, 'etc/pve/priv/storage/joviandss'), { recursive: true });
  if (cfg !== undefined) writeFileSync(join(r, 'etc/pve/storage.cfg'), cfg);
  for (const [f, text] of Object.entries(pw)) writeFileSync(join(r, 'etc/pve/priv/storage', f), text, { mode: 0o600 });
  return r;
}

function check(r: string, perl5lib: string[]) {
  const p = spawnSync('perl', ['scripts/storage-cfg-check.pl'], {
    encoding: 'utf8',
    env: { ...process.env, DPKG_ROOT: r, PERL5LIB: perl5lib.join(':'), PVE_TEST_CFS_DIR: join(r, 'etc/pve') },
  });
  return { code: p.status, lines: p.stdout.split('\n').filter(Boolean), stderr: p.stderr };
}

const CFG = `joviandss: ok-one
	pool_name Pool-0
	data_addresses 192.168.29.102
	user_password hunter2-from-cfg

joviandss: no-data
	pool_name Pool-1
	control_addresses 192.168.28.102

joviandss: bad-value
	pool_name Pool-2
	data_addresses 192.168.29.104
	luns_per_target lots
garbage-line

nfs: somebody-elses
	server 192.168.31.1
	export /srv
	path /mnt/pve/other
`;
const PW = {
  'ok-one.pw': 'user_password ours-already\n',
  'joviandss/ok-one.pw': 'user_password open-e-old\n',
  'no-data.pw': 'user_password x\n',
  'joviandss/bad-value.pw': 'user_password from-open-e\n',
};

(pveLib ? test : test.skip)(
  'with the real Proxmox code: skipped sections, refused values and odd lines named; nothing printed for the rest',
  () => {
    const r = root(CFG, PW);
    const out = check(r, pveLib!);
    expect(out.code).toBe(0);
    expect(out.lines).toEqual([
      expect.stringMatching(
        /^jdssc: storage 'no-data' \(joviandss\): Proxmox skips this storage \(.*'data_addresses'.*\): check its section in \/etc\/pve\/storage.cfg$/,
      ),
      "jdssc: storage 'bad-value' (joviandss): values refused: luns_per_target (type check ('integer') failed) (fix them in /etc/pve/storage.cfg); " +
        '1 line(s) Proxmox cannot read in its section; password file copied from /etc/pve/priv/storage/joviandss/bad-value.pw to /etc/pve/priv/storage/bad-value.pw (the old one stays)',
    ]);
    expect(out.stderr).toBe('');
    // no value of the file in what it says; a password file of ours is never replaced
    expect(out.lines.join('\n')).not.toMatch(/hunter2|lots|garbage/);
    expect(readFileSync(join(r, 'etc/pve/priv/storage/ok-one.pw'), 'utf8')).toBe('user_password ours-already\n');
    expect(readFileSync(join(r, 'etc/pve/priv/storage/bad-value.pw'), 'utf8')).toBe('user_password from-open-e\n');
  },
);

test('the Proxmox code cannot be loaded: one line saying so, the password step still done, exit 0', () => {
  const broken = join(tmp.dir, 'broken-pve');
  mkdirSync(join(broken, 'PVE/Storage'), { recursive: true });
  writeFileSync(join(broken, 'PVE/Storage/Plugin.pm'), 'die "broken on purpose\\n";\n');
  const r = root(CFG, PW);
  const out = check(r, [broken]);
  expect(out.code).toBe(0);
  expect(out.lines[0]).toBe(
    'jdssc: storage.cfg not checked: cannot load the Proxmox storage code (broken on purpose); run `pvesm status` and fix what it warns about',
  );
  expect(out.lines.slice(1)).toEqual([
    "jdssc: storage 'bad-value' (joviandss): password file copied from /etc/pve/priv/storage/joviandss/bad-value.pw to /etc/pve/priv/storage/bad-value.pw (the old one stays)",
  ]);
});

test('no storage.cfg, or none of our sections: silent, exit 0', () => {
  expect(check(root(undefined), [])).toEqual({ code: 0, lines: [], stderr: '' });
  expect(check(root('dir: local\n\tpath /var/lib/vz\n'), [])).toEqual({ code: 0, lines: [], stderr: '' });
});
