// A fake LIO configfs on a real temp directory, strict where the kernel is: mkdir only where
// configfs has a group and it creates the object's attribute files and default groups; writes
// only to attributes that exist and are writable; rmdir refused while user-made children or
// links remain or while a LUN links a device; a device enables only once configured; its
// serial is frozen once exported; a TPG refuses to be enabled twice (pre-5.16 kernels).
// Every write is journaled so tests can check values byte for byte (no trailing newline).
import { lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { ConfigFs } from '../../../src/simulator/dataPath/configfs';

type Rule = { re: RegExp; attrs: string[]; ro?: string[]; groups: Record<string, string[]> };

const TPG_ATTRIB = [
  'authentication',
  'login_timeout',
  'netif_timeout',
  'generate_node_acls',
  'default_cmdsn_depth',
  'cache_dynamic_acls',
  'demo_mode_write_protect',
  'prod_mode_write_protect',
  'demo_mode_discovery',
  'default_erl',
  't10_pi',
  'fabric_prot_type',
  'tpg_enabled_sendtargets',
];
const AUTH = ['userid', 'password', 'authenticate_target', 'userid_mutual', 'password_mutual'];

// Paths relative to the target root (/sys/kernel/config/target).
const RULES: Rule[] = [
  { re: /^iscsi$/, attrs: [], groups: { discovery_auth: ['enforce_discovery_auth', ...AUTH] } },
  { re: /^core\/fileio_\d+$/, attrs: ['hba_info', 'hba_mode'], ro: ['hba_info'], groups: {} },
  {
    re: /^core\/fileio_\d+\/[^/]+$/,
    attrs: ['control', 'enable', 'info', 'udev_path', 'alias'],
    ro: ['info'],
    groups: {
      wwn: ['vpd_unit_serial', 'vpd_protocol_identifier', 'company_id', 'vendor_id', 'product_id', 'revision'],
      attrib: ['block_size', 'emulate_tpu'],
      pr: [],
      alua: [],
      statistics: [],
    },
  },
  { re: /^iscsi\/iqn\.[^/]+$/, attrs: ['lio_version'], ro: ['lio_version'], groups: { fabric_statistics: [] } },
  {
    re: /^iscsi\/iqn\.[^/]+\/tpgt_\d+$/,
    attrs: ['enable', 'dynamic_sessions'],
    ro: ['dynamic_sessions'],
    groups: { lun: [], acls: [], np: [], attrib: TPG_ATTRIB, auth: AUTH, param: ['AuthMethod'] },
  },
  { re: /^iscsi\/iqn\.[^/]+\/tpgt_\d+\/lun\/lun_\d+$/, attrs: [], groups: { alua_tg_pt_gp: [], statistics: [] } },
  { re: /^iscsi\/iqn\.[^/]+\/tpgt_\d+\/np\/\d+\.\d+\.\d+\.\d+:\d+$/, attrs: ['iser', 'cxgbit'], groups: {} },
  {
    re: /^iscsi\/iqn\.[^/]+\/tpgt_\d+\/acls\/[^/]+$/,
    attrs: ['info', 'cmdsn_depth', 'tag'],
    ro: ['info'],
    groups: { attrib: [], auth: AUTH, param: [], fabric_statistics: [] },
  },
  { re: /^iscsi\/iqn\.[^/]+\/tpgt_\d+\/acls\/[^/]+\/lun_\d+$/, attrs: ['write_protect'], groups: {} },
];

const err = (code: string, msg: string) => Object.assign(new Error(`${code}: ${msg}`), { code });

export class FakeConfigfs implements ConfigFs {
  readonly journal: { path: string; value: string }[] = [];
  private readonly made = new Set<string>(); // user-made objects (relative paths)
  private readonly links = new Map<string, string>(); // link → device (relative)
  private readonly readOnly = new Set<string>();

  /** root = a temp dir standing for /sys/kernel/config/target; `core` exists as after modprobe. */
  constructor(readonly root: string) {
    mkdirSync(`${root}/core`, { recursive: true });
  }

  private rel(path: string): string {
    const r = relative(this.root, path);
    if (r.startsWith('..')) throw err('ENOENT', `${path} is outside the fake configfs`);
    return r;
  }

  async exists(path: string) {
    try {
      lstatSync(path);
      return true;
    } catch {
      return false;
    }
  }

  async mkdir(path: string) {
    const r = this.rel(path);
    const rule = RULES.find((x) => x.re.test(r));
    if (!rule) throw err('EPERM', `configfs has no group for mkdir ${r}`);
    if (await this.exists(path)) throw err('EEXIST', r);
    mkdirSync(path); // the parent must exist: ENOENT otherwise, as in configfs
    this.made.add(r);
    for (const a of rule.attrs) writeFileSync(`${path}/${a}`, a === 'enable' ? '0\n' : '');
    for (const a of rule.ro ?? []) this.readOnly.add(`${r}/${a}`);
    for (const [g, attrs] of Object.entries(rule.groups)) {
      mkdirSync(`${path}/${g}`);
      for (const a of attrs) writeFileSync(`${path}/${g}/${a}`, '');
    }
  }

  async rmdir(path: string) {
    const r = this.rel(path);
    if (!this.made.has(r)) throw err('EPERM', `${r} was not made by mkdir`);
    const inside = [...this.made].filter((m) => m.startsWith(`${r}/`));
    const linksInside = [...this.links.keys()].filter((l) => l.startsWith(`${r}/`));
    if (inside.length || linksInside.length) throw err('ENOTEMPTY', `${r} still holds ${[...inside, ...linksInside].join(', ')}`);
    if ([...this.links.values()].includes(r)) throw err('EBUSY', `${r} is exported by a LUN`);
    rmSync(path, { recursive: true });
    this.made.delete(r);
  }

  async write(path: string, value: string) {
    const r = this.rel(path);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      throw err('ENOENT', `no attribute ${r}`);
    }
    if (!st.isFile()) throw err('EISDIR', r);
    if (this.readOnly.has(r)) throw err('EACCES', `${r} is read-only`);
    const dev = /^(core\/fileio_\d+\/[^/]+)\/(enable|wwn\/vpd_unit_serial|wwn\/vendor_id|wwn\/product_id|control)$/.exec(r);
    if (dev && dev[2] === 'enable' && value === '1') {
      const control = readFileSync(`${this.root}/${dev[1]}/control`, 'utf8');
      if (!/fd_dev_name=/.test(control) || !/fd_dev_size=\d+/.test(control)) throw err('EINVAL', `${dev[1]} is not configured`);
      if (readFileSync(path, 'utf8').trim() === '1') throw err('EEXIST', `${dev[1]} already enabled`);
    }
    if (dev && dev[2].startsWith('wwn/') && [...this.links.values()].includes(dev[1]))
      throw err('EINVAL', `${dev[1]} is exported: ${dev[2]} is frozen`);
    // INQUIRY fields: printable ASCII, vendor 8 and product 16 characters at most (-EOVERFLOW).
    const inquiry = { 'wwn/vendor_id': 8, 'wwn/product_id': 16 }[dev?.[2] ?? ''];
    if (inquiry !== undefined && (value.length > inquiry || /[^\x20-\x7e]/.test(value)))
      throw err('EINVAL', `${r}: not printable ASCII of at most ${inquiry} characters`);
    const tpgEnable = /^iscsi\/[^/]+\/tpgt_\d+\/enable$/.test(r);
    if (tpgEnable && readFileSync(path, 'utf8').trim() === value.trim()) throw err('EINVAL', `${r} already ${value}`);
    this.journal.push({ path: r, value });
    writeFileSync(path, tpgEnable ? `${value}\n` : value);
  }

  async read(path: string) {
    return readFileSync(path, 'utf8');
  }

  async symlink(target: string, path: string) {
    const rt = this.rel(target);
    const rp = this.rel(path);
    if (!/^iscsi\/[^/]+\/tpgt_\d+\/(lun\/lun_\d+|acls\/[^/]+\/lun_\d+)\/[^/]+$/.test(rp)) throw err('EPERM', `no link allowed at ${rp}`);
    if (rp.includes('/lun/') && !(/^core\/fileio_\d+\/[^/]+$/.test(rt) && readFileSync(`${target}/enable`, 'utf8').trim() === '1'))
      throw err('ENODEV', `${rt} is not an enabled device`);
    symlinkSync(target, path);
    this.links.set(rp, rt);
  }

  async unlink(path: string) {
    const r = this.rel(path);
    if (!this.links.delete(r)) throw err('EPERM', `${r} is not a link`);
    unlinkSync(path);
  }

  async list(path: string) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  }

  async isLink(path: string) {
    return this.exists(path).then((e) => e && lstatSync(path).isSymbolicLink());
  }

  async isDir(path: string) {
    return this.exists(path).then((e) => e && lstatSync(path).isDirectory());
  }

  /** What the kernel lists: each initiator name ended by a NUL (target_show_dynamic_sessions). */
  setDynamicSessions(target: string, initiators: string[]): void {
    writeFileSync(`${this.root}/iscsi/${target}/tpgt_1/dynamic_sessions`, initiators.map((i) => `${i}\0`).join(''));
  }

  value(rel: string): string {
    return readFileSync(`${this.root}/${rel}`, 'utf8');
  }

  /** Objects made and not removed (relative paths), for "nothing left behind" checks. */
  objects(): string[] {
    return [...this.made].sort();
  }
}
