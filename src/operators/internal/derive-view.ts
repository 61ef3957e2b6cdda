/**
 * Internal, not API: the subscription plumbing shared by the derived-view operators
 * (filterObjects, mapObjects). Like RxJS's `scanInternals`, operators import this helper rather
 * than each other.
 *
 * @internal
 * @packageDocumentation
 */
import { Observable } from 'rxjs';
import type { Delta, Reflection } from '../../model/reflection.ts';
import { editMap, type MapEditor } from '../../store/persistent-map.ts';
import { StoreSnapshot } from '../../store/snapshot.ts';

/** Turns one input Reflection into edits of the view and the matching output deltas. @internal */
export type ViewStep<T, R> = (input: Reflection<T>, view: MapEditor<R>, out: Delta<R>[]) => void;

/**
 * Freezes a reflection for emission. Both the object and its deltas array are frozen so no
 * subscriber can change what another one sees.
 *
 * @internal
 */
export function freezeReflection<R>(snapshot: StoreSnapshot<R>, deltas: Delta<R>[]): Reflection<R> {
  for (const d of deltas) Object.freeze(d);
  return Object.freeze({ snapshot, deltas: Object.freeze(deltas) });
}

/**
 * Maintains a derived collection from a Reflection stream. A fresh `step` is created per
 * subscription (state lives in its closure). Emits one Reflection per input Reflection that
 * changed the view, plus always the first one, so "the source is ready" propagates even when the
 * view is empty. A throwing `step` errors the output.
 *
 * @internal
 */
export function deriveView<T, R>(source: Observable<Reflection<T>>, createStep: () => ViewStep<T, R>): Observable<Reflection<R>> {
  return new Observable<Reflection<R>>((subscriber) => {
    const step = createStep();
    let snapshot = StoreSnapshot.empty<R>();
    let first = true;
    return source.subscribe({
      next: (input) => {
        const view = editMap(snapshot.objects);
        const deltas: Delta<R>[] = [];
        try {
          step(input, view, deltas);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        if (deltas.length === 0 && !first) return;
        first = false;
        snapshot = new StoreSnapshot(view.commit(), input.snapshot.resourceVersion);
        subscriber.next(freezeReflection(snapshot, deltas));
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}

/** A `deleted` delta, keeping the `finalStateUnknown` flag of the cause when there is one. @internal */
export function deletedDelta<R>(key: string, object: R, cause?: Delta<unknown>): Delta<R> {
  return cause?.finalStateUnknown ? { type: 'deleted', key, object, finalStateUnknown: true } : { type: 'deleted', key, object };
}
