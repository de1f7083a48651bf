// NFS shares of NAS volumes: create (with access rules), get, find, list, delete, and the shares
// of one dataset. Shares are global on the appliance; jdssc reports and acts on the shares of its
// pool (path `<pool>/<dataset>`), so another pool's share of the same name is never touched.
import { ExistsError, isMissing, NotFoundError } from '../../errors';
import * as api from '../../jovian';
import type { StorageContext } from '../context';
import { checkAccessRules, checkNasVolumeName, checkShareName, exportPathOf } from './names';
import { nasVolumeRecord } from './volumes';

/** Every address may write: how a read-write share without --allow is written (the write list empty means read-only). */
export const ANY_ADDRESS = ['0.0.0.0/0', '::/0'];

export interface ShareView {
  name: string;
  pool: string;
  /** The dataset shared (a NAS volume, or the clone of a published snapshot). */
  nasVolume: string;
  /** What NFS clients mount: `/Pools/<pool>/<dataset>`. */
  exportPath: string;
  active: boolean;
  nfs: boolean;
  /** Addresses or networks that may mount; empty: any. */
  allow: string[];
  readOnly: boolean;
  /** Root on a client is mapped to nobody (false: root stays root, as Proxmox needs). */
  rootSquash: boolean;
}

export function shareView(r: api.ShareRecord): ShareView {
  const slash = r.path.indexOf('/');
  const pool = slash < 0 ? '' : r.path.slice(0, slash);
  const dataset = r.path.slice(slash + 1);
  return {
    name: r.name,
    pool,
    nasVolume: dataset,
    exportPath: r.realPath ?? exportPathOf(pool, dataset),
    active: r.active,
    nfs: r.nfs.enabled,
    allow: r.nfs.allowAccessIp,
    readOnly: r.nfs.allowWriteIp.length === 0,
    rootSquash: !r.nfs.noRootSquash,
  };
}

export interface CreateShareRequest {
  /** Default: the NAS volume's name. */
  name?: string;
  nasVolume: string;
  allow?: string[];
  readOnly?: boolean;
  rootSquash?: boolean;
}

/** The appliance body of a share: `allow` may mount; read-write: the same may write (anyone when `allow` is empty). */
export function nfsSettings(allow: string[], readOnly: boolean, rootSquash: boolean): Omit<api.NfsSettings, 'enabled'> {
  return {
    allowAccessIp: allow,
    allowWriteIp: readOnly ? [] : allow.length ? allow : ANY_ADDRESS,
    noRootSquash: !rootSquash,
    allSquash: false,
    insecureConnections: false,
    synchronousDataRecord: true,
    insecureLockRequests: false,
  };
}

/** Shares a NAS volume over NFS. The NAS volume is proven by a read first; a taken share name is exit 4. */
export async function createShare(ctx: StorageContext, req: CreateShareRequest): Promise<ShareView> {
  const dataset = checkNasVolumeName(req.nasVolume, '--nas-volume');
  const name = checkShareName(req.name ?? dataset);
  const allow = checkAccessRules(req.allow);
  await nasVolumeRecord(ctx, dataset);
  return createShareOf(ctx, name, dataset, nfsSettings(allow, req.readOnly === true, req.rootSquash === true));
}

/** Creates share `name` of `dataset` (already checked and proven to exist). */
export async function createShareOf(
  ctx: StorageContext,
  name: string,
  dataset: string,
  nfs: Omit<api.NfsSettings, 'enabled'>,
): Promise<ShareView> {
  const path = `${ctx.pool}/${dataset}`;
  try {
    await api.createShare(ctx.rest, { name, path, nfs });
  } catch (e) {
    if (e instanceof ExistsError) {
      const other = await api.findShare(ctx.rest, name);
      const where = other ? ` (it shares ${other.path})` : '';
      throw new ExistsError(`share ${name} already exists${where}`, { ...e.details, share: name, path: other?.path ?? null });
    }
    if (isMissing(e)) throw new NotFoundError(`NAS volume ${dataset} does not exist`, { nasVolume: dataset });
    throw e;
  }
  ctx.log.info(`created share ${name} of ${path}`);
  // Read back: the appliance sets real_path (the export path) itself.
  return shareView(await api.getShare(ctx.rest, name));
}

/** A share of this pool; another pool's share of that name counts as missing here. */
export async function getShare(ctx: StorageContext, name: string): Promise<ShareView> {
  const s = await findShare(ctx, name);
  if (!s) throw new NotFoundError(`share ${name} does not exist on pool ${ctx.pool}`, { share: name });
  return s;
}

export async function findShare(ctx: StorageContext, name: string): Promise<ShareView | undefined> {
  const r = await api.findShare(ctx.rest, checkShareName(name));
  return r && r.path.startsWith(`${ctx.pool}/`) ? shareView(r) : undefined;
}

/** Shares of this pool (`all`: of every pool). */
export async function listShares(ctx: StorageContext, opts: { all?: boolean } = {}): Promise<ShareView[]> {
  const all = await api.listShares(ctx.rest);
  return all.filter((s) => opts.all || s.path.startsWith(`${ctx.pool}/`)).map(shareView);
}

/** The shares of one dataset of this pool. */
export async function sharesOfNasVolume(ctx: StorageContext, dataset: string): Promise<ShareView[]> {
  const path = `${ctx.pool}/${dataset}`;
  return (await api.listShares(ctx.rest)).filter((s) => s.path === path).map(shareView);
}

export interface ShareDeleteResult {
  name: string;
  /** null when there was no such share (--if-exists). */
  nasVolume: string | null;
  deleted: boolean;
}

/** Deletes a share of this pool; missing is exit 3 unless `ifExists`. */
export async function deleteShare(ctx: StorageContext, name: string, opts: { ifExists?: boolean } = {}): Promise<ShareDeleteResult> {
  const s = await findShare(ctx, name);
  if (!s) {
    if (opts.ifExists) return { name, nasVolume: null, deleted: false };
    throw new NotFoundError(`share ${name} does not exist on pool ${ctx.pool}`, { share: name });
  }
  await api.deleteShare(ctx.rest, name);
  ctx.log.info(`deleted share ${name} of ${ctx.pool}/${s.nasVolume}`);
  return { name, nasVolume: s.nasVolume, deleted: true };
}
