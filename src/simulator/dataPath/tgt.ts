// Data path on the host: the userspace target tgt. What the REST API publishes becomes real
// iSCSI targets that libiscsi (and, in a VM, open-iscsi) can log in to.
//
// Layout: one tgtd per VIP address (portal `<vip>:<port>`), because tgt's portals are global
// to a daemon while a JovianDSS target listens only on its assigned VIPs. A REST target exists
// in the daemons of its assigned VIPs, under the same tid everywhere; its LUs are backed by
// the same image file in each (consistent through the page cache), like two paths to one zvol.
//
// Quirks (documented in the simulator README):
// * tgt's LUN 0 is always its controller LU, so array LUN n is served as tgt LUN n + 1
//   (tgtLun()). A host's by-path name therefore ends in `-lun-<n+1>`; use LIO for LUN-exact runs.
// * Sendtargets on tgt answers only with the portal asked (the appliance lists every VIP).
// * CHAP accounts are global to a daemon: the same user name with another password on a second
//   target replaces the account's password for every target bound to it (last writer wins).
// * The LU size is read when the LU is created: a resize or rollback re-creates the LU.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LunExport, TargetSettings } from '../model/backend';
import type { SessionRec } from '../model/model';
import { APPLIANCE_VENDOR_ID, enforcedUsers, ExportingBackend, joviandssWwid, type ChapUser, type ExportedTarget } from './base';
import type { Exec } from './exec';
import type { ImageStore } from './files';
import { freePortOn } from './ports';
import { TgtDaemon } from './tgtDaemon';

/** tgt's LUN 0 is a controller LU that cannot be removed: disks start at LUN 1. */
export const TGT_LUN_OFFSET = 1;
export const tgtLun = (arrayLun: number): number => arrayLun + TGT_LUN_OFFSET;

export interface TgtBackendOptions {
  images: ImageStore;
  /** Portal addresses (the pools' VIPs, loopback): one tgtd each. */
  addresses: string[];
  /** iSCSI port on every address; 0 picks one that is free on all of them. */
  port: number;
  /** Where tgtd logs go (tgtd-<address>.log); default the image store's data dir. */
  logDir?: string;
  tgtd?: string;
  tgtadm?: string;
  exec?: Exec;
  /** Initiators allowed in (tgt ACL by address); default loopback. */
  initiatorAcl?: string;
  /** INQUIRY vendor (8 chars max); default APPLIANCE_VENDOR_ID. */
  vendorId?: string;
}

interface Account {
  password: string;
  tids: Set<number>;
}

/** A REST target as tgt serves it: one tid in every daemon, the daemons it exists in. */
interface Served {
  tid: number;
  on: Set<string>;
  lockSecret?: string; // password of its locked account (see syncUsers)
}

export class TgtBackend extends ExportingBackend {
  readonly daemons = new Map<string, TgtDaemon>();
  private readonly served = new Map<string, Served>(); // by target name, from createTarget to deleteTarget
  private nextTid = 1;
  private readonly accounts = new Map<string, Map<string, Account>>(); // address → user → account
  private runDir = '';

  private constructor(
    private readonly o: TgtBackendOptions,
    readonly port: number,
  ) {
    super(o.images);
  }

  /** Starts one tgtd per address; on any failure the ones already started are stopped. */
  static async start(o: TgtBackendOptions): Promise<TgtBackend> {
    if (o.addresses.length === 0) throw new Error('data path: the pools have no VIP address to serve iSCSI on');
    const port = o.port || (await freePortOn(o.addresses));
    const b = new TgtBackend(o, port);
    // The control sockets: under the data dir (cleaned with it even after a crash) unless that
    // path is too long for a unix socket (108 bytes), then in a private temp directory.
    const logDir = o.logDir ?? o.images.dataDir;
    const inData = join(logDir, '.tgt');
    if (Buffer.byteLength(inData) <= 80) {
      await rm(inData, { recursive: true, force: true }); // sockets of a run that was killed
      await mkdir(inData, { mode: 0o700 });
      b.runDir = inData;
    } else b.runDir = await mkdtemp(join(tmpdir(), 'jdssc-tgt-'));
    try {
      for (const [i, address] of o.addresses.entries()) {
        const d = new TgtDaemon({
          address,
          port,
          socket: join(b.runDir, `tgtd${i}.sock`),
          logFile: join(logDir, `tgtd-${address}.log`),
          tgtd: o.tgtd,
          tgtadm: o.tgtadm,
          exec: o.exec,
        });
        b.daemons.set(address, d);
        b.accounts.set(address, new Map());
        await d.start();
      }
    } catch (e) {
      await b.shutdown();
      throw e;
    }
    return b;
  }

