import { exponentialDelayMs } from './exponential-delay.ts';

/**
 * Options of the backoff (the list/watch loop's `backoff` option). Defaults are client-go's reflector backoff.
 */
export interface BackoffOptions {
  /** First delay. @defaultValue 800 */
  initialMs?: number;
  /** Multiplier per consecutive failure. @defaultValue 2 */
  factor?: number;
  /** Each delay is drawn uniformly from `[d, d × (1 + jitter))`. @defaultValue 1 */
  jitter?: number;
  /**
   * Largest base delay; with the default jitter, capped delays fall in `[cap, 2 × cap)`. Also the
   * longest server retry hint (`Retry-After`) honoured: a longer hint waits `capMs`.
   * @defaultValue 30000
   */
  capMs?: number;
  /**
   * The progression starts again from `initialMs` on the first failure more than this long after
   * the previous restart (client-go's backoff manager), whether or not failures happened between.
   * @defaultValue 120000
   */
  resetAfterMs?: number;
  /** Source of randomness in `[0, 1)`, for deterministic tests. @defaultValue Math.random */
  random?: () => number;
}

/** One step of a {@link Backoff}: how long to wait and how many failures in a row this is. */
export interface BackoffStep {
  /** Milliseconds to wait. */
  readonly delayMs: number;
  /**
   * 1 for the first failure after `resetAfterMs` without one, 2 for the next, … (it keeps counting
   * when the delay progression restarts during a long run of failures).
   */
  readonly attempt: number;
}

/**
 * A stateful exponential backoff with jitter, as a pair of functions.
 */
export interface Backoff {
  /**
   * The delay before the next attempt after a failure at time `nowMs`. A server's retry hint
   * (`Retry-After`) raises the delay, never lowers it, up to the backoff's cap.
   */
  next(nowMs: number, retryAfterMs?: number): BackoffStep;
}

/**
 * Creates client-go's reflector backoff: 0.8 s doubling per failure, each delay drawn from
 * `[d, 2d)`, base capped at 30 s, back to 0.8 s on the first failure more than 2 minutes after the
 * previous restart of the progression (the first failure starts it).
 *
 * As in client-go, the restart is on a timer rather than after two minutes of health: a failure
 * pattern that recurs more often than every two minutes (a network that cuts connections every
 * minute, each reconnect refused once) cannot ratchet the delay up to the cap and keep it there;
 * a server that fails every attempt is still asked at most a handful of times per two minutes.
 * A server's `Retry-After` is honoured up to `capMs`, so an hour-long hint cannot park the caller.
 *
 * @example
 * ```ts
 * import { createBackoff } from './create-backoff.ts';
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
  // Failures since the progression last restarted: the k-th draws from exponentialDelayMs(k).
  let sinceRestart = 0;
  let attempt = 0;
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  let lastRestartMs = Number.NEGATIVE_INFINITY;
  return {
    next(nowMs, retryAfterMs) {
      if (nowMs - lastFailureMs > resetAfterMs) attempt = 0;
      if (nowMs - lastRestartMs > resetAfterMs) {
        sinceRestart = 0;
        lastRestartMs = nowMs;
      }
      lastFailureMs = nowMs;
      attempt += 1;
      sinceRestart += 1;
      const base = exponentialDelayMs(sinceRestart, { initialMs, factor, capMs });
      const drawn = base * (1 + jitter * random());
      const delayMs = Math.max(Math.round(drawn), Math.min(retryAfterMs ?? 0, capMs));
      return { delayMs, attempt };
    },
  };
}
