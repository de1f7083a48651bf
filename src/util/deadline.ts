// The whole invocation has one deadline; every wait and request takes what is left of it.
import type { Clock } from './clock';

export class Deadline {
  private end: number;
  /** Set when the invocation was told to stop (SIGTERM/SIGINT): the reason, e.g. 'SIGTERM'. */
  stoppedBy: string | undefined;

  constructor(
    private readonly clock: Clock,
    readonly budgetMs: number,
    /** A deadline that ends `reserveMs` before this one (see `reserving`). */
    private readonly within?: { parent: Deadline; reserveMs: number },
  ) {
    this.end = clock.now() + budgetMs;
  }

  remaining(): number {
    const own = Math.max(0, this.end - this.clock.now());
    if (!this.within) return own;
    return Math.min(own, Math.max(0, this.within.parent.remaining() - this.within.reserveMs));
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
    this.within?.parent.abort(reason, graceMs);
  }

  /** The smaller of `ms` and what is left. */
  cap(ms: number): number {
    return Math.min(ms, this.remaining());
  }

  /**
   * A deadline for work whose failure needs an undo: it ends `reserveMs` before this one, so the
   * undo still runs inside the time the caller gave (the Proxmox plugin kills jdssc a few
   * seconds after --timeout; an undo that starts when nothing is left would be cut off).
   */
  reserving(reserveMs: number): Deadline {
    const budget = Math.max(0, this.remaining() - reserveMs);
    return new Deadline(this.clock, budget, { parent: this, reserveMs });
  }
}
