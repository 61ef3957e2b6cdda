/**
 * A seeded pseudo-random generator: each call returns a float in [0, 1).
 *
 * @example
 * ```ts
 * import { mulberry32 } from 'rxkube/testing';
 * const rng = mulberry32(42);
 * rng(); // the same number for the same seed, every time
 * ```
 */
export type Rng = () => number;

/**
 * mulberry32: a tiny, fast 32-bit seeded PRNG, good enough for fixtures and churn (not for
 * cryptography). The same seed always gives the same sequence.
 *
 * @example
 * ```ts
 * import { mulberry32 } from 'rxkube/testing';
 * const a = mulberry32(7), b = mulberry32(7);
 * a() === b(); // true
 * ```
 * @param seed - any integer.
 * @returns the generator.
 */
export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** One element of a non-empty array. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** A lower-case hex string of `n` characters. */
export function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 16).toString(16);
  return s;
}
