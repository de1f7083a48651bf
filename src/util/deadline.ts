// The whole invocation has one deadline; every wait and request takes what is left of it.
import type { Clock } from './clock';

export class Deadline {
  private readonly end: number;

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

  /** The smaller of `ms` and what is left. */
  cap(ms: number): number {
    return Math.min(ms, this.remaining());
  }
}
