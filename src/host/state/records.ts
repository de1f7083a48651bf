// LUN records: what this host activated, so deactivation and cleanup act only on what is ours.
// One JSON file per (storage, target, LUN): <records>/<storageId>/<target>/lun-<n>.json, 0600,
// written atomically. Unreadable files still count as "something is there" for the guards.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { HostError, UsageError } from '../../errors';
import { samePortal, sameTarget } from '../iscsi/portal';
import { listDir } from '../core/sysfs';
import type { HostEnv, Portal } from '../core/types';

export interface LunRecord {
  version: 1;
  storageId: string;
  pool: string;
  volume: string;
  snapshot: string | null;
  target: string;
  lun: number;
  wwid: string;
  portals: Portal[];
  multipath: boolean;
  /** What the VM uses: /dev/mapper/<wwid> or /dev/disk/by-id/scsi-<wwid>. */
  device: string;
  createdAt: string;
}

type Env = Pick<HostEnv, 'roots'>;

const RECORD_FILE = /^lun-\d+\.json$/;

export function assertStorageId(id: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(id)) throw new UsageError(`invalid storage id '${id}'`);
  return id;
}

export function assertTarget(target: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.:_-]*$/.test(target)) throw new UsageError(`invalid iSCSI target name '${target}'`);
  return target;
}

function targetDir(env: Env, storageId: string, target: string): string {
  return join(env.roots.records, assertStorageId(storageId), assertTarget(target).toLowerCase());
}

export function recordPath(env: Env, storageId: string, target: string, lun: number): string {
  return join(targetDir(env, storageId, target), `lun-${lun}.json`);
}

function isRecord(v: unknown): v is LunRecord {
  const r = v as LunRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.storageId === 'string' &&
    typeof r.pool === 'string' &&
    typeof r.volume === 'string' &&
    (r.snapshot === null || typeof r.snapshot === 'string') &&
    typeof r.target === 'string' &&
    Number.isInteger(r.lun) &&
    typeof r.wwid === 'string' &&
    Array.isArray(r.portals) &&
    r.portals.every((p) => typeof p?.address === 'string' && Number.isInteger(p?.port)) &&
    typeof r.multipath === 'boolean' &&
    typeof r.device === 'string'
  );
}

/** Both name the same volume or snapshot with the same WWID: a LUN number reused for another volume does not. */
export function sameVolume(
  a: Pick<LunRecord, 'wwid' | 'volume' | 'snapshot'>,
  b: Pick<LunRecord, 'wwid' | 'volume' | 'snapshot'>,
): boolean {
  return a.wwid === b.wwid && a.volume === b.volume && (a.snapshot ?? null) === (b.snapshot ?? null);
}

export function readRecord(path: string): LunRecord | null {
  try {
    const v = JSON.parse(fs.readFileSync(path, 'utf8')) as unknown;
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

export function writeRecord(env: Env, rec: LunRecord): string {
  const dir = targetDir(env, rec.storageId, rec.target);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = recordPath(env, rec.storageId, rec.target, rec.lun);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(rec, null, 2)}\n`);
    fs.fchmodSync(fd, 0o600);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new HostError(`cannot write LUN record ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return file;
}

export function removeRecord(env: Env, rec: Pick<LunRecord, 'storageId' | 'target' | 'lun'>): boolean {
  const file = recordPath(env, rec.storageId, rec.target, rec.lun);
  let removed = false;
  try {
    fs.unlinkSync(file);
    removed = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new HostError(`cannot remove LUN record ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  for (const dir of [targetDir(env, rec.storageId, rec.target), join(env.roots.records, rec.storageId)]) {
    try {
      fs.rmdirSync(dir);
    } catch {
      break; // not empty (or gone): leave it
    }
  }
  return removed;
}

export interface RecordFile {
  path: string;
  storageId: string;
  /** Directory name of the target (the IQN in lower case). */
  targetDir: string;
  /** Null when the file could not be read or parsed. */
  record: LunRecord | null;
}

/** Every record file (optionally of one storage), parsed or not. */
export function listRecordFiles(env: Env, storageId?: string): RecordFile[] {
  const out: RecordFile[] = [];
  const storages = storageId ? [storageId] : listDir(env.roots.records);
  for (const sid of storages) {
    for (const t of listDir(join(env.roots.records, sid))) {
      for (const f of listDir(join(env.roots.records, sid, t))) {
        if (!RECORD_FILE.test(f)) continue;
        const path = join(env.roots.records, sid, t, f);
        out.push({ path, storageId: sid, targetDir: t, record: readRecord(path) });
      }
    }
  }
  return out;
}

export function listRecords(env: Env, storageId?: string): LunRecord[] {
  return listRecordFiles(env, storageId).flatMap((f) => (f.record ? [f.record] : []));
}

export function findRecord(env: Env, storageId: string, target: string, lun: number): LunRecord | null {
  return readRecord(recordPath(env, storageId, target, lun));
}

/** Records of a volume: `snapshot` null = the volume itself, a name = that snapshot, '*' = every snapshot of it. */
export function findByVolume(env: Env, storageId: string, volume: string, snapshot: string | null = null): LunRecord[] {
  return listRecords(env, storageId).filter(
    (r) => r.volume === volume && (snapshot === '*' ? r.snapshot !== null : r.snapshot === snapshot),
  );
}

export function findByTarget(env: Env, target: string, storageId?: string): LunRecord[] {
  return listRecords(env, storageId).filter((r) => sameTarget(r.target, target));
}

/** Storages other than `storageId` holding record files on exactly this target IQN. */
export function otherStoragesOnTarget(env: Env, storageId: string, target: string): string[] {
  const dir = assertTarget(target).toLowerCase();
  return listDir(env.roots.records).filter(
    (sid) => sid !== storageId && listDir(join(env.roots.records, sid, dir)).some((f) => RECORD_FILE.test(f)),
  );
}

/**
 * Records of other LUNs on the same target (any storage), optionally only those using `portal`.
 * Unreadable record files on the target count too: when in doubt, the session is in use.
 */
export function otherLunsOnTarget(env: Env, rec: Pick<LunRecord, 'storageId' | 'target' | 'lun'>, p?: Portal): RecordFile[] {
  const dir = assertTarget(rec.target).toLowerCase();
  return listRecordFiles(env).filter((f) => {
    if (f.targetDir !== dir) return false;
    if (f.record === null) return true;
    if (!sameTarget(f.record.target, rec.target)) return false;
    if (f.record.storageId === rec.storageId && f.record.lun === rec.lun) return false;
    return p === undefined || f.record.portals.some((q) => samePortal(q, p));
  });
}
