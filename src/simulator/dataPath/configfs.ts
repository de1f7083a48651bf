// The few configfs operations the LIO backend needs, injectable so its writes can be unit
// tested against a fake tree. configfs is not a normal filesystem: mkdir creates an object
// (with its attribute files), rmdir destroys it (refused while it has user-made children or
// links), and each write() to an attribute is parsed as a whole value — so values are written
// once, exactly as given, never with a trailing newline (the newline `echo` adds would become
// part of a CHAP user name, and every login would then fail with exit 24).
import { lstat, mkdir, readFile, readdir, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';

export interface ConfigFs {
  exists(path: string): Promise<boolean>;
  /** One level: the parent must exist (as in configfs). */
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  write(path: string, value: string): Promise<void>;
  read(path: string): Promise<string>;
  symlink(target: string, path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Entries of a directory (attributes included); [] when it does not exist. */
  list(path: string): Promise<string[]>;
  isLink(path: string): Promise<boolean>;
  isDir(path: string): Promise<boolean>;
}

export const nodeConfigFs: ConfigFs = {
  exists: (path) =>
    lstat(path).then(
      () => true,
      () => false,
    ),
  mkdir: (path) => mkdir(path).then(() => undefined),
  rmdir: (path) => rmdir(path),
  // One write(2) call for these short values; 'w' is what the shell's `>` does.
  write: (path, value) => writeFile(path, value, { flag: 'w' }),
  read: (path) => readFile(path, 'utf8'),
  symlink: (target, path) => symlink(target, path),
  unlink: (path) => unlink(path),
  list: (path) => readdir(path).catch(() => []),
  isLink: (path) =>
    lstat(path).then(
      (s) => s.isSymbolicLink(),
      () => false,
    ),
  isDir: (path) =>
    lstat(path).then(
      (s) => s.isDirectory(),
      () => false,
    ),
};
