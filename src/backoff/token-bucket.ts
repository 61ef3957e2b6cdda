/** A token bucket with reservations (see {@link createTokenBucket}). @internal */
export interface TokenBucket {
  /**
   * Takes a token at time `nowMs`, going into debt when none is left, and returns how long the
   * caller must wait for it (0 when a token was there).
   */
  reserve(nowMs: number): number;
}

/**
 * A token bucket with reservations, like Go's `rate.Limiter.Reserve`: refilled at `qps` tokens
 * per second, holding at most `burst`, full at `startMs`. Every reservation takes a token, possibly
 * going into debt, and answers how long the caller must wait for it, so callers that keep
 * reserving are spread out at `qps`. Pure arithmetic on the times it is given: no timers.
 * `reconcile` limits all retries of failed keys with one (client-go's `BucketRateLimiter`).
 *
 * @example
 * ```ts
 * import { createTokenBucket } from './token-bucket.ts'; // internal, not API
 * const bucket = createTokenBucket(10, 1, 0);
 * bucket.reserve(0); // 0
 * bucket.reserve(0); // 100: the next token arrives in 100 ms
 * ```
 * @param qps - tokens added per second (> 0).
 * @param burst - the most tokens held (≥ 1).
 * @param startMs - the time the bucket starts full.
 * @returns the bucket.
 * @internal
 */
export function createTokenBucket(qps: number, burst: number, startMs: number): TokenBucket {
  let tokens = burst;
  let last = startMs;
  return {
    reserve: (nowMs) => {
      tokens = Math.min(burst, tokens + ((nowMs - last) * qps) / 1000);
      last = nowMs;
      tokens -= 1;
      return tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / qps);
    },
  };
}
