// multipath and multipathd, per WWID only. There is deliberately no function for a host-wide
// flush, scan, reload or reconfigure: those disturb every other map on the host. Every call
// carries a validated WWID (or one path device) as its last argument.
import { HostError } from '../../errors';
import { describeFailure, runTool } from '../core/exec';
import { parseMultipathLl, type MultipathMap } from './parse';
import type { HostEnv } from '../core/types';

/** A WWID as a map name: never empty, never an option. */
export function assertWwid(wwid: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(wwid)) throw new HostError(`invalid WWID '${wwid}'`);
  return wwid;
}

function assertPathDevice(dev: string): string {
  if (!/^sd[a-z]+$/.test(dev)) throw new HostError(`invalid path device '${dev}'`);
  return dev;
}

/** `multipath -a <wwid>`: allow this WWID (find_multipaths strict). */
export async function addWwid(env: HostEnv, wwid: string): Promise<void> {
  const args = ['-a', assertWwid(wwid)];
  const r = await runTool(env, 'multipath', args);
  if (r.code !== 0) throw new HostError(describeFailure(env, 'multipath', args, r), { tool: 'multipath' });
}

/** `multipath -w <wwid>`: forget the WWID again so /etc/multipath/wwids does not grow forever. */
export async function removeWwid(env: HostEnv, wwid: string): Promise<boolean> {
  const r = await runTool(env, 'multipath', ['-w', assertWwid(wwid)]);
  return r.code === 0;
}

export interface MapView {
  /** The map as `multipath -ll` printed it; null when nothing (or nothing for this WWID) was printed. */
  map: MultipathMap | null;
  /** True when the command printed nothing at all — under daemon load this happens to healthy maps. */
  empty: boolean;
}

/** `multipath -ll <wwid>`. */
export async function showMap(env: HostEnv, wwid: string): Promise<MapView> {
  const r = await runTool(env, 'multipath', ['-ll', assertWwid(wwid)]);
  const maps = parseMultipathLl(r.stdout);
  const map = maps.find((m) => m.wwid === wwid || m.name === wwid) ?? null;
  return { map, empty: r.stdout.trim() === '' };
}

/** `multipath -f <wwid>`: flush this one map if unused. */
export async function flushMap(env: HostEnv, wwid: string): Promise<boolean> {
  const r = await runTool(env, 'multipath', ['-f', assertWwid(wwid)]);
  return r.code === 0;
}

/** `multipath <wwid>`: build the map for this one WWID (an escalation, never a bare scan). */
export async function createMap(env: HostEnv, wwid: string): Promise<boolean> {
  const r = await runTool(env, 'multipath', [assertWwid(wwid)]);
  return r.code === 0;
}

/** multipathd answers `ok` / `fail` on stdout; newer versions also exit 1 on `fail`. */
async function daemon(env: HostEnv, args: string[]): Promise<boolean> {
  const r = await runTool(env, 'multipathd', args);
  return r.code === 0 && !/^fail/m.test(r.stdout.trim());
}

export async function daemonAddMap(env: HostEnv, wwid: string): Promise<boolean> {
  return daemon(env, ['add', 'map', assertWwid(wwid)]);
}

export async function daemonDelMap(env: HostEnv, wwid: string): Promise<boolean> {
  return daemon(env, ['del', 'map', assertWwid(wwid)]);
}

export async function daemonResizeMap(env: HostEnv, wwid: string): Promise<boolean> {
  return daemon(env, ['resize', 'map', assertWwid(wwid)]);
}

export async function daemonAddPath(env: HostEnv, device: string): Promise<boolean> {
  return daemon(env, ['add', 'path', assertPathDevice(device)]);
}
