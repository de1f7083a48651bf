// What tgt and LIO backends share: the record of what is exported (targets, their LUNs,
// settings and CHAP users, by target name — names are global on the appliance), the zvol
// images, one-at-a-time execution, and the REST semantics a real target lacks: a rename
// rebuilds the target under its new name, a resize or rollback re-exports the LUN so the target
// reads the new size.
import type { DataEvent, LunExport, TargetBackend, TargetSettings } from '../model/backend';
import type { SessionRec } from '../model/model';
import { euiOf } from '../api/shapes';
import { Serial } from './exec';
import type { ImageStore } from './files';

export interface ChapUser {
  name: string;
  password: string;
}

export interface ExportedTarget {
  pool: string;
  name: string;
  settings: TargetSettings;
  luns: Map<number, LunExport>; // by array (REST) LUN number
  users: ChapUser[];
}

/** The unit serial a JovianDSS LUN shows as WWID: `2` + the eui the REST API reports for it. */
export function joviandssWwid(scsiId: string): string {
  return `2${euiOf(scsiId)}`;
}

/** INQUIRY vendor of SCST's block-I/O vdisk, as the appliance answers (multipath matches ^SCST_). */
export const APPLIANCE_VENDOR_ID = 'SCST_BIO';

/** The CHAP users a target enforces: none unless incoming users are active. */
export function enforcedUsers(t: ExportedTarget): ChapUser[] {
  return t.settings.incomingUsersActive ? t.users : [];
}

export abstract class ExportingBackend implements TargetBackend {
  protected readonly targets = new Map<string, ExportedTarget>();
  private readonly serial = new Serial();

  constructor(readonly images: ImageStore) {}

  // What a concrete target does. Each runs alone (serialised) and sees the updated record.
  protected abstract createTarget(t: ExportedTarget): Promise<void>;
  protected abstract updateTarget(t: ExportedTarget, previous: TargetSettings): Promise<void>;
  protected abstract deleteTarget(t: ExportedTarget): Promise<void>;
  protected abstract addLun(t: ExportedTarget, lun: LunExport): Promise<void>;
  protected abstract removeLun(t: ExportedTarget, lun: LunExport): Promise<void>;
  protected abstract applyUsers(t: ExportedTarget, previous: ChapUser[]): Promise<void>;
  protected abstract sessions(t: ExportedTarget): Promise<SessionRec[]>;
  /** Stop whatever the backend runs (after every target was deleted). */
  protected abstract shutdown(): Promise<void>;

  /** A LUN whose image changed size: tgt and LIO both read the size when the LUN is created. */
  protected async refreshLun(t: ExportedTarget, lun: LunExport): Promise<void> {
    await this.removeLun(t, lun);
    await this.addLun(t, lun);
  }

  protected imageOf(t: ExportedTarget, lun: LunExport): string {
    return this.images.volumePath(t.pool, lun.volume);
  }

  /** What is exported right now (for tests and the control API). */
  exported(): ExportedTarget[] {
    return [...this.targets.values()];
  }

  private run<T>(job: () => Promise<T>): Promise<T> {
    return this.serial.run(job);
  }

  private need(name: string): ExportedTarget {
    const t = this.targets.get(name);
    if (!t) throw new Error(`data path: target ${name} is not exported`);
    return t;
  }

  onTargetCreated(pool: string, name: string, settings: TargetSettings): Promise<void> {
    return this.run(async () => {
      const t: ExportedTarget = { pool, name, settings, luns: new Map(), users: [] };
      this.targets.set(name, t);
      await this.createTarget(t);
    });
  }

  onTargetUpdated(pool: string, name: string, settings: TargetSettings, renamedFrom?: string): Promise<void> {
    return this.run(async () => {
      if (renamedFrom === undefined) {
        const t = this.need(name);
        const previous = t.settings;
        t.settings = settings;
        return this.updateTarget(t, previous);
      }
      // Neither tgt nor LIO can rename a target: rebuild it, LUNs and users included.
      const old = this.need(renamedFrom);
      await this.deleteTarget(old);
      this.targets.delete(renamedFrom);
      const t: ExportedTarget = { pool, name, settings, luns: old.luns, users: old.users };
      this.targets.set(name, t);
      await this.createTarget(t);
      for (const lun of t.luns.values()) await this.addLun(t, lun);
      await this.applyUsers(t, []);
    });
  }

  onTargetDeleted(_pool: string, name: string): Promise<void> {
    return this.run(async () => {
      const t = this.targets.get(name);
      if (!t) return;
      await this.deleteTarget(t);
      this.targets.delete(name);
    });
  }

  onLunAttached(_pool: string, name: string, lun: LunExport): Promise<void> {
    return this.run(async () => {
      const t = this.need(name);
      t.luns.set(lun.lun, lun);
      await this.addLun(t, lun);
    });
  }

  onLunDetached(_pool: string, name: string, number: number): Promise<void> {
    return this.run(async () => {
      const t = this.targets.get(name);
      const lun = t?.luns.get(number);
      if (!t || !lun) return; // the target's deletion already took it
      await this.removeLun(t, lun);
      t.luns.delete(number);
    });
  }

  onUsersChanged(_pool: string, name: string, users: ChapUser[]): Promise<void> {
    return this.run(async () => {
      const t = this.need(name);
      const previous = t.users;
      t.users = users.map((u) => ({ ...u }));
      await this.applyUsers(t, previous);
    });
  }

  async listSessions(_pool: string, name: string): Promise<SessionRec[]> {
    const t = this.targets.get(name);
    return t ? this.sessions(t) : [];
  }

  onDataEvent(pool: string, ev: DataEvent): Promise<void> {
    return this.run(async () => {
      await this.images.apply(pool, ev);
      if (ev.kind !== 'volumeResized' && ev.kind !== 'rolledBack') return;
      for (const t of this.targets.values()) {
        if (t.pool !== pool) continue;
        for (const lun of t.luns.values()) {
          if (lun.volume !== ev.volume || lun.sizeBytes === ev.sizeBytes) continue;
          lun.sizeBytes = ev.sizeBytes;
          await this.refreshLun(t, lun);
        }
      }
    });
  }

  /** Deletes every target (so no initiator keeps a session), then stops the target. */
  close(): Promise<void> {
    return this.run(async () => {
      const errors: string[] = [];
      for (const t of this.targets.values()) {
        await this.deleteTarget(t).catch((e: Error) => errors.push(e.message));
      }
      this.targets.clear();
      await this.shutdown();
      if (errors.length) throw new Error(`data path: while removing targets: ${errors.join('; ')}`);
    });
  }
}
