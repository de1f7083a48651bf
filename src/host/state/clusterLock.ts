// Cluster-wide lock on the Proxmox cluster file system (pmxcfs), with Proxmox's own rules
// (PVE::Cluster cfs_lock): the lock is the directory <pve>/priv/lock/<id>, taken by mkdir and
// released by rmdir; a lock older than 120 s is expired, and a waiter asks pmxcfs to drop an
// expired one with utime(0, 0). pmxcfs makes mkdir atomic across nodes, so two jdssc processes
// on different nodes exclude each other. Without <pve>/priv (not a Proxmox node) it falls back
// to the node-local lock file (lock.ts): one node's processes still exclude each other.
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { BusyError, HostError } from '../../errors';
import type { HostEnv } from '../core/types';
import { acquireLock } from './lock';

/** pmxcfs's lock lifetime (CFS_LOCK_TIMEOUT): an older lock directory belongs to nobody. */
export const CLUSTER_LOCK_EXPIRY_MS = 120_000;
/** A reclaim marker older than this belongs to a waiter that died while reclaiming. */
const RECLAIM_MARKER_STALE_MS = 10_000;
/** Lock waits poll fast at first: the sections it guards are a few REST calls long. */
const POLL_START_MS = 20;
const POLL_MAX_MS = 250;

export interface ClusterLockOptions {
  /** The pmxcfs mount point (`/etc/pve`); tests give two "nodes" one shared folder. */
  pveRoot: string;
  /** Clock, deadline, log, and the node-local lock folder of the fallback. */
  env: Pick<HostEnv, 'clock' | 'deadline' | 'log' | 'roots' | 'tuning' | 'isPidAlive'>;
  fs?: typeof nodeFs;
  /** Wall-clock time, for the age of lock directories (the file system knows only real time). */
  wallNow?: () => number;
  /** Random source for the jitter between attempts. */
  random?: () => number;
}

export interface ClusterLocks {
  /** 'cluster' when <pve>/priv exists (pmxcfs locks), else 'node' (this node's lock files). */
  readonly mode: 'cluster' | 'node';
  /** Runs `fn` holding the lock `key`; waits within the invocation's deadline, then BusyError. */
  run<T>(key: string, purpose: string, fn: () => Promise<T>): Promise<T>;
}

