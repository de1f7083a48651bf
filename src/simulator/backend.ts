// Hook interface between the REST model and a data path. The default does nothing (REST-only
// simulation); a later mode can implement it to drive a real iSCSI target such as tgtd, so
// initiators could log in to what the REST API created.
import type { SessionRec } from './model';

export interface LunExport {
  lun: number;
  volume: string;
  devicePath: string; // /dev/<pool>/<volume>, as the appliance names zvol devices
  scsiId: string;
  sizeBytes: number;
  readonly: boolean;
  mode: string;
}

export interface TargetSettings {
  active: boolean;
  incomingUsersActive: boolean;
  assignedVipAddresses: string[];
}

export interface TargetBackend {
  onTargetCreated(pool: string, target: string, settings: TargetSettings): void | Promise<void>;
  onTargetUpdated(pool: string, target: string, settings: TargetSettings, renamedFrom?: string): void | Promise<void>;
  onTargetDeleted(pool: string, target: string): void | Promise<void>;
  onLunAttached(pool: string, target: string, lun: LunExport): void | Promise<void>;
  onLunDetached(pool: string, target: string, lun: number): void | Promise<void>;
  /** Called with the full user list (passwords included) whenever it changes. */
  onUsersChanged(pool: string, target: string, users: { name: string; password: string }[]): void | Promise<void>;
  /** Live sessions from the data path; undefined = use the sessions injected by tests. */
  listSessions(pool: string, target: string): SessionRec[] | undefined;
}

export const noopBackend: TargetBackend = {
  onTargetCreated: () => undefined,
  onTargetUpdated: () => undefined,
  onTargetDeleted: () => undefined,
  onLunAttached: () => undefined,
  onLunDetached: () => undefined,
  onUsersChanged: () => undefined,
  listSessions: () => undefined,
};
