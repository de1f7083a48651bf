import type { Clock } from '../../src/util/clock';

/** A clock whose sleep() advances time instantly and records each wait. */
export class FakeClock implements Clock {
  t: number;
  sleeps: number[] = [];
  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
