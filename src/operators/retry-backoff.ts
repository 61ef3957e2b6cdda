import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { createBackoff, type Backoff, type BackoffOptions } from '../store/backoff.ts';

/**
 * Options of {@link retryBackoff}.
 */
export interface RetryBackoffOptions extends BackoffOptions {
  /** Decides whether an error is retried at all. @defaultValue every error is retried */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log or to publish a status. */
  onBackoff?: (info: { readonly delayMs: number; readonly attempt: number; readonly error: unknown }) => void;
  /** Scheduler for the waits, so tests run in virtual time. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
  /** A backoff to share with other retries (its options then take precedence over the ones here). */
  backoff?: Backoff;
}

/**
 * Reads the server's retry hint (`retryAfterSeconds`, from `Retry-After` or a Status) from an
 * error, in milliseconds (at most an hour). The backoff honours it only up to its cap.
 *
 * @example
 * ```ts
 * import { ApiError } from 'rxkube';
 * import { retryAfterMs } from './retry-backoff.ts';
 * retryAfterMs(new ApiError({ code: 429, retryAfterSeconds: 3 })); // 3000
 * ```
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : undefined;
}

/**
 * Resubscribes to the source after it errors, waiting client-go's backoff (0.8 s doubling, jitter,
 * 30 s cap, restarted two minutes after its previous restart) or the server's `Retry-After` (up to
 * the cap), whichever is longer.
 *
 * Emission contract: mirrors the source's values; never errors for errors that `shouldRetry`
 * accepts; completes when the source completes; unsubscribing cancels a pending wait and the
 * current source subscription.
 *
 * {@link listWatch} composes this operator around each list and watch attempt, keeping its
 * resourceVersion across retries; use it directly for any other cold observable.
 *
 * @example
 * ```ts
 * import { defer } from 'rxjs';
 * import { retryBackoff } from 'rxkube';
 * const version$ = defer(() => fetch('/version')).pipe(retryBackoff({ onBackoff: ({ delayMs }) => console.log(delayMs) }));
 * ```
 * @param options - backoff parameters, filter and hooks.
 * @returns an operator that retries forever (or while `shouldRetry` says so).
 */
export function retryBackoff<T>(options: RetryBackoffOptions = {}): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler;
      const backoff = options.backoff ?? createBackoff(options);
      let inner: Subscription | undefined;
      let wait: Subscription | undefined;
      const subscribe = (): void => {
        inner = source.subscribe({
          next: (value) => subscriber.next(value),
          complete: () => subscriber.complete(),
          error: (error: unknown) => {
            let retry: boolean;
            try {
              retry = options.shouldRetry ? options.shouldRetry(error) : true;
            } catch (thrown) {
              subscriber.error(thrown);
              return;
            }
            if (!retry) {
              subscriber.error(error);
              return;
            }
            const step = backoff.next(scheduler.now(), retryAfterMs(error));
            try {
              options.onBackoff?.({ ...step, error });
            } catch (thrown) {
              subscriber.error(thrown);
              return;
            }
            wait = scheduler.schedule(() => {
              wait = undefined;
              subscribe();
            }, step.delayMs);
          },
        });
      };
      subscribe();
      return () => {
        inner?.unsubscribe();
        wait?.unsubscribe();
      };
    });
}
