/**
 * Internal, not API: the join operators' shell over the join index (src/store/join-index.ts):
 * subscribes to both inputs, feeds each Reflection's deltas to the index and emits the rows once
 * both inputs have been seen.
 *
 * @internal
 * @packageDocumentation
 */
import { Observable, type Subscription } from 'rxjs';
import type { Joined } from '../../model/derived-views.ts';
import type { Delta, Reflection } from '../../model/reflection.ts';
import { JoinIndex, type JoinSpec } from '../../store/join-index.ts';
import { freezeReflection } from './derive-view.ts';

export type { JoinSpec } from '../../store/join-index.ts';

/** The incremental join as an Observable of Reflections of rows keyed by the left store key. @internal */
export function joinReflections<L, R>(
  left$: Observable<Reflection<L>>,
  right$: Observable<Reflection<R>>,
  spec: JoinSpec<L, R>,
): Observable<Reflection<Joined<L, R>>> {
  return new Observable<Reflection<Joined<L, R>>>((subscriber) => {
    const index = new JoinIndex<L, R>(spec);
    let leftSeen = false;
    let rightSeen = false;
    let leftDone = false;
    let rightDone = false;
    let resourceVersion = '';
    const applyLeft = (d: Delta<L>): void => index.applyLeft(d);
    const applyRight = (d: Delta<R>): void => index.applyRight(d);

    const flush = (): void => {
      const deltas = index.flush(resourceVersion);
      if (deltas !== undefined) subscriber.next(freezeReflection(index.view, deltas));
    };

    const onBatch = <V>(apply: (d: Delta<V>) => void, input: Reflection<V>, markSeen: () => void): void => {
      try {
        for (const d of input.deltas) apply(d);
        markSeen();
        resourceVersion = input.snapshot.resourceVersion;
        if (leftSeen && rightSeen) flush();
      } catch (error) {
        subscriber.error(error);
      }
    };

    const completeIfDone = (): void => {
      if ((leftDone && rightDone) || (leftDone && !leftSeen) || (rightDone && !rightSeen)) subscriber.complete();
    };

    const subscriptions: Subscription[] = [];
    subscriptions.push(
      left$.subscribe({
        next: (input) => onBatch(applyLeft, input, () => (leftSeen = true)),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          leftDone = true;
          completeIfDone();
        },
      }),
    );
    if (!subscriber.closed) {
      subscriptions.push(
        right$.subscribe({
          next: (input) => onBatch(applyRight, input, () => (rightSeen = true)),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            rightDone = true;
            completeIfDone();
          },
        }),
      );
    }
    return () => {
      for (const s of subscriptions) s.unsubscribe();
    };
  });
}
