// Volume (zvol) endpoints below /pools/<pool>/volumes: list, get, create, resize, rename, delete
// and clone. Names here are physical names.
import type { RestClient } from './client';
import { asObject, optNum, orUndefined, str } from './values';

export interface VolumeRecord {
  name: string;
  size: number;
  blockSize?: number;
  /** False for thick volumes (they hold a refreservation). */
  thin?: boolean;
  origin?: { volume: string; snapshot: string };
  creation?: number;
  scsiId?: string;
  volumeId?: string;
  guid?: string;
}

export const VOLUME_PAGE_SIZE = 100;

export function parseVolume(raw: unknown): VolumeRecord {
  const v = asObject(raw, 'volume');
  const name = str(v, 'name') ?? '';
  const refres = str(v, 'refreservation');
  const origin = parseOrigin(str(v, 'origin'));
  const provisioning = str(v, 'provisioning');
  return {
    name,
    size: optNum(v, 'volsize') ?? 0,
    blockSize: optNum(v, 'volblocksize'),
    thin: provisioning ? provisioning === 'thin' : refres === undefined ? undefined : refres === '0' || refres === 'none',
    origin,
    creation: optNum(v, 'creation'),
    scsiId: str(v, 'default_scsi_id') ?? str(v, 'san:volume_id')?.slice(0, 16),
    volumeId: str(v, 'san:volume_id'),
    guid: str(v, 'guid'),
  };
}

/** `Pool-0/v_src@s_snap` → {volume: 'v_src', snapshot: 's_snap'}. */
function parseOrigin(origin: string | undefined): VolumeRecord['origin'] {
  if (!origin || !origin.includes('@')) return undefined;
  const [dataset, snapshot] = origin.split('@', 2);
  return { volume: dataset.slice(dataset.indexOf('/') + 1), snapshot };
}

export async function getVolume(c: RestClient, name: string): Promise<VolumeRecord> {
  return parseVolume((await c.get(`/volumes/${name}`)).data);
}

export async function findVolume(c: RestClient, name: string): Promise<VolumeRecord | undefined> {
  return orUndefined(getVolume(c, name));
}

export async function* listVolumes(c: RestClient): AsyncGenerator<VolumeRecord[]> {
  for await (const page of c.pages('/volumes', VOLUME_PAGE_SIZE)) yield page.map(parseVolume);
}

export interface CreateVolume {
  name: string;
  size: number;
  thin: boolean;
  blockSize: string;
}

export async function createVolume(c: RestClient, v: CreateVolume, verify: () => Promise<boolean>): Promise<void> {
  await c.request({
    method: 'POST',
    path: '/volumes',
    body: { name: v.name, size: String(v.size), sparse: v.thin, blocksize: v.blockSize },
    verify,
  });
}

export async function resizeVolume(c: RestClient, name: string, size: number): Promise<void> {
  // An absolute size looks safe to resend, but a resend could undo a later grow by someone
  // else; so a lost answer is checked: the size (or more) in place means it applied.
  await c.request({
    method: 'PUT',
    path: `/volumes/${name}`,
    body: { size: String(size) },
    verify: async () => (await getVolume(c, name)).size >= size,
  });
}

export async function renameVolume(c: RestClient, name: string, newName: string, verify: () => Promise<boolean>): Promise<void> {
  await c.request({ method: 'PUT', path: `/volumes/${name}`, body: { name: newName }, verify });
}

export async function deleteVolume(c: RestClient, name: string, opts: { recursive: boolean }): Promise<void> {
  await c.request({
    method: 'DELETE',
    path: `/volumes/${name}`,
    body: opts.recursive ? { recursively_children: true } : undefined,
    verify: async () => (await findVolume(c, name)) === undefined,
  });
}

export interface CloneVolume {
  source: string;
  snapshot: string;
  name: string;
  thin: boolean;
  readonly?: boolean;
}

export async function cloneVolume(c: RestClient, v: CloneVolume): Promise<void> {
  await c.request({
    method: 'POST',
    path: `/volumes/${v.source}/clone`,
    body: { name: v.name, snapshot: v.snapshot, sparse: v.thin, readonly: v.readonly ?? false },
    verify: async () => {
      const made = await findVolume(c, v.name);
      return made?.origin?.volume === v.source && made.origin.snapshot === v.snapshot;
    },
  });
}
