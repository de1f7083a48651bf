// NAS volume (ZFS filesystem dataset) endpoints below /pools/<pool>/nas-volumes: list, get,
// create, change quota/reservation, delete. Names here are dataset names as the array has them.
import { ApplianceError, BusyError, type JdsscError, UsageError } from '../errors';
import type { RestClient } from './client';
import { asObject, optNum, orUndefined, str } from './values';

export interface NasVolumeRecord {
  name: string;
  quota: number;
  reservation: number;
  used: number;
  available: number;
  referenced?: number;
  mountpoint?: string;
  creation?: number;
  guid?: string;
  /** `<pool>/<d>@<s>` split; set for clones. */
  origin?: { volume: string; snapshot: string };
  isClone: boolean;
  readonly: boolean;
}

export const NAS_PAGE_SIZE = 100;

function bool(v: unknown): boolean {
  return v === true || v === 'true' || v === 'on' || v === 'yes';
}

export function parseNasVolume(raw: unknown): NasVolumeRecord {
  const v = asObject(raw, 'NAS volume');
  const originText = str(v, 'origin');
  let origin: NasVolumeRecord['origin'];
  if (originText && originText.includes('@')) {
    const [dataset, snapshot] = originText.split('@', 2);
    origin = { volume: dataset.slice(dataset.indexOf('/') + 1), snapshot };
  }
  return {
    name: str(v, 'name') ?? '',
    quota: optNum(v, 'quota') ?? 0,
    reservation: optNum(v, 'reservation') ?? 0,
    used: optNum(v, 'used') ?? 0,
    available: optNum(v, 'available') ?? 0,
    referenced: optNum(v, 'referenced'),
    mountpoint: str(v, 'mountpoint'),
    creation: optNum(v, 'creation'),
    guid: str(v, 'guid'),
    origin,
    isClone: bool(v.is_clone) || origin !== undefined,
    readonly: bool(v.readonly),
  };
}

/**
 * Appliance refusals about NAS volumes that the shared classification (responses.ts) does not
 * name: a quota below what is used (a usage error: the caller asked for less than the data) and
 * a dataset still exported by a share (busy).
 */
export function nasVolumeError(e: unknown, name: string): unknown {
  if (!(e instanceof ApplianceError)) return e;
  const msg = String((e as JdsscError).details?.applianceMessage ?? '');
  if (/less than current used amount/i.test(msg)) return new UsageError(`NAS volume ${name}: the quota is below what it uses (${msg})`);
  const share = /is used by share (\S+?)\.?$/m.exec(msg);
  if (share || Number(e.details?.errno) === 16)
    return new BusyError(`NAS volume ${name} is shared${share ? ` by ${share[1]}` : ''}; delete the share first`, {
      ...e.details,
      shares: share ? [share[1]] : [],
    });
  return e;
}

async function remap<T>(p: Promise<T>, name: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw nasVolumeError(e, name);
  }
}

export async function getNasVolume(c: RestClient, name: string): Promise<NasVolumeRecord> {
  return parseNasVolume((await c.get(`/nas-volumes/${name}`)).data);
}

export async function findNasVolume(c: RestClient, name: string): Promise<NasVolumeRecord | undefined> {
  return orUndefined(getNasVolume(c, name));
}

export async function listNasVolumes(c: RestClient): Promise<NasVolumeRecord[]> {
  const out: NasVolumeRecord[] = [];
  for await (const page of c.pages('/nas-volumes', NAS_PAGE_SIZE)) out.push(...page.map(parseNasVolume));
  return out;
}

export interface CreateNasVolume {
  name: string;
  quota: number;
  reservation?: number;
}

/** `verify` (from the caller) tells whether a NAS volume of exactly this shape is there. */
export async function createNasVolume(
  c: RestClient,
  v: CreateNasVolume,
  verify: () => Promise<boolean>,
): Promise<NasVolumeRecord | undefined> {
  const body: Record<string, unknown> = { name: v.name, quota: String(v.quota) };
  if (v.reservation !== undefined) body.reservation = String(v.reservation);
  const r = await c.request({ method: 'POST', path: '/nas-volumes', body, verify });
  return r.verified || !r.data ? undefined : parseNasVolume(r.data);
}

/**
 * Sets the quota and/or reservation. A lost answer is checked by a read (the values in place
 * mean it applied): a blind resend could undo a change made by someone else meanwhile.
 */
export async function updateNasVolume(c: RestClient, name: string, change: { quota?: number; reservation?: number }): Promise<void> {
  const body: Record<string, string> = {};
  if (change.quota !== undefined) body.quota = String(change.quota);
  if (change.reservation !== undefined) body.reservation = String(change.reservation);
  await remap(
    c.request({
      method: 'PUT',
      path: `/nas-volumes/${name}`,
      body,
      verify: async () => {
        const now = await findNasVolume(c, name);
        if (!now) return false;
        return (
          (change.quota === undefined || now.quota === change.quota) &&
          (change.reservation === undefined || now.reservation === change.reservation)
        );
      },
    }),
    name,
  );
}

export async function deleteNasVolume(c: RestClient, name: string, opts: { recursive: boolean }): Promise<void> {
  await remap(
    c.request({
      method: 'DELETE',
      path: `/nas-volumes/${name}`,
      body: opts.recursive ? { recursively_children: true } : {},
      verify: async () => (await findNasVolume(c, name)) === undefined,
    }),
    name,
  );
}
