import { defer, from, Observable, type ObservableInput } from 'rxjs';

/**
 * Runs `call` with an AbortSignal that is aborted when the result is unsubscribed before it settles.
 *
 * @internal
 */
export function request<T>(call: (signal: AbortSignal) => ObservableInput<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    const inner = defer(() => from(call(controller.signal))).subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => {
        settled = true;
        subscriber.error(error);
      },
      complete: () => {
        settled = true;
        subscriber.complete();
      },
    });
    return () => {
      inner.unsubscribe();
      if (!settled) controller.abort();
    };
  });
}
