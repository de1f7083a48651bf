// Direct access to open-iscsi's node record files, for two things only: replacing the CHAP
// placeholder with the real secret so the secret never travels on an argv, and reading a
// portal's record in-process (no iscsiadm process) to see whether it already holds what we
// want. Writes other than the secret always go through iscsiadm. Layout:
// <root>/<target IQN>/<address>,<port>,<tpgt>/<iface>   (or, older, …/<address>,<port>,<tpgt> as a file)
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HostError } from '../../errors';
import { parseNodeRecord } from './parse';
import type { Portal } from '../core/types';

function readdir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The directories holding this target's records, one per DB root that has it. */
function targetDirs(roots: string[], target: string): string[] {
  const out: string[] = [];
  for (const root of roots) {
    for (const e of readdir(root)) {
      if (e.isDirectory() && e.name.toLowerCase() === target.toLowerCase()) out.push(join(root, e.name));
    }
  }
  return out;
}

/** Every regular file below the target directories (records of all portals of the target). */
export function targetRecordFiles(roots: string[], target: string): string[] {
  const out: string[] = [];
  for (const dir of targetDirs(roots, target)) {
    for (const e of readdir(dir)) {
      const p = join(dir, e.name);
      if (e.isFile()) out.push(p);
      else if (e.isDirectory()) for (const f of readdir(p)) if (f.isFile()) out.push(join(p, f.name));
    }
  }
  return out;
}

/** Does this record file belong to exactly this portal (not 10.0.0.20 for 10.0.0.2)? */
export function isRecordOfPortal(file: string, target: string, p: Portal): boolean {
  const prefix = `${p.address},${p.port}`;
  const match = (name: string) => name === prefix || name.startsWith(`${prefix},`);
  const parent = basename(dirname(file));
  if (parent.toLowerCase() === target.toLowerCase()) return match(basename(file));
  return match(parent) && basename(dirname(dirname(file))).toLowerCase() === target.toLowerCase();
}

/** The record files of exactly this portal (every iface, every DB root); stray temporary files skipped. */
export function portalRecordFiles(roots: string[], target: string, p: Portal): string[] {
  return targetRecordFiles(roots, target).filter((f) => !basename(f).startsWith('.') && isRecordOfPortal(f, target, p));
}

/**
 * The one record file of this portal as `key = value` pairs (secrets in clear: the caller only
 * compares them), or null when there is none, more than one, or it cannot be read — then only
 * iscsiadm can say which record it uses. open-iscsi omits empty string settings from the file.
 */
export function readPortalRecord(roots: string[], target: string, p: Portal): Map<string, string> | null {
  const files = portalRecordFiles(roots, target, p);
  if (files.length !== 1) return null;
  try {
    return parseNodeRecord(fs.readFileSync(files[0], 'utf8'));
  } catch {
    return null;
  }
}

const PASSWORD_KEY = 'node.session.auth.password';

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * Replace `placeholder` by `secret` in the node record of exactly (target, portal). Refuses
 * unless the placeholder sits in exactly one file, once, as the password value, and that file is
 * this portal's record. The rewrite is atomic (temporary file + rename) and the file stays 0600.
 */
export function swapPlaceholder(roots: string[], target: string, p: Portal, placeholder: string, secret: string): string {
  const files = targetRecordFiles(roots, target);
  const holders = files.filter((f) => {
    try {
      return fs.readFileSync(f, 'utf8').includes(placeholder);
    } catch {
      return false;
    }
  });
  const where = `${target} at ${p.address}:${p.port}`;
  if (holders.length !== 1) {
    throw new HostError(
      `CHAP setup for ${where}: expected the placeholder in exactly one node record, found ${holders.length} (searched ${roots.join(', ')})`,
    );
  }
  const file = holders[0];
  if (!isRecordOfPortal(file, target, p)) {
    throw new HostError(`CHAP setup for ${where}: the placeholder landed in another record (${file}); refusing to edit it`);
  }
  const text = fs.readFileSync(file, 'utf8');
  const expectedLine = new RegExp(`^${PASSWORD_KEY.replace(/[.[\]]/g, '\\$&')}\\s*=\\s*${placeholder}\\s*$`, 'm');
  if (occurrences(text, placeholder) !== 1 || !expectedLine.test(text)) {
    throw new HostError(`CHAP setup for ${where}: node record ${file} does not hold the placeholder as its password value`);
  }
  const updated = text.split(placeholder).join(secret);
  writeAtomic(file, updated);
  const check = fs.readFileSync(file, 'utf8');
  if (check.includes(placeholder) || occurrences(check, secret) !== 1) {
    throw new HostError(`CHAP setup for ${where}: node record ${file} did not verify after the rewrite`);
  }
  return file;
}

function writeAtomic(file: string, content: string): void {
  const st = fs.statSync(file);
  const tmp = join(dirname(file), `.${basename(file)}.jdssc-${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fchmodSync(fd, 0o600);
    try {
      fs.fchownSync(fd, st.uid, st.gid);
    } catch {
      // Not root (tests): ownership stays ours, which is the same as the original then.
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
