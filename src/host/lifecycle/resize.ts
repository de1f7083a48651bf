// After the array grew a volume: make every path of the LUN and its map report the new size.
// Rescan each path disk (READ CAPACITY), then `multipathd resize map` once the paths agree, and
// wait until the paths, the map and the block layer (blockdev) all show the same size.
import { HostError } from '../../errors';
import { getSize64 } from '../devices/blockdev';
import { tuning } from '../core/defaults';
import { mapDevice, rescanDevice, resolveBlock, sizeBytes } from '../devices/links';
import { listSessions } from '../iscsi/iscsiadm';
import { withLock, targetLockKey } from '../state/lock';
import { daemonResizeMap } from '../multipath/tool';
import { escalator, pollUntil } from '../core/poll';
import type { LunRecord } from '../state/records';
import { lunPathDevices } from './teardown';
import type { HostEnv } from '../core/types';

interface Sizes {
  paths: Array<{ name: string; sizeBytes: number | null }>;
  map: { name: string; sizeBytes: number | null } | null;
}

export interface ResizeResult extends Sizes {
  device: string;
  sizeBytes: number;
}

function measure(env: HostEnv, rec: LunRecord, disks: string[]): Sizes {
  const dm = mapDevice(env, rec.wwid);
  return {
    paths: disks.map((name) => ({ name, sizeBytes: sizeBytes(env, name) })),
    map: dm ? { name: dm, sizeBytes: sizeBytes(env, dm) } : null,
  };
}

/** The size every still-present path reports, or null while they disagree (or none is left). */
function agreedSize(s: Sizes): number | null {
  const present = s.paths.filter((p) => p.sizeBytes !== null);
  const sizes = new Set(present.map((p) => p.sizeBytes));
  const [only] = [...sizes];
  return present.length > 0 && sizes.size === 1 && only ? only : null;
}

function describe(s: Sizes): string {
  const parts = s.paths.map((p) => `${p.name}=${p.sizeBytes ?? '?'}`);
  if (s.map) parts.push(`${s.map.name}=${s.map.sizeBytes ?? '?'}`);
  return parts.join(', ');
}

/** `newSizeBytes`: the size the array now reports; without it, waits until every layer agrees. */
export async function resizeRescan(env: HostEnv, rec: LunRecord, newSizeBytes?: number): Promise<ResizeResult> {
  return withLock(env, targetLockKey(rec.target), `resize ${rec.volume}`, async () => {
    const disks = lunPathDevices(env, rec, await listSessions(env));
    if (disks.length === 0)
      throw new HostError(`no path device of LUN ${rec.lun} on ${rec.target} is present; activate it first`, { reason: 'not_active' });
    for (const d of disks) rescanDevice(env, d);
    const useMap = rec.multipath && mapDevice(env, rec.wwid) !== null;
    const due = escalator([2_000, 5_000], 5_000);
    let askedFor: number | null = null;
    const r = await pollUntil(env, {
      budgetMs: tuning(env).resizeWaitMs,
      check: async () => {
        const size = agreedSize(measure(env, rec, disks));
        if (size === null || (newSizeBytes !== undefined && size !== newSizeBytes)) return undefined;
        if (useMap && measure(env, rec, []).map?.sizeBytes !== size) {
          // multipathd refuses to resize while paths disagree; ask once per agreed size
          if (askedFor !== size) {
            askedFor = size;
            await daemonResizeMap(env, rec.wwid);
          }
          if (measure(env, rec, []).map?.sizeBytes !== size) return undefined;
        }
        return { size };
      },
      onMiss: async (_miss, elapsed) => {
        const level = due(elapsed);
        if (level === 0) return;
        for (const d of disks) rescanDevice(env, d);
        askedFor = null; // ask multipathd again
      },
    });
    if (!r.ok) {
      throw new HostError(
        `LUN ${rec.lun} of ${rec.target} did not report ${newSizeBytes ?? 'a consistent'} size within ${Math.round(r.elapsedMs / 1000)} s: ${describe(measure(env, rec, disks))}`,
        { reason: 'resize_timeout', wwid: rec.wwid },
      );
    }
    const name = resolveBlock(env, rec.device);
    const blk = name ? await getSize64(env, rec.device) : null;
    if (blk !== null && blk !== r.value.size) {
      throw new HostError(`${rec.device} reports ${blk} bytes to the block layer, expected ${r.value.size}`, { reason: 'resize_mismatch' });
    }
    const final = measure(env, rec, disks);
    return { device: rec.device, sizeBytes: r.value.size, paths: final.paths, map: final.map };
  });
}
