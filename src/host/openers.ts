// Who uses a disk: processes holding it open (QEMU opens /dev/disk/by-id/… of a single-path
// disk directly) and mounts of it (a container's root file system). Stacked devices are seen
// through sysfs holders elsewhere; this covers what holders cannot show.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { HostEnv } from './types';

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

function commOf(env: Env, pid: string): string {
  try {
    return readFileSync(join(env.roots.proc, pid, 'comm'), 'utf8').trim();
  } catch {
    return '';
  }
}

function openedBy(env: Env, name: string): number[] {
  const pids: number[] = [];
  for (const pid of listDir(env.roots.proc).filter((p) => /^\d+$/.test(p))) {
    if (PATH_MONITORS.has(commOf(env, pid))) continue;
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
  let devno: string;
  let mounts: string;
  try {
    devno = readFileSync(join(env.roots.sys, 'block', name, 'dev'), 'utf8').trim();
    mounts = readFileSync(join(env.roots.proc, 'self', 'mountinfo'), 'utf8');
  } catch {
    return false;
  }
  // mountinfo field 3 is the major:minor of the mounted device
  return mounts.split('\n').some((line) => line.split(' ')[2] === devno);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
