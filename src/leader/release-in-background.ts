import type { Observable, SchedulerLike } from 'rxjs';

/**
 * Sends a Lease release from a teardown, without waiting for it: subscribes to `release` and
 * cancels it if it has not settled after `timeoutMs`. An error goes to `onError`, whose own throw
 * is dropped (no subscriber is left to receive it).
 *
 * @internal
 */
export function releaseInBackground(release: Observable<unknown>, scheduler: SchedulerLike, timeoutMs: number, onError?: (error: unknown) => void): void {
  const timeout = scheduler.schedule(() => subscription.unsubscribe(), timeoutMs);
  const subscription = release.subscribe({
    complete: () => timeout.unsubscribe(),
    error: (error: unknown) => {
      timeout.unsubscribe();
      try {
        onError?.(error);
      } catch {
        // No subscriber is left to receive it.
      }
    },
  });
}
