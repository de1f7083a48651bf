// Snapshot endpoints below /pools/<pool>/volumes/<v>/snapshots: list, create, get, delete, clones,
// the rollback count and the rollback itself. Names here are physical names.
import type { RestClient } from './client';
import { isMissing } from '../errors';
import { asArray, asObject, optNum, orUndefined, str } from './values';

export interface SnapshotRecord {
  name: string;
  guid?: string;
  /** Seconds since the epoch; the v4 listing gives an integer, single GETs a local-time string. */
  creation?: number;
  /**
   * The ZFS transaction group the snapshot was taken in: the order ZFS itself uses (a rollback
   * destroys every snapshot with a later txg). Single GETs carry it; v4 listings do not.
   */
  createtxg?: number;
  size?: number;
}

function parseListEntry(raw: unknown): SnapshotRecord {
  const e = asObject(raw, 'snapshot');
  // v4 nests attributes under `properties`; older answers keep them at the top level.
  const props = e.properties && typeof e.properties === 'object' ? (e.properties as Record<string, unknown>) : e;
  return {
    name: str(e, 'name') ?? '',
    guid: str(props, 'guid'),
    creation: epochOf(props.creation),
    createtxg: optNum(props, 'createtxg'),
    size: optNum(props, 'volsize'),
  };
}

/** Integer epochs pass through; `YYYY-M-D H:M:S` strings (appliance local time) are read as local time. */
export function epochOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.floor(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Math.floor(new Date(y, mo - 1, d, h, mi, s).getTime() / 1000);
}

/** Asked for explicitly so that one short page ends the walk (servers may still cap it). */
const SNAPSHOT_PAGE_SIZE = 100;

export async function listSnapshots(c: RestClient, volume: string): Promise<SnapshotRecord[]> {
  const out: SnapshotRecord[] = [];
  for await (const page of c.pages(`/volumes/${volume}/snapshots`, SNAPSHOT_PAGE_SIZE)) out.push(...page.map(parseListEntry));
  return out;
}

/** Asked for explicitly so that one short page ends the walk (servers may still cap it). */
const POOL_SNAPSHOT_PAGE_SIZE = 1000;

/**
 * `GET /pools/<p>/volumes/snapshots`: every zvol snapshot of the pool, each entry naming its
 * volume, grouped by volume in listing order. Undefined when the appliance has no such listing
 * (it answers as for a volume named "snapshots": not found) or an entry names no volume; the
 * caller then lists per volume.
 */
export async function listPoolSnapshots(c: RestClient): Promise<Map<string, SnapshotRecord[]> | undefined> {
  const byVolume = new Map<string, SnapshotRecord[]>();
  try {
    for await (const page of c.pages('/volumes/snapshots', POOL_SNAPSHOT_PAGE_SIZE)) {
      for (const raw of page) {
        const e = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
        if (typeof e.volume !== 'string' || e.volume === '' || typeof e.name !== 'string') return undefined;
        const list = byVolume.get(e.volume) ?? [];
        list.push(parseListEntry(raw));
        byVolume.set(e.volume, list);
      }
    }
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
  return byVolume;
}

export async function getSnapshot(c: RestClient, volume: string, snapshot: string): Promise<SnapshotRecord> {
  const { data } = await c.get(`/volumes/${volume}/snapshots/${snapshot}`);
  const s = asObject(data, 'snapshot');
  return {
    name: str(s, 'name') ?? snapshot,
    guid: str(s, 'guid'),
    creation: epochOf(s.creation),
    createtxg: optNum(s, 'createtxg'),
    size: optNum(s, 'volsize'),
  };
}

export async function findSnapshot(c: RestClient, volume: string, snapshot: string): Promise<SnapshotRecord | undefined> {
  return orUndefined(getSnapshot(c, volume, snapshot));
}

export async function createSnapshot(c: RestClient, volume: string, snapshot: string): Promise<void> {
  await c.request({
    method: 'POST',
    path: `/volumes/${volume}/snapshots`,
    body: { snapshot_name: snapshot },
    verify: async () => (await findSnapshot(c, volume, snapshot)) !== undefined,
  });
}

export async function deleteSnapshot(c: RestClient, volume: string, snapshot: string): Promise<void> {
  await c.request({
    method: 'DELETE',
    path: `/volumes/${volume}/snapshots/${snapshot}`,
    body: {},
    verify: async () => (await findSnapshot(c, volume, snapshot)) === undefined,
  });
}

/** Physical names of the volumes cloned from a snapshot. */
export async function listSnapshotClones(c: RestClient, volume: string, snapshot: string): Promise<string[]> {
  const { data } = await c.get(`/volumes/${volume}/snapshots/${snapshot}/clones`);
  return asArray(data, 'snapshot clones').map((x) => str(x, 'name') ?? '');
}

export interface RollbackCounts {
  snapshots: number;
  clones: number;
}

/**
 * The appliance's own count of what a rollback would destroy. It compares `creation` in whole
 * seconds, so a snapshot taken in the same second as the target is missing from it.
 */
export async function rollbackCounts(c: RestClient, volume: string, snapshot: string): Promise<RollbackCounts> {
  const { data } = await c.get(`/volumes/${volume}/snapshots/${snapshot}/rollback`);
  const r = asObject(data, 'rollback counts');
  return { snapshots: optNum(r, 'snapshots') ?? 0, clones: optNum(r, 'clones') ?? 0 };
}

/**
 * A rollback destroys every later snapshot, so it is never blindly resent: `verify` (from the
 * caller, who knows which snapshots were newer) reads the listing and tells whether it applied.
 */
export async function rollback(c: RestClient, volume: string, snapshot: string, verify: () => Promise<boolean>): Promise<void> {
  await c.request({ method: 'POST', path: `/volumes/${volume}/snapshots/${snapshot}/rollback`, verify });
}
