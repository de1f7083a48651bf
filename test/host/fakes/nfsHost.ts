// The fake host for NFS tests: FakeHost's root and state, the fake mount/umount (lib/nfs.mjs)
// in-process, and a stand-in for the simulator's NAS data directory (`nas/<pool>/<dataset>/`).
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Executor } from '../../../src/host/core/exec';
import type { HostEnv } from '../../../src/host/core/types';
import { FAKES_DIR, FakeHost, type EnvOptions } from './harness';
import { runNfsFake } from './lib/nfs.mjs';
import { withState, type FakeState } from './lib/state.mjs';

export class NfsFakeHost extends FakeHost {
  readonly nasDir: string;
  constructor() {
    super({});
    this.nasDir = join(this.root, '..', 'sim-data', 'nas');
    this.nfs((n) => {
      n.nasDir = this.nasDir;
    });
  }

  /** The NAS volume's directory (created), as the simulator keeps it. */
  exportDir(pool: string, dataset: string): string {
    const d = join(this.nasDir, pool, dataset);
    mkdirSync(d, { recursive: true });
    return d;
  }

  nfs(fn: (n: FakeState) => void): void {
    withState(this.statePath, (s) => {
      s.nfs ??= { mounts: [] };
      fn(s.nfs);
    });
  }

  override env(o: EnvOptions = {}): HostEnv {
    const base = super.env(o);
    const statePath = this.statePath;
    const clock = base.clock;
    const exec: Executor = o.spawn
      ? base.exec
      : {
          async run(file, args, opts) {
            const tool = basename(file);
            if (tool !== 'mount' && tool !== 'umount') return base.exec.run(file, args, opts);
            const r = runNfsFake(statePath, tool, [...args], clock.now());
            if ((r.delayMs ?? 0) >= opts.timeoutMs) {
              await clock.sleep(opts.timeoutMs);
              return { code: null, signal: 'SIGTERM', stdout: '', stderr: '', timedOut: true, durationMs: opts.timeoutMs };
            }
            return { code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: false, durationMs: r.delayMs ?? 0 };
          },
        };
    return { ...base, exec, binaries: { ...base.binaries, mount: join(FAKES_DIR, 'mount'), umount: join(FAKES_DIR, 'umount') } };
  }
}
