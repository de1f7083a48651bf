// Thin wrappers over mount(8) and umount(8) for one NFS export on one directory, plus who keeps
// a directory busy (procfs: open descriptors, working and root directories below it). Outcomes
// come from exit codes (mount(8): 32 = the mount failed); only the busy case of umount, which
// shares exit 32 with every other failure, is told apart by counting the directory's users.
import { readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BusyError, HostError } from '../../errors';
import { HostTimeoutError, describeFailure, runTool } from '../core/exec';
import { listDir } from '../core/sysfs';
import type { HostEnv } from '../core/types';

/** mount(8) / umount(8) exit codes that change what we do. */
export const MOUNT_EXIT = { USAGE: 1, SYSTEM: 2, FAILURE: 32 } as const;

/** Bound of one `mount -t nfs` attempt: a server that does not answer costs this much at most. */
export const NFS_MOUNT_TIMEOUT_MS = 30_000;
/** Bound of one umount (an NFS server gone away can make it hang). */
export const NFS_UMOUNT_TIMEOUT_MS = 30_000;

export type MountOutcome = { ok: true } | { ok: false; reason: 'failed' | 'timeout'; message: string };

/**
 * The `-o` list we pass: the admin's options, plus `retry=0` unless they chose a retry, so a
 * server that does not answer fails this attempt at once (we try the next address ourselves)
 * instead of mount.nfs retrying it in the foreground for two minutes.
 */
export function mountOptions(options?: string): string {
  const given = (options ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (!given.some((o) => /^retry=/.test(o))) given.push('retry=0');
  return given.join(',');
}

/** `mount -t nfs -o <options> <source> <path>`: one attempt at one server. */
export async function mountNfs(env: HostEnv, source: string, path: string, options?: string): Promise<MountOutcome> {
  const args = ['-t', 'nfs', '-o', mountOptions(options), source, resolve(path)];
  let r;
  try {
    r = await runTool(env, 'mount', args, { timeoutMs: NFS_MOUNT_TIMEOUT_MS });
  } catch (e) {
    if (e instanceof HostTimeoutError) return { ok: false, reason: 'timeout', message: e.message };
    throw e;
  }
  if (r.code === 0) return { ok: true };
  const message = describeFailure(env, 'mount', args, r);
  // 32: this server refused or did not answer (try the next); anything else is this host's problem
  if (r.code === MOUNT_EXIT.FAILURE) return { ok: false, reason: 'failed', message };
  throw new HostError(message, { tool: 'mount', exitCode: r.code });
}

/** Processes using something at or below `dir`: open descriptors, cwd or root there (pids, sorted). */
export function dirUsers(env: Pick<HostEnv, 'roots'>, dir: string): number[] {
  const base = resolve(dir);
  const under = (t: string) => t === base || t.startsWith(`${base}/`);
  const link = (p: string): string | null => {
    try {
      return readlinkSync(p);
    } catch {
      return null; // closed meanwhile, the process gone, or not ours to read
    }
  };
  const pids: number[] = [];
  for (const pid of listDir(env.roots.proc).filter((p) => /^\d+$/.test(p))) {
    const d = join(env.roots.proc, pid);
    const targets = [link(join(d, 'cwd')), link(join(d, 'root')), ...listDir(join(d, 'fd')).map((fd) => link(join(d, 'fd', fd)))];
    if (targets.some((t) => t !== null && under(t))) pids.push(Number(pid));
  }
  return pids.sort((a, b) => a - b);
}

/**
 * `umount <path>`. Busy (someone still uses the file system) → BusyError with the number of
 * processes; any other failure → HostError. Never lazy (`-l`) or forced (`-f`): a VM still
 * writing there must keep its storage.
 */
export async function umountPath(env: HostEnv, path: string): Promise<void> {
  const args = [resolve(path)];
  const r = await runTool(env, 'umount', args, { timeoutMs: NFS_UMOUNT_TIMEOUT_MS });
  if (r.code === 0) return;
  const users = dirUsers(env, path);
  // umount says "target is busy" with the same exit code as any failure: the users decide, and the
  // kernel's own word (EBUSY in the message) covers users we cannot see (another mount namespace)
  if (users.length > 0 || (r.code === MOUNT_EXIT.FAILURE && /\bbusy\b/i.test(r.stderr))) {
    throw new BusyError(
      `${resolve(path)} is busy: ${users.length ? `${users.length} process${users.length === 1 ? '' : 'es'} still use${users.length === 1 ? 's' : ''} it (pid ${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''})` : 'still in use'}; stop them and deactivate again`,
      { path: resolve(path), processes: users.length, pids: users.slice(0, 20) },
    );
  }
  throw new HostError(describeFailure(env, 'umount', args, r), { tool: 'umount', exitCode: r.code });
}