  protected async createTarget(t: ExportedTarget): Promise<void> {
    this.served.set(t.name, { tid: this.nextTid++, on: new Set() });
    for (const address of this.wanted(t)) await this.createOn(address, t);
  }

  protected async updateTarget(t: ExportedTarget, previous: TargetSettings): Promise<void> {
    const have = this.of(t).on;
    const want = new Set(this.wanted(t));
    for (const address of [...have]) if (!want.has(address)) await this.deleteOn(address, t);
    for (const address of want) {
      if (!have.has(address)) await this.createOn(address, t);
      else {
        if (previous.active !== t.settings.active) await this.setState(address, t);
        await this.syncUsers(address, t);
      }
    }
  }

  protected async deleteTarget(t: ExportedTarget): Promise<void> {
    for (const address of [...this.of(t).on]) await this.deleteOn(address, t);
    this.served.delete(t.name);
  }

  protected async addLun(t: ExportedTarget, lun: LunExport): Promise<void> {
    for (const address of this.of(t).on) await this.addLunOn(address, t, lun);
  }

  protected async removeLun(t: ExportedTarget, lun: LunExport): Promise<void> {
    const { tid, on } = this.of(t);
    for (const address of on) {
      await this.daemon(address).must(['--op', 'delete', '--mode', 'logicalunit', '--tid', String(tid), '--lun', String(tgtLun(lun.lun))]);
    }
  }

  protected async applyUsers(t: ExportedTarget, _previous: ChapUser[]): Promise<void> {
    for (const address of this.of(t).on) await this.syncUsers(address, t);
  }

  protected async sessions(t: ExportedTarget): Promise<SessionRec[]> {
    const { tid, on } = this.of(t);
    const out: SessionRec[] = [];
    for (const address of on) {
      const r = await this.daemon(address).tgtadm(['--op', 'show', '--mode', 'conn', '--tid', String(tid)]);
      if (r.code === 0) out.push(...parseConnections(r.stdout, t.name));
    }
    return out;
  }

  protected async shutdown(): Promise<void> {
    await Promise.all([...this.daemons.values()].map((d) => d.stop()));
    if (this.runDir) await rm(this.runDir, { recursive: true, force: true });
  }

  private daemon(address: string): TgtDaemon {
    return this.daemons.get(address)!;
  }

  /** Set for every target the base record holds: createTarget adds it before any await. */
  private of(t: ExportedTarget): Served {
    const served = this.served.get(t.name);
    if (!served) throw new Error(`data path: target ${t.name} is not served by tgt`);
    return served;
  }

  /** The target's VIP addresses that a daemon of ours serves. */
  private wanted(t: ExportedTarget): string[] {
    return [...new Set(t.settings.assignedVipAddresses)].filter((a) => this.daemons.has(a));
  }

  private async createOn(address: string, t: ExportedTarget): Promise<void> {
    const d = this.daemon(address);
    const served = this.of(t);
    const tid = String(served.tid);
    await d.must(['--op', 'new', '--mode', 'target', '--tid', tid, '-T', t.name]);
    served.on.add(address);
    await d.must(['--op', 'bind', '--mode', 'target', '--tid', tid, '--initiator-address', this.o.initiatorAcl ?? '127.0.0.0/8']);
    if (!t.settings.active) await this.setState(address, t);
    for (const lun of t.luns.values()) await this.addLunOn(address, t, lun);
    await this.syncUsers(address, t);
  }

  private async deleteOn(address: string, t: ExportedTarget): Promise<void> {
    const { tid, on } = this.of(t);
    await this.daemon(address).must(['--op', 'delete', '--mode', 'target', '--tid', String(tid), '--force']);
    on.delete(address);
    for (const [user, account] of this.accounts.get(address)!) {
      if (account.tids.delete(tid) && account.tids.size === 0) await this.dropAccount(address, user);
    }
  }

