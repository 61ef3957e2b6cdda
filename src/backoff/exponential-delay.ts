/**
 * The parameters of an exponential delay progression (see {@link exponentialDelayMs}).
 *
 * @internal
 */
export interface ExponentialDelay {
  /** The delay of the first failure. */
  readonly initialMs: number;
  /** Multiplier per failure in a row. */
  readonly factor: number;
  /** The largest delay. */
  readonly capMs: number;
}

/**
 * The base delay of the `failures`-th failure in a row (1 for the first): `initialMs ×
 * factor^(failures − 1)`, capped at `capMs`. Pure and without jitter: {@link createBackoff}
 * draws its jittered delays from it, and `reconcile` uses it as is for its per-key retries
 * (client-go's `ItemExponentialFailureRateLimiter`: 5 ms doubling up to 1000 s).
 *
 * @example
 * ```ts
 * import { exponentialDelayMs } from './exponential-delay.ts'; // internal, not API
 * exponentialDelayMs(3, { initialMs: 5, factor: 2, capMs: 1_000_000 }); // 20
 * ```
 * @internal
 * @param failures - failures in a row, this one included (a value below 1 counts as 1).
 * @param progression - the initial delay, the factor and the cap.
 * @returns the delay in milliseconds, never above `capMs`.
 */
export function exponentialDelayMs(failures: number, progression: ExponentialDelay): number {
  const { initialMs, factor, capMs } = progression;
  // Past the cap the power may overflow to Infinity; min keeps the answer the cap.
  return Math.min(initialMs * factor ** Math.max(0, failures - 1), capMs);
}
