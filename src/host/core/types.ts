// Shared vocabulary of the host side: portals, injected roots and binaries, tuning, and the one
// HostEnv every host operation receives. Nothing here touches the machine.
import type { Logger } from '../../log/logger';
import type { Clock } from '../../util/clock';
import type { Deadline } from '../../util/deadline';

export type ToolName = 'iscsiadm' | 'multipath' | 'multipathd' | 'dmsetup' | 'udevadm' | 'blockdev' | 'mount' | 'umount';

/** Absolute path of every host tool we run. Tests point these at fakes. */
export type Binaries = Record<ToolName, string>;

export interface Portal {
  /** IPv4 or IPv6 literal, without brackets. */
  address: string;
  port: number;
}

export interface HostRoots {
  /** sysfs mount point (`/sys`). */
  sys: string;
  /** devtmpfs mount point (`/dev`). */
  dev: string;
  /** open-iscsi node databases, searched in order (`/etc/iscsi/nodes`, `/var/lib/iscsi/nodes`). */
  iscsiDb: string[];
  /** Where this host keeps its LUN records. */
  records: string;
  /** Node-local lock files. */
  locks: string;
  /** procfs (`/proc`): who holds a disk open, what is mounted. */
  proc: string;
}

/** Timeouts and node-record settings. Every value has a default in defaults.ts. */
export interface HostTuning {
  /** Bound for quick iscsiadm calls (records, session listing, rescans). */
  iscsiadmTimeoutMs: number;
  /** Written into each node record: seconds per login attempt. */
  loginTimeoutSec: number;
  /** Written into each node record: retries of the first login (small: a dead portal costs seconds). */
  loginRetryMax: number;
  /** Bound for logout and record deletion. */
  logoutTimeoutMs: number;
  /** Bound for one multipath / multipathd / dmsetup call. */
  multipathTimeoutMs: number;
  /** After the timeout, SIGTERM; after this grace, SIGKILL. */
  killGraceMs: number;
  /** `udevadm settle --timeout`. */
  udevSettleSec: number;
  /** How long activation waits for the SCSI devices of the LUN. */
  deviceWaitMs: number;
  /** Once the LUN is usable on one path, how much longer activation waits for the other paths. */
  pathGraceMs: number;
  /** How long activation waits for the multipath map. */
  mapWaitMs: number;
  /** How long deactivation waits for a map / device to be unused. */
  unusedWaitMs: number;
  /** How long deactivation keeps trying to remove a map. */
  flushWaitMs: number;
  /** How long a resize rescan waits for every path and the map to agree. */
  resizeWaitMs: number;
  /** Budget of the undo after a failed activation (runs even when the main deadline is spent). */
  cleanupBudgetMs: number;
  /** Polling: first interval, then doubled up to the maximum. */
  pollStartMs: number;
  pollMaxMs: number;
}

export interface HostEnv {
  exec: Executor;
  binaries: Binaries;
  roots: HostRoots;
  clock: Clock;
  /** The invocation's deadline: every wait and command takes at most what is left of it. */
  deadline: Deadline;
  log: Logger;
  /** Defaults apply for anything left out. */
  tuning?: Partial<HostTuning>;
  /** Values that must never reach an argv or a log line (CHAP secrets are added per call too). */
  secrets?: string[];
  /** Liveness of a lock holder; defaults to `process.kill(pid, 0)`. */
  isPidAlive?: (pid: number) => boolean;
}

export interface ChapCredentials {
  user: string;
  secret: string;
}

/** How host tools are run: one interface, so tests swap the process layer for a fake (core/exec.ts has the real one). */
export interface ExecOptions {
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL once the timeout fired. */
  killGraceMs: number;
  input?: string;
  env?: Record<string, string>;
}

export interface ExecResult {
  /** Exit code; null when the process was killed by a signal or never started. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

export interface Executor {
  run(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult>;
}
