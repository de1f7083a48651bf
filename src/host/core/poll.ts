// Deadline-bounded polling on a condition: the only way host code waits. The interval grows
// from pollStartMs to pollMaxMs; the last check happens at the deadline itself.
import { Deadline } from '../../util/deadline';
import { tuning } from './defaults';
import type { HostEnv } from './types';

export interface PollOptions<T> {
  /** This wait's own budget; capped by the invocation deadline. */
  budgetMs: number;
  /** A value when the condition holds, undefined while it does not. */
  check: () => Promise<T | undefined> | T | undefined;
  /** Between checks: escalations (rescans). Gets the 1-based miss count and the elapsed time. */
  onMiss?: (miss: number, elapsedMs: number) => Promise<void> | void;
}

export type PollResult<T> = { ok: true; value: T; elapsedMs: number } | { ok: false; elapsedMs: number; misses: number };

export async function pollUntil<T>(env: Pick<HostEnv, 'clock' | 'deadline' | 'tuning'>, opts: PollOptions<T>): Promise<PollResult<T>> {
  const t = tuning(env);
  const local = new Deadline(env.clock, Math.max(0, Math.min(opts.budgetMs, env.deadline.remaining())));
  const started = env.clock.now();
  let interval = Math.max(1, t.pollStartMs);
  for (let miss = 0; ;) {
    const value = await opts.check();
    if (value !== undefined) return { ok: true, value, elapsedMs: env.clock.now() - started };
    if (local.expired()) return { ok: false, elapsedMs: env.clock.now() - started, misses: miss };
    miss++;
    if (opts.onMiss) await opts.onMiss(miss, env.clock.now() - started);
    if (local.expired()) continue; // one last check after the escalation
    await env.clock.sleep(local.cap(interval));
    interval = Math.min(t.pollMaxMs, interval * 2);
  }
}

/**
 * Escalation schedule for waits: returns the new level (1, 2, …) the first time the elapsed time
 * passes each threshold, then once every `repeatEveryMs`; 0 when nothing is due.
 */
export function escalator(thresholdsMs: number[], repeatEveryMs: number): (elapsedMs: number) => number {
  let level = 0;
  let lastAt = 0;
  return (elapsed) => {
    const due = level < thresholdsMs.length ? elapsed >= thresholdsMs[level] : elapsed - lastAt >= repeatEveryMs;
    if (!due) return 0;
    level++;
    lastAt = elapsed;
    return level;
  };
}
