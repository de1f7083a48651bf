// Data path in the test VM: the in-kernel LIO target, driven through configfs (no targetcli).
// Unlike tgt it serves a disk at LUN 0 (so the array's LUN numbers are used as they are) and
// answers sendtargets with every portal of the portal group, as the appliance does.
//
// Needs (checked at start): target_core_mod, target_core_file and iscsi_target_mod loaded and
// configfs mounted on /sys/kernel/config (the test VM's Debian kernel ships all three).
//
// Per REST target: iscsi/<iqn>/tpgt_1 with one network portal per assigned VIP address, in
// demo mode (generate_node_acls=1, writable), because the initiator that will log in is not
// known in advance. CHAP therefore lives at TPG level: dynamic (demo-mode) sessions
// authenticate against tpgt_1/auth/{userid,password} (the kernel's tpg_demo_auth), enforced by
// attrib/authentication=1. Only one user fits there: the first incoming user is enforced.
// Per REST LUN: a fileio backstore core/fileio_<hba>/<pool>@<volume> on the zvol's image, with
// wwn/vpd_unit_serial = the JovianDSS-style WWID and the INQUIRY vendor/product of the
// appliance (SCST_BIO, volume name), linked at tpgt_1/lun/lun_<n>.
// Not modelled: per-LUN read-only (demo mode write-protects a whole TPG or nothing), and a
// session's address (configfs lists only the initiator names of demo-mode sessions).
import type { LunExport, TargetSettings } from '../model/backend';
import type { SessionRec } from '../model/model';
import { APPLIANCE_VENDOR_ID, enforcedUsers, ExportingBackend, joviandssWwid, type ChapUser, type ExportedTarget } from './base';
import { nodeConfigFs, type ConfigFs } from './configfs';
import type { ImageStore } from './files';
import { freePortOn } from './ports';

export const LIO_ROOT = '/sys/kernel/config/target';

export interface LioBackendOptions {
  images: ImageStore;
  /** The pools' VIP addresses (used to pick a port when port is 0). */
  addresses: string[];
  port: number;
  root?: string;
  fs?: ConfigFs;
  /** fileio HBA index: core/fileio_<hba> holds only this simulator's backstores. */
  hba?: number;
  /** INQUIRY vendor (8 chars max); default APPLIANCE_VENDOR_ID. */
  vendorId?: string;
}

/** An INQUIRY ASCII field: printable ASCII only (the kernel refuses anything else), cut to `max`. */
export function inquiryText(s: string, max: number): string {
  return s.replace(/[^\x20-\x7e]/g, '_').slice(0, max);
}

export class LioBackend extends ExportingBackend {
  private readonly root: string;
  private readonly fs: ConfigFs;
  private readonly hbaDir: string;
  private readonly vendorId: string;

  private constructor(
    o: LioBackendOptions,
    readonly port: number,
  ) {
    super(o.images);
    this.root = o.root ?? LIO_ROOT;
    this.fs = o.fs ?? nodeConfigFs;
    this.hbaDir = `${this.root}/core/fileio_${o.hba ?? 7}`;
    this.vendorId = inquiryText(o.vendorId ?? APPLIANCE_VENDOR_ID, 8);
  }

  static async start(o: LioBackendOptions): Promise<LioBackend> {
    const port = o.port || (await freePortOn(o.addresses));
    const b = new LioBackend(o, port);
    if (!(await b.fs.exists(`${b.root}/core`))) {
      throw new Error(
        `data path (LIO): ${b.root}/core not found; load target_core_mod, target_core_file and iscsi_target_mod, and mount configfs (mount -t configfs configfs /sys/kernel/config)`,
      );
    }
    // mkdir of the fabric directory is what registers the iSCSI fabric with the target core.
    if (!(await b.fs.exists(`${b.root}/iscsi`))) await b.fs.mkdir(`${b.root}/iscsi`);
    if (!(await b.fs.exists(b.hbaDir))) await b.fs.mkdir(b.hbaDir);
    return b;
  }

  tpgPath(target: string): string {
    return `${this.root}/iscsi/${target}/tpgt_1`;
  }

  backstorePath(pool: string, volume: string): string {
    return `${this.hbaDir}/${pool}@${volume}`;
  }

  protected async createTarget(t: ExportedTarget): Promise<void> {
    const iqn = `${this.root}/iscsi/${t.name}`;
    if (await this.fs.exists(iqn)) await this.removeTree(iqn); // left over by a crashed run
    await this.fs.mkdir(iqn);
    const tpg = this.tpgPath(t.name);
    await this.fs.mkdir(tpg);
    // Demo mode: any initiator may log in and sees every LUN, writable.
    await this.fs.write(`${tpg}/attrib/generate_node_acls`, '1');
    await this.fs.write(`${tpg}/attrib/cache_dynamic_acls`, '1');
    await this.fs.write(`${tpg}/attrib/demo_mode_write_protect`, '0');
    await this.applyUsers(t, []);
    for (const address of this.addresses(t)) await this.fs.mkdir(`${tpg}/np/${address}:${this.port}`);
    if (t.settings.active) await this.fs.write(`${tpg}/enable`, '1');
  }

  protected async updateTarget(t: ExportedTarget, previous: TargetSettings): Promise<void> {
    const tpg = this.tpgPath(t.name);
    const want = new Set(this.addresses(t).map((a) => `${a}:${this.port}`));
    const have = await this.portals(t.name);
    for (const np of have) if (!want.has(np)) await this.fs.rmdir(`${tpg}/np/${np}`);
    for (const np of want) if (!have.includes(np)) await this.fs.mkdir(`${tpg}/np/${np}`);
    if (previous.incomingUsersActive !== t.settings.incomingUsersActive) await this.applyUsers(t, t.users);
    if (previous.active !== t.settings.active) await this.fs.write(`${tpg}/enable`, t.settings.active ? '1' : '0');
  }

