// What an activation is asked for and what it reports: shared by the full activation and its fast
// path for an already-active LUN.
import type { ChapCredentials, Portal } from '../core/types';
import type { LoginFailureKind } from '../iscsi/iscsiadm';

export interface ActivateRequest {
  storageId: string;
  pool: string;
  volume: string;
  snapshot?: string | null;
  target: string;
  lun: number;
  portals: Portal[];
  wwid: string;
  /** Set: CHAP with these credentials. Absent/null: CHAP cleared on the records. */
  chap?: ChapCredentials | null;
  multipath: boolean;
}

export interface PortalOutcome {
  address: string;
  port: number;
  ok: boolean;
  error?: string;
  errorKind?: LoginFailureKind | 'record' | 'no-device';
}

export interface ActivateResult {
  device: string;
  wwid: string;
  sizeBytes: number;
  multipath: boolean;
  portals: PortalOutcome[];
  /** True when at least one portal did not give a working path. */
  degraded: boolean;
  recordPath: string;
}
