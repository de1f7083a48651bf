// Share endpoints: /api/v4/shares, global (not pool-scoped; a share's name is unique across
// pools and its `path` is `<pool>/<dataset>`): list, get, create, delete. Only NFS is used.
import { ApplianceError, NotFoundError } from '../errors';
import type { RestClient } from './client';
import { asObject, orUndefined, str } from './values';

export interface NfsSettings {
  enabled: boolean;
  /** Addresses or networks that may mount; empty: no restriction. */
  allowAccessIp: string[];
  /** Addresses or networks that may write; empty: nobody writes (read-only). */
  allowWriteIp: string[];
  noRootSquash: boolean;
  allSquash: boolean;
  insecureConnections: boolean;
  synchronousDataRecord: boolean;
  insecureLockRequests: boolean;
}

export interface ShareRecord {
  name: string;
  /** `<pool>/<dataset>`. */
  path: string;
  /** `/Pools/<pool>/<dataset>`: the NFS export path. */
  realPath?: string;
  active: boolean;
  nfs: NfsSettings;
}

const PAGE = 100;
const G = { scope: 'global' as const };

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String).filter((s) => s !== '') : [];
}

export function parseShare(raw: unknown): ShareRecord {
  const s = asObject(raw, 'share');
  const n = s.nfs && typeof s.nfs === 'object' ? (s.nfs as Record<string, unknown>) : {};
  return {
    name: str(s, 'name') ?? '',
    path: str(s, 'path') ?? '',
    realPath: str(s, 'real_path'),
    active: s.active !== false,
    nfs: {
      enabled: n.enabled === true,
      allowAccessIp: strings(n.allow_access_ip),
      allowWriteIp: strings(n.allow_write_ip),
      noRootSquash: n.no_root_squash === true,
      allSquash: n.all_squash === true,
      insecureConnections: n.insecure_connections === true,
      synchronousDataRecord: n.synchronous_data_record !== false,
      insecureLockRequests: n.insecure_lock_requests === true,
    },
  };
}

export async function listShares(c: RestClient): Promise<ShareRecord[]> {
  const out: ShareRecord[] = [];
  for await (const page of c.pages('/shares', PAGE, G)) out.push(...page.map(parseShare));
  return out;
}

export async function getShare(c: RestClient, name: string): Promise<ShareRecord> {
  return parseShare((await c.get(`/shares/${name}`, G)).data);
}

export async function findShare(c: RestClient, name: string): Promise<ShareRecord | undefined> {
  return orUndefined(getShare(c, name));
}

export interface CreateShare {
  name: string;
  path: string;
  nfs: Omit<NfsSettings, 'enabled'>;
}

export async function createShare(c: RestClient, s: CreateShare): Promise<ShareRecord | undefined> {
  try {
    const r = await c.request({
      method: 'POST',
      path: '/shares',
      scope: 'global',
      body: {
        name: s.name,
        path: s.path,
        active: true,
        nfs: {
          enabled: true,
          insecure_connections: s.nfs.insecureConnections,
          synchronous_data_record: s.nfs.synchronousDataRecord,
          insecure_lock_requests: s.nfs.insecureLockRequests,
          all_squash: s.nfs.allSquash,
          no_root_squash: s.nfs.noRootSquash,
          allow_access_ip: s.nfs.allowAccessIp,
          allow_write_ip: s.nfs.allowWriteIp,
        },
      },
      // A share of this name on this path is ours; one on another path is someone else's (exists).
      verify: async () => (await findShare(c, s.name))?.path === s.path,
    });
    return r.verified || !r.data ? undefined : parseShare(r.data);
  } catch (e) {
    // The dataset behind `path` is missing: the shared classification does not name this shape.
    const msg = String((e as ApplianceError).details?.applianceMessage ?? '');
    if (e instanceof ApplianceError && /dataset does not exist/.test(msg))
      throw new NotFoundError(`JovianDSS: dataset ${s.path} does not exist`, { ...e.details, resource: s.path });
    throw e;
  }
}

/** Deletes a share; one that is already gone counts as deleted. */
export async function deleteShare(c: RestClient, name: string): Promise<void> {
  await orUndefined(
    c.request({ method: 'DELETE', path: `/shares/${name}`, scope: 'global', verify: async () => (await findShare(c, name)) === undefined }),
  );
}
