// dmsetup for one named map: status (the fallback when `multipath -ll` prints nothing),
// open count, and removal (plain, forced or deferred).
import { runTool } from '../core/exec';
import { assertWwid } from './tool';
import { parseDmStatus, type DmMultipathStatus } from './parse';
import type { HostEnv } from '../core/types';

/** The multipath status of the map, or null when it does not exist (or is not multipath). */
export async function dmStatus(env: HostEnv, name: string): Promise<DmMultipathStatus | null> {
  const r = await runTool(env, 'dmsetup', ['status', assertWwid(name)]);
  return r.code === 0 ? parseDmStatus(r.stdout) : null;
}

/** How many openers the map has; null when the map does not exist. */
export async function dmOpenCount(env: HostEnv, name: string): Promise<number | null> {
  const r = await runTool(env, 'dmsetup', ['info', '-c', '--noheadings', '-o', 'open', assertWwid(name)]);
  if (r.code !== 0) return null;
  const n = Number(r.stdout.trim().split(/\s+/)[0]);
  return Number.isFinite(n) ? n : null;
}

export type DmRemoveMode = 'plain' | 'force' | 'deferred';

export async function dmRemove(env: HostEnv, name: string, mode: DmRemoveMode = 'plain'): Promise<boolean> {
  const flag = mode === 'force' ? ['--force'] : mode === 'deferred' ? ['--deferred'] : [];
  const r = await runTool(env, 'dmsetup', ['remove', ...flag, assertWwid(name)]);
  return r.code === 0;
}
