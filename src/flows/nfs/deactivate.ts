// `jdssc nfs deactivate` and `jdssc nfs status`: unmount our export from a directory (never a
// mount of anything else; busy → exit 5 with the number of users), and report what is mounted
// there with the NAS volume's quota and use.
import { BusyError, HostError, JdsscError, UsageError } from '../../errors';
import { isNfs, mountAt, umountPath, type HostEnv, type MountEntry } from '../../host';
import { checkMountPath, parseExport } from './checks';
import type { NasArray, NfsDeactivation, NfsExport, NfsStatus } from './types';

/** The JovianDSS export a mount shows (`server:/Pools/<pool>/<dataset>`), or null. */
export function exportOf(m: MountEntry | null): NfsExport | null {
  if (!m || !isNfs(m)) return null;
  const i = m.source.lastIndexOf(':/');
  if (i < 0) return null;
  try {
    return parseExport(m.source.slice(i + 1));
  } catch {
    return null;
  }
}

function ours(m: MountEntry | null, wanted?: NfsExport): boolean {
  const e = exportOf(m);
  return e !== null && (!wanted || e.path === wanted.path);
}

export async function deactivateNfs(env: HostEnv, path: string, exportPath?: string): Promise<NfsDeactivation> {
  const p = checkMountPath(path);
  const wanted = exportPath !== undefined ? parseExport(exportPath) : undefined;
  const top = mountAt(env, p);
  if (!top) return { path: p, wasMounted: false, source: null };
  if (!ours(top, wanted))
    throw new BusyError(
      `${p} holds a mount of ${top.source} (${top.fsType}), not ${wanted ? wanted.path : 'a JovianDSS export'}; not unmounting it`,
      {
        path: p,
        source: top.source,
      },
    );
  await umountPath(env, p);
  const after = mountAt(env, p);
  if (after && after.source === top.source)
    throw new HostError(`umount ${p} reported success but ${top.source} is still mounted there`, { path: p });
  env.log.info(`nfs: unmounted ${top.source} from ${p}`);
  return { path: p, wasMounted: true, source: top.source };
}

/**
 * What is mounted at the path; the NAS volume's usage when it is our export (one REST read; when
 * the array cannot answer for a mounted export, nasVolume is null and a warning is logged).
 */
export async function nfsStatus(nas: () => Promise<NasArray>, env: HostEnv, path: string, exportPath?: string): Promise<NfsStatus> {
  const p = checkMountPath(path);
  const wanted = exportPath !== undefined ? parseExport(exportPath) : undefined;
  const top = mountAt(env, p);
  const exp = exportOf(top);
  const isOurs = ours(top, wanted);
  const target = isOurs ? exp : (wanted ?? null);
  let nasVolume = null;
  if (target) {
    try {
      nasVolume = await (await nas()).nasVolume(target.dataset);
    } catch (e) {
      // the mount works without the array: say what is mounted, and why the numbers are missing
      if (!(e instanceof JdsscError) || e instanceof UsageError || !isOurs) throw e;
      env.log.warn(`nfs status: NAS volume ${target.dataset} not read: ${e.message}`);
    }
  }
  return { path: p, mounted: top !== null, source: top?.source ?? null, ours: isOurs, nasVolume };
}
