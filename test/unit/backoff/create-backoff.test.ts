import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../../src/backoff/create-backoff.ts';

describe('createBackoff', () => {
  it('doubles from 0.8 s with jitter in [d, 2d), capped at 30 s', () => {
    const low = createBackoff({ random: () => 0 });
    expect(Array.from({ length: 8 }, (_, i) => low.next(i * 1000).delayMs)).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    const high = createBackoff({ random: () => 0.999 });
    expect(high.next(0).delayMs).toBe(1599);
  });

  it('restarts the progression on a timer, two minutes after the previous restart, even while failures continue (client-go)', () => {
    const backoff = createBackoff({ random: () => 0 });
    const at = (seconds: number) => backoff.next(seconds * 1000);
    expect([at(0), at(1), at(3), at(7), at(14)].map((s) => s.delayMs)).toEqual([800, 1600, 3200, 6400, 12800]);
    expect(at(121)).toEqual({ delayMs: 800, attempt: 6 });
    expect(at(122).delayMs).toBe(1600);
  });

  it('does not ratchet up when a failure recurs every minute (a cut connection refused once on reconnect)', () => {
    const backoff = createBackoff({ random: () => 0.999 });
    const delays = Array.from({ length: 60 }, (_, i) => backoff.next(i * 60_000).delayMs);
    expect(Math.max(...delays)).toBeLessThan(6400);
  });

  it('counts attempts until two minutes pass without a failure', () => {
    const backoff = createBackoff({ random: () => 0 });
    expect([0, 60, 150, 200].map((s) => backoff.next(s * 1000).attempt)).toEqual([1, 2, 3, 4]);
    expect(backoff.next(400_000).attempt).toBe(1);
  });

  it('honours a server\'s Retry-After above the drawn delay, but never beyond the cap', () => {
    const backoff = createBackoff({ random: () => 0 });
    expect(backoff.next(0, 5000).delayMs).toBe(5000);
    expect(backoff.next(1, 3_600_000).delayMs).toBe(30_000);
    expect(createBackoff({ random: () => 0, capMs: 2000 }).next(0, 3_600_000).delayMs).toBe(2000);
  });
});
