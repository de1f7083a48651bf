// Shared status cache for `pool stats --max-age`: pvestatd asks every storage's status every
// ~10 s on every node, each time in a fresh process; within the age the caller accepts, the
// answer comes from a small file under the state directory (/run/jdssc for root) and no REST
// request is sent. The file holds pool capacity only (never a secret) and is keyed by everything
// that decides which array and pool answered, so two storages never share an entry.
//
// A poll that found the array unreachable leaves that too, for DOWN_MEMORY_S at most (and never
// longer than the caller's age): while REST is down, the other pollers (pvestatd on this node,
// the GUI, pvesm status) answer "unreachable" at once instead of each paying the connect
// timeout again. Any change this node makes drops every entry (forgetStatus), up or down.
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { requireControlAddresses } from '../config';
import type { PoolStats } from '../storage';
import type { Factory } from './factory';
import { storageIdOf } from './hostEnv';

export type CacheFs = Pick<typeof nodeFs, 'readFileSync' | 'writeFileSync' | 'renameSync' | 'rmSync' | 'mkdirSync' | 'readdirSync'>;

/** What an entry belongs to: another storage, pool, array or REST user is another entry. */
export interface StatusKey {
  storageId: string;
  pool: string;
  addresses: string[];
  port: number;
  user: string;
}

const FORMAT = 1;
/** The longest age a caller may accept: capacity older than this is not a status any more. */
export const MAX_AGE_LIMIT_S = 300;
/** How long an unreachable array is remembered: a few polls, so recovery shows within seconds. */
export const DOWN_MEMORY_S = 15;

/** An entry: the pool's stats, or the one-line reason the array did not answer. */
export type StatusEntry = { stats: PoolStats } | { down: string; at: number };

/** Where this invocation's storage keeps its entry: the file system, the file and the key. */
export interface StatusSlot {
  fs: CacheFs;
  path: string;
  key: StatusKey;
}

export function statusSlotOf(f: Pick<Factory, 'settings' | 'stateDir' | 'overrides'>): StatusSlot {
  const s = f.settings();
  const key: StatusKey = {
    storageId: storageIdOf(s),
    pool: s.pool,
    addresses: requireControlAddresses(s),
    port: s.controlPort,
    user: s.userName,
  };
  return { fs: f.overrides.fs ?? nodeFs, path: statusCachePath(f.stateDir(), key), key };
}

/** Did a poll on this node find the array unreachable within the last DOWN_MEMORY_S? */
export function rememberedDown(slot: StatusSlot, now: number): boolean {
  const e = readStatus(slot.fs, slot.path, slot.key, now, DOWN_MEMORY_S * 1000);
  return e !== undefined && 'down' in e;
}

export function statusCachePath(stateDir: string, key: StatusKey): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(keyFields(key)))
    .digest('hex')
    .slice(0, 16);
  return join(stateDir, `status-${hash}.json`);
}

/**
 * The cached entry if it is this key's, well formed and young enough: stats up to `maxAgeMs`
 * old, an unreachable array up to min(`maxAgeMs`, DOWN_MEMORY_S). Anything else (missing,
 * corrupt, another key, from the future after a clock step) is ignored.
 */
export function readStatus(fs: CacheFs, path: string, key: StatusKey, now: number, maxAgeMs: number): StatusEntry | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || doc.format !== FORMAT || typeof doc.at !== 'number' || !Number.isFinite(doc.at)) return undefined;
  if (JSON.stringify(doc.key) !== JSON.stringify(keyFields(key))) return undefined;
  const age = now - doc.at;
  if (age < 0 || age > maxAgeMs) return undefined;
  if (typeof doc.down === 'string' && doc.down !== '')
    return age <= DOWN_MEMORY_S * 1000 ? { down: doc.down.slice(0, 300), at: doc.at } : undefined;
  return isStats(doc.stats, key.pool) ? { stats: doc.stats } : undefined;
}

/** Best effort, atomic (temp file + rename): a reader sees the old entry or the new one, never half. */
export function writeStatus(fs: CacheFs, path: string, key: StatusKey, now: number, entry: { stats: PoolStats } | { down: string }): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const body = 'stats' in entry ? { stats: pick(entry.stats) } : { down: entry.down };
    const doc = { format: FORMAT, key: keyFields(key), at: now, ...body };
    fs.writeFileSync(tmp, `${JSON.stringify(doc)}\n`, { mode: 0o644 });
    fs.renameSync(tmp, path);
  } catch {
    // A cache that cannot be written costs the next poll one request, nothing more.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean up
    }
  }
}

/**
 * After a command that changed something (a disk created, resized, freed on this node), every
 * entry in the state directory is dropped, so the next poll shows the capacity it left behind.
 */
export function forgetStatus(fs: CacheFs, stateDir: string): void {
  try {
    for (const name of fs.readdirSync(stateDir)) if (ENTRY.test(name)) fs.rmSync(join(stateDir, name), { force: true });
  } catch {
    // no state directory yet: nothing cached
  }
}

const ENTRY = /^status-[0-9a-f]{16}\.json$/;

/** Only these fields are written, whatever else a caller's object carries. */
function keyFields(k: StatusKey): StatusKey {
  return { storageId: k.storageId, pool: k.pool, addresses: [...k.addresses], port: k.port, user: k.user };
}

function pick(s: PoolStats): PoolStats {
  return { name: s.name, id: s.id, total: s.total, free: s.free, used: s.used, health: s.health };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStats(v: unknown, pool: string): v is PoolStats {
  if (!isRecord(v) || v.name !== pool) return false;
  const bytes = [v.total, v.free, v.used].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0);
  const nullableText = (x: unknown) => x === null || typeof x === 'string';
  return bytes && nullableText(v.id) && nullableText(v.health);
}
