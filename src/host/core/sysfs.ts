// Small, failure-tolerant file helpers for sysfs and /dev under injected roots. Reads return
// null instead of throwing (devices come and go while we look); control writes never create a
// file (a vanished device must not turn into a regular file).
import * as fs from 'node:fs';
import { HostError } from '../../errors';

export function readText(path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function readInt(path: string): number | null {
  const t = readText(path);
  if (t === null || !/^\d+$/.test(t)) return null;
  return Number(t);
}

export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function exists(path: string): boolean {
  try {
    fs.statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function realpath(path: string): string | null {
  try {
    return fs.realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * Write to a sysfs control file (scan, rescan, delete). Returns false when the file does not
 * exist (the device is already gone); other failures are host errors.
 */
export function writeControl(path: string, value: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new HostError(`cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    fs.writeSync(fd, value);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENODEV' || code === 'ENXIO') return false;
    throw new HostError(`cannot write '${value}' to ${path}: ${code ?? (e as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}
