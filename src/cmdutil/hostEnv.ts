// The host-side environment of one invocation, from the settings: roots relocated under
// host_root, tools from host_tools_dir, the invocation's clock, deadline, logger and secrets.
import { join } from 'node:path';
import type { Settings } from '../config';
import { createHostEnv, DEFAULT_BINARIES, DEFAULT_ROOTS, type Binaries, type HostEnv, type HostRoots } from '../host';
import type { Factory } from './factory';

export function hostRoots(hostRoot: string): HostRoots {
  const under = (p: string) => (hostRoot === '/' ? p : join(hostRoot, p));
  return {
    sys: under(DEFAULT_ROOTS.sys),
    dev: under(DEFAULT_ROOTS.dev),
    iscsiDb: DEFAULT_ROOTS.iscsiDb.map(under),
    records: under(DEFAULT_ROOTS.records),
    locks: under(DEFAULT_ROOTS.locks),
    proc: under(DEFAULT_ROOTS.proc),
  };
}

export function hostBinaries(s: Settings): Binaries {
  if (!s.hostToolsDir) return DEFAULT_BINARIES;
  const dir = s.hostToolsDir;
  return Object.fromEntries(Object.keys(DEFAULT_BINARIES).map((k) => [k, join(dir, k)])) as Binaries;
}

export async function hostEnv(f: Factory, secrets: (string | undefined)[] = []): Promise<HostEnv> {
  const s = f.settings();
  return createHostEnv({
    log: f.logger(),
    deadline: f.deadline(),
    clock: f.clock,
    roots: hostRoots(s.hostRoot),
    binaries: hostBinaries(s),
    secrets: secrets.filter((x): x is string => typeof x === 'string' && x !== ''),
    tuning: f.overrides.hostTuning,
  });
}

/** Host records are kept per Proxmox storage; without a storage id the pool names it. */
export function storageIdOf(s: Settings): string {
  return s.storageId ?? s.pool;
}
