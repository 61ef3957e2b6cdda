import { describe, expect, it } from 'vitest';
import { exponentialDelayMs } from '../../../src/backoff/exponential-delay.ts';

describe('exponentialDelayMs', () => {
  const reconcile = { initialMs: 5, factor: 2, capMs: 1_000_000 };

  it('starts at initialMs and multiplies per failure in a row', () => {
    expect([1, 2, 3, 4].map((n) => exponentialDelayMs(n, reconcile))).toEqual([5, 10, 20, 40]);
  });

  it('never exceeds the cap, even when the power overflows', () => {
    expect(exponentialDelayMs(18, reconcile)).toBe(655_360);
    expect(exponentialDelayMs(19, reconcile)).toBe(1_000_000);
    expect(exponentialDelayMs(5000, reconcile)).toBe(1_000_000);
  });

  it('counts a failure count below 1 as the first failure', () => {
    expect(exponentialDelayMs(0, reconcile)).toBe(5);
  });
});
