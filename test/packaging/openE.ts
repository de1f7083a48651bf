// A stand-in for Open-E's package (open-e-joviandss-proxmox-plugin 1.0.0): its name and the files
// its Makefile installs (open-e/JovianDSS-Proxmox at 122d799: `make install` and jdssc/Makefile,
// Python CLI trimmed to a few modules), with one-line stub contents and no maintainer scripts
// (theirs edit /etc/lvm/lvm.conf of the real host; nothing here may). Also the storage.cfg and
// password files a node that used it has: sections and paths as Open-E's Quick-Start docs show.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const OPEN_E_PACKAGE = 'open-e-joviandss-proxmox-plugin';

/** Every path Open-E's package installs (the Python CLI's modules: a sample). */
export const OPEN_E_FILES = [
  'usr/share/perl5/PVE/Storage/Custom/OpenEJovianDSSNFSPlugin.pm',
  'usr/share/perl5/PVE/Storage/Custom/OpenEJovianDSSPlugin.pm',
  'usr/share/perl5/OpenEJovianDSS/Common.pm',
  'usr/share/perl5/OpenEJovianDSS/Lock.pm',
  'usr/share/perl5/OpenEJovianDSS/NFSCommon.pm',
  'etc/joviandss/multipath-open-e-joviandss.conf.example',
  'etc/multipath/conf.d/open-e-joviandss.conf',
  'etc/udev/rules.d/50-joviandss-scsi-skip-dm.rules',
  'usr/local/bin/jdssc',
  'usr/lib/python3/dist-packages/jdssc/__init__.py',
  'usr/lib/python3/dist-packages/jdssc/nasvolume.py',
  'usr/lib/python3/dist-packages/jdssc/jovian_common/rest.py',
  'usr/share/doc/open-e-joviandss-proxmox-plugin/changelog',
];

/** Builds the stand-in .deb in `dir` and returns its path. */
export function buildOpenEDeb(dir: string): string {
  const stage = join(dir, 'open-e-stage');
  for (const f of OPEN_E_FILES) {
    mkdirSync(dirname(join(stage, f)), { recursive: true });
    writeFileSync(join(stage, f), `# stub of Open-E's ${f}\n`);
  }
  chmodSync(join(stage, 'usr/local/bin/jdssc'), 0o755);
  mkdirSync(join(stage, 'DEBIAN'));
  writeFileSync(
    join(stage, 'DEBIAN/control'),
    [
      `Package: ${OPEN_E_PACKAGE}`,
      'Version: 1.0.0',
      'Section: admin',
      'Priority: optional',
      'Architecture: all',
      'Depends: python3-oslo.utils (>= 3.36), python3-yaml (>= 3.13), python3-requests, multipath-tools, sg3-utils, open-iscsi, python3-retry, libstring-util-perl',
      'Maintainer: stand-in <stand-in@jdssc.invalid>',
      "Description: stand-in for Open-E's JovianDSS storage plugin for Proxmox VE",
      '',
    ].join('\n'),
  );
  const deb = join(dir, `${OPEN_E_PACKAGE}_1.0.0_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', stage, deb], { stdio: 'ignore' });
  return deb;
}

/** Open-E's sections as its Quick-Start guides print them (with debug; jdss-nfs-02 has no password file). */
export const OPEN_E_STORAGE_CFG = `dir: local
	path /var/lib/vz
	content iso,vztmpl,backup

joviandss: jdss-Pool-0
	pool_name Pool-0
	user_name admin
	content images,rootdir
	ssl_cert_verify 0
	control_addresses 192.168.21.100
	data_addresses 192.168.41.100
	path /mnt/pve/jdss-Pool-0
	create-base-path 1
	shared 1
	debug 1
	log_file /var/log/joviandss/joviandss-pool-0.log

joviandss-nfs: jdss-nfs-01
	server 192.168.31.152
	export /Pools/Pool-1/datastore-pve-01
	path /mnt/pve/jdss-nfs-01
	user_name admin
	ssl_cert_verify 0
	content iso,vztmpl,backup,snippets,import,images,rootdir
	shared 1
	debug 1

joviandss-nfs: jdss-nfs-02
	server 192.168.31.152
	export /Pools/Pool-1/isos
	path /mnt/pve/jdss-nfs-02
	user_name admin
	content iso,vztmpl
	shared 1
`;

/** storage.cfg and Open-E's password files (mode 0600, in /etc/pve/priv/storage/<type>/) in `root`. */
export function writeOpenEConfig(root: string): { iscsiPw: string; nfsPw: string } {
  const priv = join(root, 'etc/pve/priv/storage');
  mkdirSync(join(priv, 'joviandss'), { recursive: true, mode: 0o700 });
  mkdirSync(join(priv, 'joviandss-nfs'), { recursive: true, mode: 0o700 });
  writeFileSync(join(root, 'etc/pve/storage.cfg'), OPEN_E_STORAGE_CFG);
  const iscsiPw = join(priv, 'joviandss/jdss-Pool-0.pw');
  const nfsPw = join(priv, 'joviandss-nfs/jdss-nfs-01.pw');
  writeFileSync(iscsiPw, 'user_password iscsi-test-password\n', { mode: 0o600 });
  writeFileSync(nfsPw, 'user_password nfs-test-password\n', { mode: 0o600 });
  return { iscsiPw, nfsPw };
}
