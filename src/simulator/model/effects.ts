// Effects the simulator depends on, injectable so tests are deterministic: the clock (with an
// offset / freeze that the control API can drive) and a seedable random source for ids.
import { randomInt } from 'node:crypto';

/** Simulated wall clock: base clock + offset, or frozen at a fixed instant. */
export class SimClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  constructor(private readonly base: () => number = Date.now) {}

  now(): number {
    return this.frozenAt ?? this.base() + this.offsetMs;
  }

  /** offsetMs shifts the base clock; freezeAt pins time; freezeAt null unfreezes. */
  adjust(change: { offsetMs?: number; freezeAt?: number | null }): void {
    if (change.offsetMs !== undefined) this.offsetMs = change.offsetMs;
    if (change.freezeAt !== undefined) this.frozenAt = change.freezeAt;
  }

  describe(): { now: number; offsetMs: number; frozenAt: number | null } {
    return { now: this.now(), offsetMs: this.offsetMs, frozenAt: this.frozenAt };
  }
}

/** mulberry32: tiny, fast, and its whole state is one uint32, so it persists trivially. */
export class SeededRandom {
  private state: number;

  constructor(seed?: number) {
    this.state = (seed ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
  }

  get snapshotState(): number {
    return this.state;
  }

  restore(state: number): void {
    this.state = state >>> 0;
  }

  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.uint32() / 2 ** 32;
  }

  hex(chars: number): string {
    let out = '';
    while (out.length < chars) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, chars);
  }

  uint64(): bigint {
    return (BigInt(this.uint32()) << 32n) | BigInt(this.uint32());
  }
}

/** Identifier formats the appliance uses (ZFS guids, pool ids, SCST volume ids). */
export class IdSource {
  constructor(readonly random: SeededRandom) {}

  /** ZFS guid: an unsigned 64-bit integer printed in decimal. */
  guid(): string {
    return this.random.uint64().toString();
  }

  /** Pool id: always 20 decimal digits, like the appliance's example ids. */
  poolId(): string {
    const min = 10_000_000_000_000_000_000n;
    return (min + (this.random.uint64() % (2n ** 64n - min))).toString();
  }

  /** san:volume_id: 40 lower-case hex chars; default_scsi_id is its first 16. */
  sanVolumeId(): string {
    return this.random.hex(40);
  }
}
