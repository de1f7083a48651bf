// Builds the production HostEnv: real tools through execa, real roots, the system clock.
import type { Logger } from '../../log/logger';
import { systemClock, type Clock } from '../../util/clock';
import { Deadline } from '../../util/deadline';
import { DEFAULT_BINARIES, DEFAULT_ROOTS } from './defaults';
import { execaExecutor } from './exec';
import type { Binaries, HostEnv, HostRoots, HostTuning } from './types';

export interface HostEnvOptions {
  log: Logger;
  /** The invocation's deadline (or a budget in ms to start one). */
  deadline: Deadline | number;
  clock?: Clock;
  roots?: Partial<HostRoots>;
  binaries?: Partial<Binaries>;
  tuning?: Partial<HostTuning>;
  secrets?: string[];
}

export function createHostEnv(o: HostEnvOptions): HostEnv {
  const clock = o.clock ?? systemClock;
  return {
    exec: execaExecutor(),
    binaries: { ...DEFAULT_BINARIES, ...o.binaries },
    roots: { ...DEFAULT_ROOTS, ...o.roots },
    clock,
    deadline: typeof o.deadline === 'number' ? new Deadline(clock, o.deadline) : o.deadline,
    log: o.log,
    tuning: o.tuning,
    secrets: o.secrets,
  };
}
