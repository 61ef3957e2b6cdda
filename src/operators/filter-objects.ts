import type { OperatorFunction } from 'rxjs';
import type { Delta, Reflection } from '../model/reflection.ts';
import { deletedDelta, deriveView } from './internal/derive-view.ts';

/**
 * Keeps the objects that match `predicate`, as a derived collection with its own snapshots and
 * deltas.
 *
 * The view is maintained from the input deltas alone, in O(change) per batch: an `added` object
 * that matches is `added`; an `updated` object that starts to match is `added`, one that stops
 * matching is `deleted` (its `object` is the new, non-matching version), one that still matches is
 * `updated` (with the view's `previous`); a `deleted` object that was in the view is `deleted`.
 * A `synced` delta re-evaluates the predicate, so a time-dependent predicate takes effect on the
 * next resync; a match that stays a match is passed on as `synced`.
 *
 * Emission contract: one Reflection per input Reflection that changed the view, plus always the
 * first one (possibly with no deltas: "the source is ready and nothing matches"). Snapshots are
 * immutable and keep their identity while nothing changes; `resourceVersion` is the input's.
 * Errors when the source errors or `predicate` throws; completes with the source; unsubscribing
 * unsubscribes the source. Derived snapshots carry no indexes: apply `withIndex` after this
 * operator if you need some.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { filterObjects, type KubeObject, type Reflection } from 'rxkube';
 * interface Pod extends KubeObject { status?: { phase?: string } }
 * declare const pods$: Observable<Reflection<Pod>>;
 * const running$ = pods$.pipe(filterObjects((pod) => pod.status?.phase === 'Running'));
 * running$.subscribe(({ snapshot }) => console.log(`${snapshot.size} running`));
 * ```
 * @param predicate - decides membership; receives the object and its store key. A type guard
 *   narrows the output type.
 * @returns an operator from reflections of `T` to reflections of the matching objects.
 * @see {@link mapObjects}
 */
export function filterObjects<T, S extends T>(predicate: (object: T, key: string) => object is S): OperatorFunction<Reflection<T>, Reflection<S>>;
export function filterObjects<T>(predicate: (object: T, key: string) => boolean): OperatorFunction<Reflection<T>, Reflection<T>>;
export function filterObjects<T>(predicate: (object: T, key: string) => boolean): OperatorFunction<Reflection<T>, Reflection<T>> {
  return (source) =>
    deriveView<T, T>(source, () => (input, view, out) => {
      for (const d of input.deltas) {
        const previous = view.get(d.key);
        const had = view.has(d.key);
        if (d.type === 'deleted') {
          if (had) {
            view.delete(d.key);
            out.push(deletedDelta(d.key, d.object, d));
          }
          continue;
        }
        if (predicate(d.object, d.key)) {
          view.set(d.key, d.object);
          out.push(!had ? { type: 'added', key: d.key, object: d.object } : changed(d, previous as T));
        } else if (had) {
          view.delete(d.key);
          out.push({ type: 'deleted', key: d.key, object: d.object });
        }
      }
    });
}

function changed<T>(d: Delta<T>, previous: T): Delta<T> {
  return d.type === 'synced' ? { type: 'synced', key: d.key, object: d.object } : { type: 'updated', key: d.key, object: d.object, previous };
}
