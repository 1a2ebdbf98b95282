/** Small helpers the benchmarks share: quantiles, means, seconds, and a seeded random source. */

/** The q-quantile of `xs` (nearest rank). */
export const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Milliseconds as seconds with two decimals. */
export const sec = (ms: number): string => (ms / 1000).toFixed(2);

/** mulberry32: small, seeded, good enough for drawing durations; `reseed` starts it again from another seed. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(random, {
    reseed(s: number) {
      a = s >>> 0;
    },
  });
}
