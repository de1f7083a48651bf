// The NFS flow's vocabulary: what it needs of the array (injected, so the host half is testable
// alone) and the results the `nfs` commands print.
export interface NasUsage {
  quota: number;
  used: number;
  available: number;
}

export interface NfsShare {
  name: string;
  /** `<pool>/<dataset>`. */
  path: string;
  active: boolean;
  nfsEnabled: boolean;
}

/** The array side of `nfs activate` / `nfs status`, on the pool of the export. */
export interface NasArray {
  /** The NAS volume's usage, or null when it does not exist. */
  nasVolume(name: string): Promise<NasUsage | null>;
  /** The share of `<pool>/<dataset>` (whatever its name), or null. */
  shareOf(dataset: string): Promise<NfsShare | null>;
  createNasVolume(name: string, quotaBytes: number): Promise<void>;
  /** A share named `name` of the dataset, NFS enabled for `allow` (empty: everyone). */
  createShare(name: string, dataset: string, allow: string[]): Promise<void>;
}

/** `/Pools/<pool>/<dataset>`, taken apart. */
export interface NfsExport {
  path: string;
  pool: string;
  dataset: string;
}

export interface AttemptView {
  address: string;
  ok: boolean;
  /** Why this address did not mount (null when it did). */
  reason: string | null;
}

export interface NfsActivation {
  path: string;
  export: string;
  /** `server:/export` now mounted at path. */
  source: string;
  /** False when it was already mounted: nothing was changed. */
  mounted: boolean;
  created: { nasVolume: boolean; share: boolean };
  attempts: AttemptView[];
}

export interface NfsDeactivation {
  path: string;
  /** Was our export mounted there before this call? */
  wasMounted: boolean;
  source: string | null;
}

export interface NfsStatus {
  path: string;
  mounted: boolean;
  source: string | null;
  /** The mount is a JovianDSS export (`/Pools/<pool>/<dataset>`, and the one asked for when given). */
  ours: boolean;
  nasVolume: NasUsage | null;
}
