// `jdssc nfs activate`: make a NAS volume's NFS export the file system at a directory of this
// host. Reads first (what is mounted there, then the NAS volume and its share, created with
// --create), refuses to cover anything that is not ours, mounts over each address in order and
// proves the mount by reading mountinfo again. Already mounted correctly: nothing changes.
import { BusyError, ConfigError, HostError, NotFoundError, UnreachableError } from '../../errors';
import {
  ensureMountDir,
  inspectMountDir,
  isNfs,
  mountAt,
  mountNfs,
  nfsSource,
  sameNfsSource,
  type HostEnv,
  type MountEntry,
} from '../../host';
import { candidateAddresses, checkMountOptions, checkMountPath, parseExport } from './checks';
import type { AttemptView, NasArray, NfsActivation, NfsExport } from './types';

export interface ActivateNfsRequest {
  export: string;
  path: string;
  server?: string;
  dataAddresses: string[];
  options?: string;
  /** Create the NAS volume and its share when missing, with this quota (bytes). */
  create?: { quotaBytes: number; allow: string[] };
}

export interface CheckedActivate {
  exp: NfsExport;
  path: string;
  addresses: string[];
  options?: string;
}

/** Every input check of activate, before anything is read or sent. */
export function checkActivate(r: ActivateNfsRequest, pool: string): CheckedActivate {
  const exp = parseExport(r.export);
  if (exp.pool !== pool)
    throw new ConfigError(`--export ${exp.path} is on pool ${exp.pool}, but the pool in use is ${pool} (give --pool ${exp.pool})`, 'pool');
  return {
    exp,
    path: checkMountPath(r.path),
    addresses: candidateAddresses(r.server, r.dataAddresses),
    options: checkMountOptions(r.options),
  };
}

/** Is this mount the export, from any of the addresses we would use? */
export function isOurMount(m: MountEntry, exp: NfsExport, addresses: string[]): boolean {
  return isNfs(m) && addresses.some((a) => sameNfsSource(m.source, nfsSource(a, exp.path)));
}

function sameExport(source: string, exportPath: string): boolean {
  const i = source.lastIndexOf(':/');
  return i >= 0 && source.slice(i + 1).replace(/\/+$/, '') === exportPath;
}

function describeMount(m: MountEntry): string {
  return `${m.source} (${m.fsType})`;
}

/** Refuses (exit 5) a directory that holds something a mount would hide or replace. */
function refuseForeign(path: string, top: MountEntry | null, exp: NfsExport): void {
  if (top && isNfs(top) && sameExport(top.source, exp.path))
    throw new BusyError(
      `${path} already holds ${top.source}, this export from an address that is neither --server nor a data address; deactivate it first (jdssc nfs deactivate --path ${path})`,
      { path, source: top.source, fsType: top.fsType },
    );
  if (top)
    throw new BusyError(`${path} already holds a mount of ${describeMount(top)}, not ${exp.path}; not mounting over it`, {
      path,
      source: top.source,
      fsType: top.fsType,
    });
  const st = inspectMountDir(path);
  if (st.kind === 'not-directory') throw new BusyError(`${path} exists and is not a directory; not mounting there`, { path });
  if (st.kind === 'has-files')
    throw new BusyError(
      `${path} is not a mount point and holds ${st.count} file${st.count === 1 ? '' : 's'} (e.g. ${st.example}) that a mount would hide; move them away first`,
      { path, example: st.example },
    );
}

async function ensureArrayObjects(nas: NasArray, exp: NfsExport, create: ActivateNfsRequest['create']): Promise<NfsActivation['created']> {
  const created = { nasVolume: false, share: false };
  const dataset = `${exp.pool}/${exp.dataset}`;
  if (!(await nas.nasVolume(exp.dataset))) {
    if (!create)
      throw new NotFoundError(
        `NAS volume ${exp.dataset} does not exist on pool ${exp.pool}; create it (jdssc nas-volume create) or pass --create --quota SIZE`,
        { nasVolume: exp.dataset },
      );
    await nas.createNasVolume(exp.dataset, create.quotaBytes);
    created.nasVolume = true;
  }
  const share = await nas.shareOf(exp.dataset);
  if (!share) {
    if (!create)
      throw new NotFoundError(
        `NAS volume ${exp.dataset} has no share, so nothing exports it; create one (jdssc share create ${exp.dataset} --nas-volume ${exp.dataset}) or pass --create --quota SIZE`,
        { nasVolume: exp.dataset },
      );
    await nas.createShare(exp.dataset, exp.dataset, create.allow);
    created.share = true;
  } else if (!share.active || !share.nfsEnabled) {
    throw new BusyError(
      `share ${share.name} of ${dataset} is ${share.active ? 'not NFS-enabled' : 'inactive'} on JovianDSS; enable it there first`,
      { share: share.name },
    );
  }
  return created;
}

export async function activateNfs(nas: () => Promise<NasArray>, env: HostEnv, r: ActivateNfsRequest, pool: string): Promise<NfsActivation> {
  const c = checkActivate(r, pool);
  const top = mountAt(env, c.path);
  if (top && isOurMount(top, c.exp, c.addresses)) {
    env.log.debug(`nfs: ${c.path} already holds ${top.source}`);
    return {
      path: c.path,
      export: c.exp.path,
      source: top.source,
      mounted: false,
      created: { nasVolume: false, share: false },
      attempts: [],
    };
  }
  refuseForeign(c.path, top, c.exp);
  const created = await ensureArrayObjects(await nas(), c.exp, r.create);
  ensureMountDir(c.path);
  const attempts: AttemptView[] = [];
  for (const address of c.addresses) {
    const source = nfsSource(address, c.exp.path);
    const out = await mountNfs(env, source, c.path, c.options);
    if (!out.ok) {
      env.log.warn(`nfs: ${source} on ${c.path}: ${out.message}`);
      attempts.push({ address, ok: false, reason: out.message });
      // a mount.nfs cut off by our bound may still have finished: never stack a second mount on it
      const late = mountAt(env, c.path);
      if (late && isOurMount(late, c.exp, [address])) {
        env.log.warn(`nfs: ${source} is mounted on ${c.path} after all`);
        return { path: c.path, export: c.exp.path, source: late.source, mounted: true, created, attempts };
      }
      if (late)
        throw new HostError(`${c.path} now holds ${describeMount(late)}, mounted while we tried ${source}; not mounting over it`, {
          path: c.path,
        });
      continue;
    }
    attempts.push({ address, ok: true, reason: null });
    const now = mountAt(env, c.path);
    if (!now || !isOurMount(now, c.exp, [address]))
      throw new HostError(`mount reported success but ${c.path} shows ${now ? describeMount(now) : 'no mount'} instead of ${source}`, {
        path: c.path,
        source,
      });
    env.log.info(`nfs: mounted ${source} on ${c.path}`);
    return { path: c.path, export: c.exp.path, source: now.source, mounted: true, created, attempts };
  }
  throw new UnreachableError(
    `no NFS server mounted ${c.exp.path} on ${c.path}: ${attempts.map((a) => `${a.address}: ${a.reason}`).join('; ')}`,
    { path: c.path, export: c.exp.path, attempts },
  );
}
