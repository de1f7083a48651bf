// The whole invocation has one deadline; every wait and request takes what is left of it.
import type { Clock } from './clock';

export class Deadline {
  private end: number;
  /** Set when the invocation was told to stop (SIGTERM/SIGINT): the reason, e.g. 'SIGTERM'. */
  stoppedBy: string | undefined;

  constructor(
    private readonly clock: Clock,
    readonly budgetMs: number,
  ) {
    this.end = clock.now() + budgetMs;
  }

  remaining(): number {
    return Math.max(0, this.end - this.clock.now());
  }

  expired(): boolean {
    return this.remaining() <= 0;
  }

  /**
   * The invocation was told to stop: what is left shrinks to `graceMs`, so the step in flight
   * can finish (or its own undo run) while every later wait and request ends at once after it.
   */
  abort(reason: string, graceMs: number): void {
    this.stoppedBy ??= reason;
    this.end = Math.min(this.end, this.clock.now() + graceMs);
  }

  /** The smaller of `ms` and what is left. */
  cap(ms: number): number {
    return Math.min(ms, this.remaining());
  }
}
