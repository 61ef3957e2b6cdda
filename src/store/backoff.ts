/**
 * Options of {@link createBackoff}. Defaults are client-go's reflector backoff.
 */
export interface BackoffOptions {
  /** First delay. @defaultValue 800 */
  initialMs?: number;
  /** Multiplier per consecutive failure. @defaultValue 2 */
  factor?: number;
  /** Each delay is drawn uniformly from `[d, d × (1 + jitter))`. @defaultValue 1 */
  jitter?: number;
  /** Largest base delay; with the default jitter, capped delays fall in `[cap, 2 × cap)`. @defaultValue 30000 */
  capMs?: number;
  /** After this long without a failure the progression starts again from `initialMs`. @defaultValue 120000 */
  resetAfterMs?: number;
  /** Source of randomness in `[0, 1)`, for deterministic tests. @defaultValue Math.random */
  random?: () => number;
}

/** One step of a {@link Backoff}: how long to wait and how many failures in a row this is. */
export interface BackoffStep {
  /** Milliseconds to wait. */
  readonly delayMs: number;
  /** 1 for the first failure after a healthy period, 2 for the next, … */
  readonly attempt: number;
}

/**
 * A stateful exponential backoff with jitter, as a pair of functions.
 */
export interface Backoff {
  /**
   * The delay before the next attempt after a failure at time `nowMs`. A server's retry hint
   * (`Retry-After`) raises the delay, never lowers it.
   */
  next(nowMs: number, retryAfterMs?: number): BackoffStep;
}

/**
 * Creates client-go's reflector backoff: 0.8 s doubling per failure, each delay drawn from
 * `[d, 2d)`, base capped at 30 s, back to 0.8 s after 2 minutes without a failure.
 *
 * Differs from client-go in one way: client-go resets two minutes after the *last reset*, even
 * while failures continue; rxkube resets after two minutes of *health*, so a server that keeps
 * failing keeps being asked gently.
 *
 * @example
 * ```ts
 * import { createBackoff } from 'rxkube';
 * const backoff = createBackoff({ random: () => 0 });
 * backoff.next(0).delayMs;    // 800
 * backoff.next(1000).delayMs; // 1600
 * ```
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? 800;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 1;
  const capMs = options.capMs ?? 30_000;
  const resetAfterMs = options.resetAfterMs ?? 120_000;
  const random = options.random ?? Math.random;
  let base = initialMs;
  let attempt = 0;
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  return {
    next(nowMs, retryAfterMs) {
      if (nowMs - lastFailureMs > resetAfterMs) {
        base = initialMs;
        attempt = 0;
      }
      lastFailureMs = nowMs;
      attempt += 1;
      const drawn = base * (1 + jitter * random());
      base = Math.min(base * factor, capMs);
      const delayMs = Math.max(Math.round(drawn), retryAfterMs ?? 0);
      return { delayMs, attempt };
    },
  };
}
