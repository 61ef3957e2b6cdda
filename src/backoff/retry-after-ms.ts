/**
 * Reads the server's retry hint (`retryAfterSeconds`, from `Retry-After` or a Status) from an
 * error, in milliseconds (at most an hour). {@link createBackoff} honours it only up to its cap.
 *
 * @example
 * ```ts
 * import { ApiError } from 'rxkube';
 * import { retryAfterMs } from './retry-after-ms.ts';
 * retryAfterMs(new ApiError({ code: 429, retryAfterSeconds: 3 })); // 3000
 * ```
 * @param error - anything thrown or emitted as an error.
 * @returns the hint in milliseconds, or `undefined` when the error carries none (or a bad one).
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : undefined;
}