/** Directory name of a lock: Proxmox-style `jdssc-<key>` with only safe characters, bounded. */
export function clusterLockId(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9_-]+/g, '_');
  if (safe.length <= 120) return `jdssc-${safe}`;
  return `jdssc-${safe.slice(0, 100)}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

export function createClusterLocks(o: ClusterLockOptions): ClusterLocks {
  const fs = o.fs ?? nodeFs;
  const priv = join(o.pveRoot, 'priv');
  if (!isDirectory(fs, priv)) return nodeLocks(o);
  const dir = join(priv, 'lock');
  const wallNow = o.wallNow ?? Date.now;
  const random = o.random ?? Math.random;
  return {
    mode: 'cluster',
    async run(key, purpose, fn) {
      const held = await acquireDir(o.env, fs, dir, clusterLockId(key), purpose, wallNow, random);
      try {
        return await fn();
      } finally {
        releaseDir(o.env, fs, held, wallNow);
      }
    },
  };
}

interface HeldDir {
  path: string;
  /** Identity of the directory we made (inode and mtime): one made by another after a takeover differs. */
  ino: number;
  mtimeMs: number;
  since: number;
}

/** How long a waiter may wait: most of what is left, keeping a share for the work itself. */
function waitBudget(env: ClusterLockOptions['env']): number {
  return Math.floor(env.deadline.remaining() * 0.8);
}

async function acquireDir(
  env: ClusterLockOptions['env'],
  fs: typeof nodeFs,
  dir: string,
  id: string,
  purpose: string,
  wallNow: () => number,
  random: () => number,
): Promise<HeldDir> {
  // Like cfs_lock: the lock folder may need making; if it still is not there, pmxcfs is not usable.
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new HostError(`cannot make the cluster lock folder ${dir}: ${errCode(e)}`);
  }
  const path = join(dir, id);
  const started = env.clock.now();
  const budget = waitBudget(env);
  let interval = POLL_START_MS;
  let logged = false;
  for (;;) {
    try {
      fs.mkdirSync(path, { mode: 0o700 });
      const st = fs.statSync(path);
      const held = { path, ino: st.ino, mtimeMs: st.mtimeMs, since: wallNow() };
      env.log.debug(`cluster lock ${path} acquired after ${env.clock.now() - started} ms (${purpose})`);
      return held;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // pmxcfs turns read-only without quorum: say so, as cfs_lock does ("no quorum!").
      const hint =
        code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? ' (is the cluster quorate? pmxcfs refuses writes without quorum)' : '';
      if (code !== 'EEXIST') throw new HostError(`cannot take cluster lock ${path}: ${errCode(e)}${hint}`);
    }
    const age = ageOf(fs, path, wallNow);
    if (age === undefined) continue; // released between our mkdir and our look: try again at once
    if (age > CLUSTER_LOCK_EXPIRY_MS) {
      expire(env, fs, path, wallNow);
      continue;
    }
    const waited = env.clock.now() - started;
    if (waited >= budget) {
      throw new BusyError(
        `cluster lock ${path} is busy (another jdssc on this cluster is changing the same targets); gave up after ${Math.round(waited / 1000)} s`,
        { lock: path },
      );
    }
    if (!logged && waited >= 1000) {
      env.log.info(`waiting for cluster lock ${path} (${purpose})`);
      logged = true;
    }
    await env.clock.sleep(Math.min(interval + Math.floor(random() * interval), Math.max(1, budget - waited)));
    interval = Math.min(POLL_MAX_MS, interval * 2);
  }
}

function statOrUndefined(fs: typeof nodeFs, path: string): nodeFs.Stats | undefined {
  try {
    return fs.statSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(fs: typeof nodeFs, path: string): boolean {
  return statOrUndefined(fs, path)?.isDirectory() === true;
}

/** Age of a lock directory in ms, or undefined when it is gone. */
function ageOf(fs: typeof nodeFs, path: string, wallNow: () => number): number | undefined {
  const st = statOrUndefined(fs, path);
  return st === undefined ? undefined : wallNow() - st.mtimeMs;
}

/**
 * An expired lock: first the pmxcfs way (utime(0, 0) is its unlock request; pmxcfs then removes
 * the lock itself). Where that leaves the directory in place (a plain file system, as in tests),
 * the waiter removes it, under a reclaim marker so that two waiters cannot both remove a lock
 * and one of them remove the other's fresh one.
 */
function expire(env: ClusterLockOptions['env'], fs: typeof nodeFs, path: string, wallNow: () => number): void {
  try {
    fs.utimesSync(path, 0, 0);
  } catch {
    return; // gone already
  }
  const marker = `${path}.reclaim`;
  try {
    fs.mkdirSync(marker, { mode: 0o700 });
  } catch {
    const age = ageOf(fs, marker, wallNow);
    if (age !== undefined && age > RECLAIM_MARKER_STALE_MS) rmdirQuiet(fs, marker);
    return;
  }
  try {
    const age = ageOf(fs, path, wallNow);
    if (age !== undefined && age > CLUSTER_LOCK_EXPIRY_MS) {
      rmdirQuiet(fs, path);
      env.log.warn(`removed expired cluster lock ${path} (older than ${CLUSTER_LOCK_EXPIRY_MS / 1000} s: its holder is gone)`);
    }
  } finally {
    rmdirQuiet(fs, marker);
  }
}

function releaseDir(env: ClusterLockOptions['env'], fs: typeof nodeFs, held: HeldDir, wallNow: () => number): void {
  const heldMs = wallNow() - held.since;
  if (heldMs > CLUSTER_LOCK_EXPIRY_MS) env.log.warn(`cluster lock ${held.path} was held ${Math.round(heldMs / 1000)} s: past its expiry`);
  const st = statOrUndefined(fs, held.path);
  if (st && st.ino === held.ino && st.mtimeMs === held.mtimeMs) rmdirQuiet(fs, held.path);
  else env.log.warn(`cluster lock ${held.path} was no longer ours at release (expired and taken over)`);
}

function rmdirQuiet(fs: typeof nodeFs, path: string): void {
  try {
    fs.rmdirSync(path);
  } catch {
    // gone already
  }
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

/** Not a Proxmox node: the node-local lock files of lock.ts, polled as fast as the cluster lock. */
function nodeLocks(o: ClusterLockOptions): ClusterLocks {
  const env = { ...o.env, tuning: { ...o.env.tuning, pollStartMs: POLL_START_MS, pollMaxMs: POLL_MAX_MS } } as HostEnv;
  return {
    mode: 'node',
    async run(key, purpose, fn) {
      const lock = await acquireLock(env, `array-${key}`, purpose);
      try {
        return await fn();
      } finally {
        lock.release();
      }
    },
  };
}
