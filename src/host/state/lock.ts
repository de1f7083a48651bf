// Node-local exclusive lock: a file created with O_EXCL holding {pid, token, createdAt}.
// Acquire polls until the invocation deadline; a lock whose holder PID is dead is reclaimed
// (under a short reclaim marker so two waiters cannot both reclaim); release removes the file
// only if it still carries our token. withLock always releases, also on error.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { BusyError, HostError } from '../../errors';
import { pollUntil } from '../core/poll';
import type { HostEnv } from '../core/types';

interface LockInfo {
  pid: number;
  token: string;
  createdAt: number;
  purpose?: string;
}

export interface HeldLock {
  path: string;
  token: string;
  release(): void;
}

// File ages are compared in real time (Date.now against the file's mtime), not through the
// injected Clock: the filesystem only knows real time.
/** A reclaim marker older than this belongs to a waiter that died mid-reclaim. */
const RECLAIM_MARKER_STALE_MS = 10_000;
/** A lock file that stays unparsable this long was left by a holder that died while creating it. */
const UNREADABLE_STALE_MS = 10_000;

export function lockFileName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
  return `${safe}.lock`;
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readInfo(path: string): { raw: string; info: LockInfo | null; mtimeMs: number } | null {
  try {
    const raw = fs.readFileSync(path, 'utf8');
    const mtimeMs = fs.statSync(path).mtimeMs;
    try {
      const v = JSON.parse(raw) as LockInfo;
      return { raw, info: Number.isInteger(v.pid) && typeof v.token === 'string' ? v : null, mtimeMs };
    } catch {
      return { raw, info: null, mtimeMs };
    }
  } catch {
    return null; // vanished meanwhile
  }
}

function createExclusive(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new HostError(`cannot create lock ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    fs.writeSync(fd, JSON.stringify(info));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Remove a stale lock, but only if it is still exactly the file we judged stale. */
function reclaim(env: HostEnv, path: string, observedRaw: string, why: string): void {
  const marker = `${path}.reclaim`;
  if (!createExclusive(marker, { pid: process.pid, token: 'reclaim', createdAt: Date.now() })) {
    const m = readInfo(marker);
    if (m && Date.now() - m.mtimeMs > RECLAIM_MARKER_STALE_MS) fs.rmSync(marker, { force: true });
    return;
  }
  try {
    const now = readInfo(path);
    if (now && now.raw === observedRaw) {
      fs.rmSync(path, { force: true });
      env.log.warn(`reclaimed stale lock ${path} (${why})`);
    }
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

function tryAcquire(env: HostEnv, path: string, mine: LockInfo): HeldLock | undefined {
  const isAlive = env.isPidAlive ?? defaultIsAlive;
  for (let i = 0; i < 2; i++) {
    if (createExclusive(path, mine)) {
      return { path, token: mine.token, release: () => release(env, path, mine.token) };
    }
    const held = readInfo(path);
    if (!held) continue; // released between our open and our read: try again at once
    if (held.info && !isAlive(held.info.pid)) reclaim(env, path, held.raw, `holder pid ${held.info.pid} is gone`);
    else if (!held.info && Date.now() - held.mtimeMs > UNREADABLE_STALE_MS) reclaim(env, path, held.raw, 'unreadable lock file');
    else return undefined;
  }
  return undefined;
}

function release(env: HostEnv, path: string, token: string): void {
  const held = readInfo(path);
  if (held?.info?.token === token) fs.rmSync(path, { force: true });
  else env.log.warn(`lock ${path} was no longer ours at release`);
}

/** Take the named lock, waiting at most until the invocation deadline. */
export async function acquireLock(env: HostEnv, key: string, purpose?: string): Promise<HeldLock> {
  fs.mkdirSync(env.roots.locks, { recursive: true, mode: 0o700 });
  const path = join(env.roots.locks, lockFileName(key));
  const mine: LockInfo = { pid: process.pid, token: randomBytes(12).toString('hex'), createdAt: env.clock.now(), purpose };
  const r = await pollUntil(env, { budgetMs: env.deadline.remaining(), check: () => tryAcquire(env, path, mine) });
  if (r.ok) {
    env.log.debug(`lock ${path} acquired after ${r.elapsedMs} ms`);
    return r.value;
  }
  const holder = readInfo(path)?.info;
  const who = holder ? ` (held by pid ${holder.pid}${holder.purpose ? ` for ${holder.purpose}` : ''})` : '';
  throw new BusyError(`host lock ${path} is busy${who}; gave up after ${Math.round(r.elapsedMs / 1000)} s`, {
    lock: path,
    holderPid: holder?.pid,
  });
}

export async function withLock<T>(env: HostEnv, key: string, purpose: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(env, key, purpose);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** The lock key of host operations on one target: every LUN of a target shares its sessions. */
export function targetLockKey(target: string): string {
  return `target-${target.toLowerCase()}`;
}