  protected async deleteTarget(t: ExportedTarget): Promise<void> {
    for (const lun of t.luns.values()) await this.removeLun(t, lun);
    await this.removeTree(`${this.root}/iscsi/${t.name}`);
  }

  protected async addLun(t: ExportedTarget, lun: LunExport): Promise<void> {
    const dev = this.backstorePath(t.pool, lun.volume);
    if (await this.fs.exists(dev)) await this.fs.rmdir(dev); // left over; refused if still exported
    await this.fs.mkdir(dev);
    await this.fs.write(`${dev}/control`, `fd_dev_name=${this.imageOf(t, lun)},fd_dev_size=${lun.sizeBytes}`);
    // The serial can only be set while nothing exports the device. It carries the JovianDSS WWID,
    // which the test VM's udev rule makes the disk's ID_SERIAL (test/e2e/README.md).
    await this.fs.write(`${dev}/wwn/vpd_unit_serial`, joviandssWwid(lun.scsiId));
    // INQUIRY identity of the appliance's SCST vdisk (as on tgt), so host-side settings keyed on
    // it apply — the shipped multipath drop-in matches vendor ^SCST_ (LIO answers LIO-ORG,
    // FILEIO otherwise). Also frozen once exported. Kernels before 4.19 / 5.10 lack the files.
    await this.writeIfPresent(`${dev}/wwn/vendor_id`, this.vendorId);
    await this.writeIfPresent(`${dev}/wwn/product_id`, inquiryText(lun.volume, 16));
    await this.fs.write(`${dev}/enable`, '1');
    const dir = `${this.tpgPath(t.name)}/lun/lun_${lun.lun}`;
    await this.fs.mkdir(dir);
    await this.fs.symlink(dev, `${dir}/${lun.volume}`);
  }

  protected async removeLun(t: ExportedTarget, lun: LunExport): Promise<void> {
    const dir = `${this.tpgPath(t.name)}/lun/lun_${lun.lun}`;
    if (await this.fs.exists(dir)) await this.removeLunDir(dir);
    const dev = this.backstorePath(t.pool, lun.volume);
    if (await this.fs.exists(dev)) await this.fs.rmdir(dev);
  }

  protected async applyUsers(t: ExportedTarget, _previous: ChapUser[]): Promise<void> {
    const tpg = this.tpgPath(t.name);
    const user = enforcedUsers(t)[0];
    if (user) {
      await this.fs.write(`${tpg}/auth/userid`, user.name);
      await this.fs.write(`${tpg}/auth/password`, user.password);
    }
    await this.fs.write(`${tpg}/attrib/authentication`, user ? '1' : '0');
  }

  protected async sessions(t: ExportedTarget): Promise<SessionRec[]> {
    const text = await this.fs.read(`${this.tpgPath(t.name)}/dynamic_sessions`).catch(() => '');
    // The kernel ends each initiator name with a NUL (target_show_dynamic_sessions).
    return text
      .split(/[\n\0]/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((initiator, i) => ({ target_name: t.name, cid: '0', ip: '', sid: String(i + 1), initiator_name: initiator }));
  }

  protected async shutdown(): Promise<void> {
    // Our HBA goes once it is empty; anything else left there is not ours to remove.
    if ((await this.fs.exists(this.hbaDir)) && (await this.subdirs(this.hbaDir)).length === 0) await this.fs.rmdir(this.hbaDir);
  }

  private async writeIfPresent(path: string, value: string): Promise<void> {
    if (await this.fs.exists(path)) await this.fs.write(path, value);
  }

  private addresses(t: ExportedTarget): string[] {
    return [...new Set(t.settings.assignedVipAddresses)];
  }

  private async portals(target: string): Promise<string[]> {
    return this.subdirs(`${this.tpgPath(target)}/np`);
  }

  /** Subdirectories; in np/, acls/, lun/ and an HBA these are exactly the objects made by mkdir. */
  private async subdirs(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const name of await this.fs.list(dir)) if (await this.fs.isDir(`${dir}/${name}`)) out.push(name);
    return out;
  }

  private async removeLunDir(dir: string): Promise<void> {
    for (const name of await this.fs.list(dir)) if (await this.fs.isLink(`${dir}/${name}`)) await this.fs.unlink(`${dir}/${name}`);
    await this.fs.rmdir(dir);
  }

  /** iscsi/<iqn> and everything made under it, children before parents. */
  private async removeTree(iqnDir: string): Promise<void> {
    for (const tpgName of (await this.fs.list(iqnDir)).filter((n) => n.startsWith('tpgt_'))) {
      const tpg = `${iqnDir}/${tpgName}`;
      if ((await this.fs.read(`${tpg}/enable`).catch(() => '0')).trim() === '1') await this.fs.write(`${tpg}/enable`, '0');
      for (const acl of await this.subdirs(`${tpg}/acls`)) {
        for (const m of (await this.fs.list(`${tpg}/acls/${acl}`)).filter((n) => n.startsWith('lun_')))
          await this.removeLunDir(`${tpg}/acls/${acl}/${m}`);
        await this.fs.rmdir(`${tpg}/acls/${acl}`);
      }
      for (const lun of (await this.fs.list(`${tpg}/lun`)).filter((n) => n.startsWith('lun_')))
        await this.removeLunDir(`${tpg}/lun/${lun}`);
      for (const np of await this.subdirs(`${tpg}/np`)) await this.fs.rmdir(`${tpg}/np/${np}`);
      await this.fs.rmdir(tpg);
    }
    await this.fs.rmdir(iqnDir);
  }
}
