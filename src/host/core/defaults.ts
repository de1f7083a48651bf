// Production defaults for the host side: where the tools live on Proxmox VE (Debian, merged
// /usr), where state and locks go, and the tuning every wait and command falls back to.
import type { Binaries, HostEnv, HostRoots, HostTuning } from './types';

export const DEFAULT_BINARIES: Binaries = {
  iscsiadm: '/usr/bin/iscsiadm',
  multipath: '/usr/sbin/multipath',
  multipathd: '/usr/sbin/multipathd',
  dmsetup: '/usr/sbin/dmsetup',
  udevadm: '/usr/bin/udevadm',
  blockdev: '/usr/sbin/blockdev',
  mount: '/usr/bin/mount',
  umount: '/usr/bin/umount',
};

export const DEFAULT_ROOTS: HostRoots = {
  sys: '/sys',
  dev: '/dev',
  iscsiDb: ['/etc/iscsi/nodes', '/var/lib/iscsi/nodes'],
  records: '/var/lib/jdssc/luns',
  locks: '/run/lock/jdssc',
  proc: '/proc',
};

export const DEFAULT_TUNING: HostTuning = {
  iscsiadmTimeoutMs: 15_000,
  loginTimeoutSec: 5,
  loginRetryMax: 2,
  logoutTimeoutMs: 20_000,
  multipathTimeoutMs: 20_000,
  killGraceMs: 5_000,
  udevSettleSec: 5,
  deviceWaitMs: 60_000,
  pathGraceMs: 10_000,
  mapWaitMs: 30_000,
  unusedWaitMs: 60_000,
  flushWaitMs: 30_000,
  resizeWaitMs: 60_000,
  cleanupBudgetMs: 60_000,
  pollStartMs: 100,
  pollMaxMs: 1_000,
};

/** The invocation time the fixed tool bounds above are sized for (jdssc's default --timeout). */
export const BOUNDS_SIZED_FOR_MS = 110_000;

export function tuning(env: Pick<HostEnv, 'tuning'>): HostTuning {
  return { ...DEFAULT_TUNING, ...env.tuning };
}

/**
 * Login bound derived from the record settings: every attempt may take the login timeout, plus
 * a margin for iscsiadm's own start-up (about 1 s when iscsid is socket-activated).
 */
export function loginExecTimeoutMs(t: HostTuning): number {
  return (t.loginRetryMax + 1) * t.loginTimeoutSec * 1000 + 10_000;
}
