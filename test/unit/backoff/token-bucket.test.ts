import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../../../src/backoff/token-bucket.ts';

describe('createTokenBucket', () => {
  it('grants a burst at once, then spreads reservations at qps', () => {
    const bucket = createTokenBucket(10, 3, 0);
    expect([0, 0, 0, 0, 0].map((t) => bucket.reserve(t))).toEqual([0, 0, 0, 100, 200]);
  });

  it('refills with time, up to the burst', () => {
    const bucket = createTokenBucket(10, 2, 0);
    bucket.reserve(0);
    bucket.reserve(0);
    expect(bucket.reserve(100)).toBe(0);
    expect(bucket.reserve(10_000)).toBe(0);
    expect(bucket.reserve(10_000)).toBe(0);
    expect(bucket.reserve(10_000)).toBe(100);
  });
});
