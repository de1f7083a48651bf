// The multipath map of one WWID: inspect it (multipath -ll, falling back to dmsetup status when
// -ll prints nothing under daemon load), and bring it up for activation (multipath -a, then
// multipathd add map, with per-WWID / per-path escalations only).
import { HostError } from '../../errors';
import { tuning } from '../core/defaults';
import { blockDir, mapDevice, mapperLink, resolveBlock, sizeBytes } from '../devices/links';
import { dmStatus } from './dmsetup';
import { addWwid, createMap, daemonAddMap, daemonAddPath, showMap } from './tool';
import { activePaths } from './parse';
import { escalator, pollUntil } from '../core/poll';
import { settle, triggerDevice } from '../devices/udevadm';
import type { HostEnv } from '../core/types';

export interface MapState {
  /** dm-N of the map, null when there is no map. */
  dm: string | null;
  /** /dev/mapper/<wwid> resolves to the map. */
  linked: boolean;
  activePaths: number;
  totalPaths: number;
  /** Where the path states came from. */
  source: 'multipath' | 'dmsetup' | 'none';
  sizeBytes: number | null;
}

export async function inspectMap(env: HostEnv, wwid: string): Promise<MapState> {
  const dm = mapDevice(env, wwid);
  if (!dm) return { dm: null, linked: false, activePaths: 0, totalPaths: 0, source: 'none', sizeBytes: null };
  const linked = resolveBlock(env, mapperLink(env, wwid)) === dm;
  const base = { dm, linked, sizeBytes: sizeBytes(env, dm) };
  const view = await showMap(env, wwid);
  if (view.map) {
    return { ...base, activePaths: activePaths(view.map).length, totalPaths: view.map.paths.length, source: 'multipath' };
  }
  if (view.empty) env.log.debug(`multipath -ll ${wwid} printed nothing; asking dmsetup`);
  const st = await dmStatus(env, wwid);
  if (!st) return { ...base, activePaths: 0, totalPaths: 0, source: 'none' };
  return { ...base, activePaths: st.paths.filter((p) => p.active).length, totalPaths: st.paths.length, source: 'dmsetup' };
}

/** Usable by a VM: the map exists, /dev/mapper links it, a path is active and the size is known. */
export function mapReady(s: MapState): boolean {
  return s.dm !== null && s.linked && s.activePaths > 0 && (s.sizeBytes ?? 0) > 0;
}

function describe(wwid: string, s: MapState): string {
  if (!s.dm) return `no map named ${wwid} exists`;
  if (!s.linked) return `${s.dm} exists but /dev/mapper/${wwid} is missing`;
  if ((s.sizeBytes ?? 0) === 0) return `${s.dm} has size 0`;
  return `${s.dm} has ${s.activePaths} active of ${s.totalPaths} paths (per ${s.source})`;
}

/**
 * Make sure the map of `wwid` exists with at least one active path. `paths` are the SCSI disks
 * of this LUN (sdX). Returns whether this call created the map (so an undo knows what is its own).
 */
export async function ensureMap(env: HostEnv, wwid: string, paths: string[]): Promise<{ dm: string; state: MapState; created: boolean }> {
  const existed = mapDevice(env, wwid) !== null;
  await addWwid(env, wwid);
  if (!existed && !(await daemonAddMap(env, wwid))) env.log.debug(`multipathd add map ${wwid} answered fail; waiting for the map anyway`);
  const due = escalator([2_000, 5_000, 10_000], 10_000);
  let last: MapState | undefined;
  const r = await pollUntil(env, {
    budgetMs: tuning(env).mapWaitMs,
    check: async () => {
      last = await inspectMap(env, wwid);
      return mapReady(last) ? last : undefined;
    },
    onMiss: async (_miss, elapsed) => {
      const level = due(elapsed);
      if (level === 0) return;
      for (const p of paths) await daemonAddPath(env, p);
      await daemonAddMap(env, wwid);
      if (level >= 2) await createMap(env, wwid);
      if (level >= 3) {
        for (const p of paths) await triggerDevice(env, blockDir(env, p), 'change');
        await settle(env);
      }
    },
  });
  if (!r.ok) {
    throw new HostError(
      `multipath map ${wwid} did not come up within ${Math.round(r.elapsedMs / 1000)} s: ${describe(wwid, last ?? (await inspectMap(env, wwid)))}`,
      {
        reason: 'map_timeout',
        wwid,
      },
    );
  }
  return { dm: r.value.dm as string, state: r.value, created: !existed };
}
