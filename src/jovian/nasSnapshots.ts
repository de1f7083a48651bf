// NAS snapshot endpoints below /pools/<pool>/nas-volumes/<d>/snapshots: list, get, create,
// delete, the rollback count and the rollback, and the clones of a snapshot (create, get,
// delete). Names here are physical names.
import type { RestClient } from './client';
import { parseNasVolume, type NasVolumeRecord } from './nasVolumes';
import { epochOf } from './snapshots';
import { asArray, asObject, optNum, orUndefined, str } from './values';

export interface NasSnapshotRecord {
  name: string;
  guid?: string;
  creation?: number;
  createtxg?: number;
  used?: number;
  referenced?: number;
  /** Dataset names (pool stripped) of the clones made from this snapshot. */
  clones: string[];
}

const PAGE = 100;

export function parseNasSnapshot(raw: unknown): NasSnapshotRecord {
  const e = asObject(raw, 'NAS snapshot');
  // Volume snapshot listings nest attributes under `properties`; accept both shapes.
  const p = e.properties && typeof e.properties === 'object' ? { ...(e.properties as Record<string, unknown>), ...e } : e;
  const clones = (str(p, 'clones') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => s.slice(s.indexOf('/') + 1));
  return {
    name: str(e, 'name') ?? '',
    guid: str(p, 'guid'),
    creation: epochOf(p.creation),
    createtxg: optNum(p, 'createtxg'),
    used: optNum(p, 'used'),
    referenced: optNum(p, 'referenced'),
    clones,
  };
}

const S = (d: string) => `/nas-volumes/${d}/snapshots`;

export async function listNasSnapshots(c: RestClient, dataset: string): Promise<NasSnapshotRecord[]> {
  const out: NasSnapshotRecord[] = [];
  for await (const page of c.pages(S(dataset), PAGE)) out.push(...page.map(parseNasSnapshot));
  return out;
}

export async function getNasSnapshot(c: RestClient, dataset: string, snapshot: string): Promise<NasSnapshotRecord> {
  const r = parseNasSnapshot((await c.get(`${S(dataset)}/${snapshot}`)).data);
  return { ...r, name: r.name || snapshot };
}

export async function findNasSnapshot(c: RestClient, dataset: string, snapshot: string): Promise<NasSnapshotRecord | undefined> {
  return orUndefined(getNasSnapshot(c, dataset, snapshot));
}

export async function createNasSnapshot(c: RestClient, dataset: string, snapshot: string): Promise<void> {
  await c.request({
    method: 'POST',
    path: S(dataset),
    body: { name: snapshot },
    verify: async () => (await findNasSnapshot(c, dataset, snapshot)) !== undefined,
  });
}

export async function deleteNasSnapshot(c: RestClient, dataset: string, snapshot: string): Promise<void> {
  await c.request({
    method: 'DELETE',
    path: `${S(dataset)}/${snapshot}`,
    body: {},
    verify: async () => (await findNasSnapshot(c, dataset, snapshot)) === undefined,
  });
}

export interface NasRollbackCounts {
  snapshots: number;
  clones: number;
}

export async function nasRollbackCounts(c: RestClient, dataset: string, snapshot: string): Promise<NasRollbackCounts> {
  const r = asObject((await c.get(`${S(dataset)}/${snapshot}/rollback`)).data, 'rollback counts');
  return { snapshots: optNum(r, 'snapshots') ?? 0, clones: optNum(r, 'clones') ?? 0 };
}

/** Never resent blindly: `verify` (from the caller, who knows what was newer) reads the listing. */
export async function nasRollback(c: RestClient, dataset: string, snapshot: string, verify: () => Promise<boolean>): Promise<void> {
  await c.request({ method: 'POST', path: `${S(dataset)}/${snapshot}/rollback`, verify });
}

/** Names of the clones of a snapshot, as the clones endpoint lists them. */
export async function listNasSnapshotClones(c: RestClient, dataset: string, snapshot: string): Promise<string[]> {
  const { data } = await c.get(`${S(dataset)}/${snapshot}/clones`);
  return asArray(data, 'NAS snapshot clones').map((x) => str(x, 'name') ?? '');
}

export async function getNasClone(c: RestClient, dataset: string, snapshot: string, clone: string): Promise<NasVolumeRecord> {
  return parseNasVolume((await c.get(`${S(dataset)}/${snapshot}/clones/${clone}`)).data);
}

export async function findNasClone(c: RestClient, dataset: string, snapshot: string, clone: string): Promise<NasVolumeRecord | undefined> {
  return orUndefined(getNasClone(c, dataset, snapshot, clone));
}

export async function createNasClone(c: RestClient, dataset: string, snapshot: string, clone: string): Promise<void> {
  await c.request({
    method: 'POST',
    path: `${S(dataset)}/${snapshot}/clones`,
    body: { name: clone },
    verify: async () => (await findNasClone(c, dataset, snapshot, clone)) !== undefined,
  });
}

/** Deletes a clone of a snapshot; one that is already gone counts as deleted. */
export async function deleteNasClone(c: RestClient, dataset: string, snapshot: string, clone: string): Promise<void> {
  await orUndefined(
    c.request({
      method: 'DELETE',
      path: `${S(dataset)}/${snapshot}/clones/${clone}`,
      body: {},
      verify: async () => (await findNasClone(c, dataset, snapshot, clone)) === undefined,
    }),
  );
}
