// Who uses a disk: processes holding it open (QEMU opens /dev/disk/by-id/… of a single-path
// disk directly) and mounts of it (a container's root file system). Stacked devices are seen
// through sysfs holders elsewhere; this covers what holders cannot show.
import { readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { blockDir } from './links';
import { listDir, readText } from '../core/sysfs';
import type { HostEnv } from '../core/types';

type Env = Pick<HostEnv, 'roots'>;

export interface DiskUsers {
  pids: number[];
  mounted: boolean;
}

export function diskUsers(env: Env, name: string): DiskUsers {
  return { pids: openedBy(env, name), mounted: isMounted(env, name) };
}

export function inUse(u: DiskUsers): boolean {
  return u.mounted || u.pids.length > 0;
}

export function describeUsers(u: DiskUsers): string {
  return [u.mounted ? 'mounted' : '', u.pids.length ? `open by pid ${u.pids.slice(0, 5).join(', ')}${u.pids.length > 5 ? ', …' : ''}` : '']
    .filter(Boolean)
    .join(', ');
}

/**
 * Processes whose open descriptors do not make a disk "in use": multipathd holds every path it
 * monitors open for its path checkers, whether or not anything uses the map above.
 */
const PATH_MONITORS = new Set(['multipathd']);

/** Process directories in pid order (as the kernel lists them). */
function pidDirs(proc: string): string[] {
  return listDir(proc)
    .filter((p) => /^\d+$/.test(p))
    .sort((a, b) => Number(a) - Number(b));
}

function commOf(proc: string, pid: string): string {
  return readText(join(proc, pid, 'comm')) ?? '';
}

/** Is a process with this command name running (per the procfs at `proc`)? */
export function processRunning(proc: string, name: string): boolean {
  return pidDirs(proc).some((pid) => commOf(proc, pid) === name);
}

function openedBy(env: Env, name: string): number[] {
  const pids: number[] = [];
  for (const pid of pidDirs(env.roots.proc)) {
    if (PATH_MONITORS.has(commOf(env.roots.proc, pid))) continue;
    const fdDir = join(env.roots.proc, pid, 'fd');
    for (const fd of listDir(fdDir)) {
      let target: string;
      try {
        target = readlinkSync(join(fdDir, fd));
      } catch {
        continue; // closed meanwhile, or the process is gone
      }
      if (basename(target) === name && basename(dirname(target)) === 'dev') {
        pids.push(Number(pid));
        break;
      }
    }
  }
  return pids;
}

function isMounted(env: Env, name: string): boolean {
  const devno = readText(join(blockDir(env, name), 'dev'));
  const mounts = readText(join(env.roots.proc, 'self', 'mountinfo'));
  if (devno === null || mounts === null) return false;
  // mountinfo field 3 is the major:minor of the mounted device
  return mounts.split('\n').some((line) => line.split(' ')[2] === devno);
}
