/**
 * A small seeded PRNG (mulberry32) answering numbers in [0, 1): pass it as `random` so that the emulator's timing
 * spread and fault draws repeat from run to run (and to anything else that takes a `() => number`). The emulator takes
 * the draws as requests arrive: concurrent requests, whose order varies, can take them in another order each run.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
