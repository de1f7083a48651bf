// What is mounted where, read from procfs (`<proc>/self/mountinfo`, the proc root injectable
// through HostEnv.roots like every other /sys and /dev seam), and the source string of an NFS
// export (IPv6 literals in brackets).
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { readText } from '../core/sysfs';
import type { HostEnv } from '../core/types';

type Env = Pick<HostEnv, 'roots'>;

export interface MountEntry {
  /** Mount point, octal escapes (\040 for a space) decoded. */
  mountPoint: string;
  fsType: string;
  /** What is mounted: `server:/export` for NFS, a device for block file systems. */
  source: string;
  /** Mount options of this mount point (field 6). */
  options: string;
}

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Parses mountinfo text (proc(5)): fields 1-6, optional fields, `-`, fs type, source, super options. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0 || dash + 2 >= f.length) continue;
    out.push({ mountPoint: unescape(f[4]), options: f[5], fsType: f[dash + 1], source: unescape(f[dash + 2]) });
  }
  return out;
}

export function readMountinfo(env: Env): MountEntry[] {
  return parseMountinfo(readText(`${env.roots.proc}/self/mountinfo`) ?? '');
}

/** The path as given (absolute) and, when it exists, its canonical form: mountinfo shows the latter. */
function spellings(path: string): string[] {
  const abs = resolve(path);
  try {
    const real = realpathSync(abs);
    return real === abs ? [abs] : [abs, real];
  } catch {
    return [abs];
  }
}

/** The mount on top at `path` (the last one listed wins, as the kernel stacks them), or null. */
export function mountAt(env: Env, path: string): MountEntry | null {
  const names = spellings(path);
  const hits = readMountinfo(env).filter((m) => names.includes(m.mountPoint));
  return hits.length ? hits[hits.length - 1] : null;
}

/** Mounts strictly below `path` (a child mount stops an unmount of `path`). */
export function mountsBelow(env: Env, path: string): MountEntry[] {
  const names = spellings(path);
  return readMountinfo(env).filter((m) => names.some((n) => m.mountPoint.startsWith(n === '/' ? '/' : `${n}/`) && m.mountPoint !== n));
}

/** `server:/export`, with an IPv6 literal in brackets (`[fd00::1]:/Pools/p/d`), as mount.nfs wants it. */
export function nfsSource(server: string, exportPath: string): string {
  const host = server.includes(':') && !server.startsWith('[') ? `[${server}]` : server;
  return `${host}:${exportPath}`;
}

/** Do two NFS sources name the same export? Brackets, case of hex digits and trailing slashes aside. */
export function sameNfsSource(a: string, b: string): boolean {
  const norm = (s: string): string => {
    const i = s.lastIndexOf(':/');
    if (i < 0) return s;
    const host = s
      .slice(0, i)
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    const exp = s.slice(i + 1).replace(/\/+$/, '') || '/';
    return `${host}:${exp}`;
  };
  return norm(a) === norm(b);
}

export function isNfs(m: MountEntry): boolean {
  return m.fsType === 'nfs' || m.fsType === 'nfs4';
}
