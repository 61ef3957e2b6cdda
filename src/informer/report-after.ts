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
      let held: R[] | undefined;
      const subscription = pipeline(input).subscribe({
        next: (output) => {
          if (held === undefined) subscriber.next(output);
          else held.push(output);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      subscription.add(
        source.subscribe({
          next: (value) => {
            const outputs: R[] = [];
            held = outputs;
            try {
              input.next(value);
            } finally {
              held = undefined;
            }
            if (subscriber.closed) return;
            report(value);
            for (const output of outputs) subscriber.next(output);
          },
          error: (err: unknown) => input.error(err),
          complete: () => input.complete(),
        }),
      );
      return subscription;
    });
}
