import { Observable } from 'rxjs';
import type { Delta, Reflection } from '../model/reflection.ts';
import type { Predicate } from './predicates.ts';

/**
 * Drops `updated` deltas whose predicate value did not change, like kube-rs's
 * `predicate_filter`: e.g. `onlyChanged(predicates.generation)` ignores status-only updates.
 *
 * For each `updated` delta the predicate is computed on `previous` and on `object`; the delta is
 * kept when the values differ (`Object.is`) or when the delta has no `previous`. `added`,
 * `deleted` and `synced` deltas always pass (a resync is a request to look again). A Reflection
 * left with no delta is not emitted.
 *
 * Emission contract: the input Reflections, minus dropped deltas, with the input's snapshot.
 * Because dropped updates are still in the snapshot, "previous snapshot + deltas = snapshot" does
 * not hold for the output: read objects from `snapshot` (the latest state), not by replaying
 * deltas. Errors when the source errors or the predicate throws; completes with the source;
 * unsubscribing unsubscribes the source.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { onlyChanged, predicates, type KubeObject, type Reflection } from 'rxkube';
 * declare const deployments$: Observable<Reflection<KubeObject>>;
 * const specChanges$ = deployments$.pipe(onlyChanged(predicates.combine(predicates.generation, predicates.finalizers)));
 * ```
 * @param predicate - the value that matters; see {@link predicates}.
 * @returns an operator that drops updates that leave the value unchanged; it keeps the source's
 *   object type (any subtype of the predicate's).
 */
export function onlyChanged<T>(predicate: Predicate<T>): <U extends T>(source: Observable<Reflection<U>>) => Observable<Reflection<U>> {
  return <U extends T>(source: Observable<Reflection<U>>) =>
    new Observable<Reflection<U>>((subscriber) =>
      source.subscribe({
        next: (input) => {
          let kept: Delta<U>[];
          try {
            kept = input.deltas.filter((d) => d.type !== 'updated' || d.previous === undefined || !Object.is(predicate(d.previous), predicate(d.object)));
          } catch (error) {
            subscriber.error(error);
            return;
          }
          if (kept.length === input.deltas.length) subscriber.next(input);
          else if (kept.length > 0) subscriber.next(Object.freeze({ snapshot: input.snapshot, deltas: Object.freeze(kept) }));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
