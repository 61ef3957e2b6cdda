import { Observable, Subject, type OperatorFunction } from 'rxjs';

/**
 * Internal, not API: runs each source value through `pipeline`, then calls `report(value)`, then
 * delivers what the pipeline emitted for it. The informer uses it so that `status$` announces a
 * completed list only after the snapshot of that list is stored (client-go's `HasSynced` is true
 * once the items are in the store), and before subscribers receive the Reflection.
 *
 * Emissions of `pipeline` that no source value caused (a resync timer) are delivered at once.
 * `report` is not called for a value during which the pipeline failed, nor after it: the error is
 * delivered and the source unsubscribed. Completes and errors with the pipeline; unsubscribing
 * unsubscribes from the pipeline and the source.
 *
 * @example
 * ```ts
 * import { map, of } from 'rxjs';
 * import { reportAfter } from './report-after.ts';
 * of(1, 2).pipe(reportAfter(map((n) => n * 10), (n) => console.log('handled', n))).subscribe(console.log);
 * // handled 1, 10, handled 2, 20
 * ```
 *
 * @internal
 */
export function reportAfter<E, R>(pipeline: OperatorFunction<E, R>, report: (value: E) => void): OperatorFunction<E, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const input = new Subject<E>();
      // Outputs of the value being processed, held until it is reported. Almost every value gives
      // one output or none, so one slot (and an array only for the rest) avoids an array per value.
      let holding = false;
      let first: R | undefined;
      let hasFirst = false;
      let more: R[] | undefined;
      const subscription = pipeline(input).subscribe({
        next: (output) => {
          if (!holding) subscriber.next(output);
          else if (!hasFirst) {
            first = output;
            hasFirst = true;
          } else (more ??= []).push(output);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      subscription.add(
        source.subscribe({
          next: (value) => {
            holding = true;
            try {
              input.next(value);
            } finally {
              holding = false;
            }
            const output = first;
            const had = hasFirst;
            const rest = more;
            first = undefined;
            hasFirst = false;
            more = undefined;
            if (subscriber.closed) return;
            report(value);
            if (had) subscriber.next(output as R);
            if (rest !== undefined) for (const r of rest) subscriber.next(r);
          },
          error: (err: unknown) => input.error(err),
          complete: () => input.complete(),
        }),
      );
      return subscription;
    });
}
