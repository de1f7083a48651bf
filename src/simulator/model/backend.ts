// Hook interface between the REST model and a data path. The default does nothing (REST-only
// simulation). The data path mode (dataPath/) implements it to drive a real iSCSI target (tgtd
// on the host, LIO in the test VM) backed by one sparse image file per zvol, so initiators can
// log in to what the REST API created and read what was written.
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

import type { DataEvent } from './events';
export type { DataEvent } from './events';

export type MaybePromise<T> = T | Promise<T>;

/**
 * Hooks are called after the model changed. A backend that does real work must serialise it
 * itself, in call order: concurrent REST requests call it concurrently, and the data events of
 * one request are delivered before the iSCSI hooks that follow them.
 */
export interface TargetBackend {
  onTargetCreated(pool: string, target: string, settings: TargetSettings): MaybePromise<void>;
  onTargetUpdated(pool: string, target: string, settings: TargetSettings, renamedFrom?: string): MaybePromise<void>;
  onTargetDeleted(pool: string, target: string): MaybePromise<void>;
  onLunAttached(pool: string, target: string, lun: LunExport): MaybePromise<void>;
  onLunDetached(pool: string, target: string, lun: number): MaybePromise<void>;
  /** Called with the full user list (passwords included) whenever it changes. */
  onUsersChanged(pool: string, target: string, users: { name: string; password: string }[]): MaybePromise<void>;
  /** Live sessions from the data path; undefined = use the sessions injected by tests. */
  listSessions(pool: string, target: string): MaybePromise<SessionRec[] | undefined>;
  /** Volume data events (optional: REST-only backends ignore them). */
  onDataEvent?(pool: string, event: DataEvent): MaybePromise<void>;
  /** Called once when the simulator closes: remove what the backend created, stop daemons. */
  close?(): Promise<void>;
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

/**
 * Delivers the model's data events to the backend as they happen and lets the request
 * pipeline wait for them (and see their failures) before it answers: a client that created a
 * volume may publish it with its very next request.
 */
export class DataEventSink {
  private pending: Promise<{ error: unknown } | undefined>[] = [];

  constructor(private readonly backend: TargetBackend) {}

  deliver(pool: string, event: DataEvent): void {
    if (!this.backend.onDataEvent) return;
    // Invoked right away (so the backend sees events in model order); a synchronous throw
    // becomes a rejection instead of breaking the model's mutation half-way, and the outcome
    // is captured at once so a failure is never an unhandled rejection.
    const run = (async () => this.backend.onDataEvent!(pool, event))();
    this.pending.push(
      run.then(
        () => undefined,
        (error: unknown) => ({ error }),
      ),
    );
  }

  /** Wait for everything delivered so far; rethrows the first failure among them. */
  async settle(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const failed = (await Promise.all(batch)).find((r) => r !== undefined);
    if (failed) throw failed.error;
  }
}
