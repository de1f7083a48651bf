// A small seeded random source (mulberry32) for the randomised reliability runs: the same seed
// replays the same sequence of operations and faults.
export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { next, pick: <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)], chance: (p: number) => next() < p };
}
