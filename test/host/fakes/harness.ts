// The fake host for flow tests: a temp root (sys/, dev/, etc/iscsi/nodes, var/lib/iscsi/nodes),
// a fake array description, fault knobs, and a HostEnv that runs the fake tools either
// in-process (fast, fake clock) or as real executables through execa (the production executor).
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../../src/log/logger';
import type { Clock } from '../../../src/util/clock';
import { Deadline } from '../../../src/util/deadline';
import { execaExecutor, type Executor } from '../../../src/host/core/exec';
import type { Binaries, HostEnv, HostTuning, ToolName } from '../../../src/host/core/types';
import { FakeClock } from '../../helpers/fakeClock';
import { tempDir } from '../../helpers/tmp';
import { runFake, tickFake } from './lib/dispatch.mjs';
import { createFakeRoot, initialState, loadState, saveState, withState } from './lib/state.mjs';
import { memoryLogger, type MemoryLogger } from './memlog';

export const FAKES_DIR = fileURLToPath(new URL('.', import.meta.url));
export const TOOLS: ToolName[] = ['iscsiadm', 'multipath', 'multipathd', 'dmsetup', 'udevadm', 'blockdev'];

export const IQN = 'iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0';
export const WWID0 = '26562313537303732';
export const WWID1 = '26461383933623163';
export const GiB = 2 ** 30;

export interface FakeLun {
  wwid: string;
  sizeBytes: number;
}
export interface FakeTarget {
  portals: string[];
  chap?: { user: string; secret: string } | null;
  luns: Record<number, FakeLun>;
}
export interface Faults {
  unreachable?: string[];
  loginDelayMs?: number;
  neverAppears?: string[];
  zeroSize?: Record<string, number>;
  deviceDelayMs?: Record<string, number>;
  noAutoScan?: boolean;
  noUdevLinks?: boolean;
  llEmpty?: boolean;
  mapBusy?: Record<string, number>;
  mapOpen?: Record<string, number>;
  noMap?: string[];
  hang?: Partial<Record<ToolName, number>>;
  ignoreTerm?: boolean;
  noise?: boolean;
}

export interface Call {
  tool: ToolName;
  argv: string[];
  t: number;
}

/** A fake clock whose sleeps let time pass in the fake kernel too (delayed disks, sysfs writes). */
class HarnessClock extends FakeClock {
  constructor(private readonly statePath: string) {
    super();
  }
  override async sleep(ms: number): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let concurrent work interleave fairly
    await super.sleep(ms);
    tickFake(this.statePath, this.t);
  }
}

function inProcessExecutor(statePath: string, clock: Clock): Executor {
  return {
    async run(file, args, opts) {
      const r = runFake(statePath, basename(file), [...args], clock.now(), opts.input !== undefined ? { stdin: true } : {});
      if (r.delayMs >= opts.timeoutMs) {
        await clock.sleep(opts.timeoutMs);
        return { code: null, signal: 'SIGTERM', stdout: '', stderr: '', timedOut: true, durationMs: opts.timeoutMs };
      }
      if (r.delayMs > 0) await clock.sleep(r.delayMs);
      return { code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: false, durationMs: r.delayMs };
    },
  };
}

export interface EnvOptions {
  deadlineMs?: number;
  tuning?: Partial<HostTuning>;
  log?: Logger;
  /** Run the executables through execa (real processes, real time). */
  spawn?: boolean;
  secrets?: string[];
}

export class FakeHost {
  readonly root: string;
  readonly statePath: string;
  readonly clock: HarnessClock;
  readonly log: MemoryLogger;
  private readonly tmp = tempDir('jdssc-host-');

  constructor(targets: Record<string, FakeTarget>, faults: Faults = {}) {
    this.root = join(this.tmp.dir, 'root');
    this.statePath = join(this.tmp.dir, 'state.json');
    createFakeRoot(this.root);
    saveState(this.statePath, initialState(this.root, { targets }, faults));
    this.clock = new HarnessClock(this.statePath);
    this.log = memoryLogger();
  }

  /** Two portals, one target with LUN 0 and LUN 1 (1 GiB each). */
  static standard(faults: Faults = {}, chap: FakeTarget['chap'] = null): FakeHost {
    return new FakeHost(
      {
        [IQN]: {
          portals: ['127.0.0.2:3260', '127.0.0.3:3260'],
          chap,
          luns: { 0: { wwid: WWID0, sizeBytes: GiB }, 1: { wwid: WWID1, sizeBytes: GiB } },
        },
      },
      faults,
    );
  }

  roots(): HostEnv['roots'] {
    return {
      sys: join(this.root, 'sys'),
      dev: join(this.root, 'dev'),
      iscsiDb: [join(this.root, 'etc/iscsi/nodes'), join(this.root, 'var/lib/iscsi/nodes')],
      records: join(this.root, 'var/lib/jdssc/luns'),
      locks: join(this.root, 'run/lock/jdssc'),
      proc: join(this.root, 'proc'),
    };
  }

  binaries(): Binaries {
    return Object.fromEntries(TOOLS.map((t) => [t, join(FAKES_DIR, t)])) as Binaries;
  }

  env(o: EnvOptions = {}): HostEnv {
    const statePath = this.statePath;
    const clock: Clock = o.spawn
      ? {
          now: () => Date.now(),
          sleep: async (ms) => {
            await new Promise((r) => setTimeout(r, ms));
            tickFake(statePath);
          },
        }
      : this.clock;
    const real = execaExecutor();
    const exec: Executor = o.spawn
      ? { run: (f, a, opts) => real.run(f, a, { ...opts, env: { ...opts.env, FAKE_HOST_STATE: statePath } }) }
      : inProcessExecutor(statePath, clock);
    return {
      exec,
      binaries: this.binaries(),
      roots: this.roots(),
      clock,
      deadline: new Deadline(clock, o.deadlineMs ?? 300_000),
      log: o.log ?? this.log,
      tuning: o.tuning,
      secrets: o.secrets,
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  state(): any {
    return loadState(this.statePath);
  }

  calls(tool?: ToolName): Call[] {
    const all = this.state().calls as Call[];
    return tool ? all.filter((c) => c.tool === tool) : all;
  }

  violations(): string[] {
    return this.state().violations as string[];
  }

  setFaults(patch: Faults): void {
    withState(this.statePath, (s) => {
      s.faults = { ...s.faults, ...patch };
    });
  }

  /** Change the fake array (e.g. grow a LUN, add a target). */
  array(fn: (targets: Record<string, FakeTarget>) => void): void {
    withState(this.statePath, (s) => fn(s.array.targets));
  }

  cleanup(): void {
    this.tmp.cleanup();
  }
}