  private async setState(address: string, t: ExportedTarget): Promise<void> {
    const state = t.settings.active ? 'ready' : 'offline';
    await this.daemon(address).must(['--op', 'update', '--mode', 'target', '--tid', String(this.of(t).tid), '-n', 'state', '-v', state]);
  }

  private async addLunOn(address: string, t: ExportedTarget, lun: LunExport): Promise<void> {
    const d = this.daemon(address);
    const base = ['--mode', 'logicalunit', '--tid', String(this.of(t).tid), '--lun', String(tgtLun(lun.lun))];
    await d.must(['--op', 'new', ...base, '-b', this.imageOf(t, lun)]);
    // The unit serial (VPD 0x80) carries the JovianDSS WWID: tgt sends no EUI-64 designator (where
    // the appliance's `2<hex>` names come from), so the test VM's udev rule takes the serial
    // instead. scsi_id gives a stable NAA id per volume, the same on every path.
    const params = [
      `scsi_sn=${joviandssWwid(lun.scsiId)}`,
      `scsi_id=${lun.scsiId}`,
      `vendor_id=${(this.o.vendorId ?? APPLIANCE_VENDOR_ID).slice(0, 8)}`,
      `product_id=${lun.volume.slice(0, 16)}`,
      `readonly=${lun.readonly ? 1 : 0}`,
    ];
    await d.must(['--op', 'update', ...base, '--params', params.join(',')]);
  }

  /** Bind exactly the enforced users to the target on this daemon. */
  private async syncUsers(address: string, t: ExportedTarget): Promise<void> {
    const d = this.daemon(address);
    const served = this.of(t);
    const { tid } = served;
    const accounts = this.accounts.get(address)!;
    const want = new Map(enforcedUsers(t).map((u) => [u.name, u.password]));
    // CHAP on with no user yet (publish creates the target, then adds the user): tgt would let
    // anyone in, the appliance lets no one in. An account nobody knows gives the latter.
    if (t.settings.incomingUsersActive && want.size === 0) {
      served.lockSecret ??= randomBytes(12).toString('hex');
      want.set(`jdssc-locked-${tid}`, served.lockSecret);
    }
    for (const [user, account] of accounts) {
      if (!account.tids.has(tid) || want.get(user) === account.password) continue;
      await d.must(['--op', 'unbind', '--mode', 'account', '--tid', String(tid), '--user', user]);
      account.tids.delete(tid);
      if (account.tids.size === 0) await this.dropAccount(address, user);
    }
    for (const [user, password] of want) {
      let account = accounts.get(user);
      if (account?.tids.has(tid)) continue;
      if (!account || account.password !== password) {
        const rebind = account ? [...account.tids] : [];
        if (account) await this.dropAccount(address, user); // deleting an account unbinds it everywhere
        await d.must(['--op', 'new', '--mode', 'account', '--user', user, '--password', password]);
        account = { password, tids: new Set() };
        accounts.set(user, account);
        for (const other of rebind) {
          await d.must(['--op', 'bind', '--mode', 'account', '--tid', String(other), '--user', user]);
          account.tids.add(other);
        }
      }
      await d.must(['--op', 'bind', '--mode', 'account', '--tid', String(tid), '--user', user]);
      account.tids.add(tid);
    }
  }

  private async dropAccount(address: string, user: string): Promise<void> {
    await this.daemon(address).must(['--op', 'delete', '--mode', 'account', '--user', user]);
    this.accounts.get(address)!.delete(user);
  }
}

/** `tgtadm --op show --mode conn --tid N` → the appliance's session records. */
export function parseConnections(text: string, target: string): SessionRec[] {
  const out: SessionRec[] = [];
  let current: SessionRec | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Session: (\d+)$/.exec(line))) {
      current = { target_name: target, cid: '0', ip: '', sid: m[1], initiator_name: '' };
      out.push(current);
    } else if (!current) continue;
    else if ((m = /^Connection: (\d+)$/.exec(line))) current.cid = m[1];
    else if ((m = /^Initiator: (\S+)/.exec(line))) current.initiator_name = m[1];
    else if ((m = /^IP Address: (\S+)$/.exec(line))) current.ip = m[1];
  }
  return out;
}
