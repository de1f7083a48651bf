// The mount directory before a mount: is it safe to cover? Only a missing directory, an empty
// one, or one holding nothing but empty directories (the skeleton Proxmox creates: template/iso,
// dump, images…) may be mounted over; a file there would be hidden by the mount.
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export type DirState =
  { kind: 'missing' } | { kind: 'empty' } | { kind: 'not-directory' } | { kind: 'has-files'; example: string; count: number };

const MAX_ENTRIES = 10_000; // an empty skeleton has a dozen; past this it is not one

export function inspectMountDir(path: string): DirState {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { kind: 'missing' };
  }
  if (!st.isDirectory()) return { kind: 'not-directory' };
  const files: string[] = [];
  let seen = 0;
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES || files.length >= 100) return;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(dir, e.name), r);
      else files.push(r);
    }
  };
  try {
    walk(path, '');
  } catch {
    return { kind: 'has-files', example: '(unreadable entries)', count: 1 };
  }
  if (seen > MAX_ENTRIES) return { kind: 'has-files', example: `more than ${MAX_ENTRIES} entries`, count: seen };
  return files.length ? { kind: 'has-files', example: files[0], count: files.length } : { kind: 'empty' };
}

/** The mount directory, created (0755, parents too) when missing. */
export function ensureMountDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
}
