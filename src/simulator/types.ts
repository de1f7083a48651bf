// Public option and handle types of the simulator.
import type { TargetBackend } from './model/backend';
import type { DataPathHandle, DataPathOptions } from './dataPath';
import type { SimClock } from './model/effects';
import type { FaultController, FaultSpec } from './control/faults';
import type { SessionRec, SimState } from './model/model';
import type { RequestLog } from './control/requestLog';
import type { SeedRequest } from './control/seed';

export interface VipSeed {
  name: string;
  address: string;
  netmask?: string;
  iface?: string;
}

export interface PoolSeed {
  name: string;
  id?: string; // 20-digit string; generated from the seed when absent
  sizeBytes?: number; // default 100 GiB
  vips?: VipSeed[];
  oldFirmware?: boolean; // targets refuse vip_allowed_portals, as firmware before VIP support did
}

export interface SimulatorOptions {
  listen: string[]; // REST addresses; loopback only (127.0.0.0/8 or ::1)
  port?: number; // 0/undefined = one free port that works on all listen addresses
  user?: string; // Basic auth, default admin
  password?: string; // default admin
  pools?: PoolSeed[]; // default: Pool-0, 100 GiB, vip0→127.0.0.2, vip1→127.0.0.3
  stateFile?: string; // JSON persistence; when the file exists its pools replace `pools`
  faults?: FaultSpec[];
  now?: () => number; // clock in ms; default Date.now
  seed?: number; // seeds ids (guid, scsi ids, pool ids) and fault probabilities
  tls?: { cert: string; key: string; ca?: string }; // else a self-signed certificate is generated
  backend?: TargetBackend; // data-path hooks; default does nothing
  /** Real iSCSI targets behind the REST model (tgt on the host, LIO in a VM); excludes `backend`. */
  dataPath?: DataPathOptions;
  /**
   * NAS volumes' files: `<nasDataDir>/nas/<pool>/<dataset>/` (snapshots under `nas-snapshots/`).
   * Default: the data path's dataDir; neither = NAS volumes are model only (`used` stays 0).
   */
  nasDataDir?: string;
}

export interface RunningSimulator {
  port: number;
  addresses: string[];
  /** What a client passes as its CA to verify TLS. */
  caPem: string;
  baseUrl(address?: string): string;
  faults: FaultController;
  requests: RequestLog;
  state: SimState;
  clock: SimClock;
  /** down = listener closed (connection refused) and open connections cut, like a dead node. */
  setAddressDown(address: string, down: boolean): Promise<void>;
  /** blackhole = TCP accepted, TLS never completed, nothing ever answered. */
  setAddressBlackhole(address: string, on: boolean): Promise<void>;
  setSessions(pool: string, target: string, sessions: Partial<SessionRec>[]): void;
  /** `zfs destroy -f` behind the REST API: the volume goes, LUNs pointing to it dangle. */
  destroyOutOfBand(pool: string, volume: string): void;
  seed(req: SeedRequest): { count: number; first?: string; last?: string };
  /** The data path, when started with `dataPath`. */
  dataPath?: DataPathHandle;
  /** Where each NAS volume / snapshot keeps its files (undefined without a NAS data dir). */
  nasPaths(pool: string, dataset: string, snapshot?: string): string | undefined;
  /** Write the state file now (no-op without stateFile). */
  flush(): Promise<void>;
  close(): Promise<void>;
}
