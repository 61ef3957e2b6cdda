import type { OperatorFunction } from 'rxjs';
import type { Reflection } from '../model/reflection.ts';
import { deletedDelta, deriveView } from './internal/derive-view.ts';

/**
 * Options of {@link mapObjects}.
 */
export interface MapObjectsOptions<R> {
  /**
   * When given, an update whose projection `equals` the previous projection is dropped (and the
   * view keeps the previous projection), so downstream only sees changes of what it projected.
   * @defaultValue undefined (every update is passed on)
   */
  equals?: (previous: R, next: R) => boolean;
}

/**
 * Projects every object of a collection, keeping the keys: a derived collection of `R`.
 *
 * Each `added` or `updated` input calls `project` once; `deleted` and `synced` reuse the stored
 * projection (no call). `updated` deltas carry the previous projection as `previous`. With
 * `equals`, updates that do not change the projection are dropped. O(change) per batch.
 *
 * Emission contract: one Reflection per input Reflection that changed the view, plus always the
 * first one (possibly with no deltas). Snapshots are immutable; `resourceVersion` is the
 * input's. Errors when the source errors or `project`/`equals` throws; completes with the source;
 * unsubscribing unsubscribes the source. Do not rely on `project` being called for `synced`
 * deltas or on the view holding the latest projection when `equals` said "unchanged".
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { mapObjects, type KubeObject, type Reflection } from 'rxkube';
 * interface Pod extends KubeObject { spec?: { nodeName?: string }; status?: { phase?: string } }
 * declare const pods$: Observable<Reflection<Pod>>;
 * const rows$ = pods$.pipe(
 *   mapObjects((pod) => ({ name: pod.metadata?.name ?? '', node: pod.spec?.nodeName, phase: pod.status?.phase }), {
 *     equals: (a, b) => a.node === b.node && a.phase === b.phase,
 *   }),
 * );
 * ```
 * @param project - computes the projection; receives the object and its store key.
 * @param options - optional equality to drop no-op updates.
 * @returns an operator from reflections of `T` to reflections of `R`, same keys.
 * @see {@link filterObjects}
 */
export function mapObjects<T, R>(project: (object: T, key: string) => R, options: MapObjectsOptions<R> = {}): OperatorFunction<Reflection<T>, Reflection<R>> {
  const { equals } = options;
  return (source) =>
    deriveView<T, R>(source, () => (input, view, out) => {
      for (const d of input.deltas) {
        const had = view.has(d.key);
        const previous = view.get(d.key) as R;
        if (d.type === 'deleted') {
          if (had) {
            view.delete(d.key);
            out.push(deletedDelta(d.key, previous, d));
          }
        } else if (d.type === 'synced' && had) {
          out.push({ type: 'synced', key: d.key, object: previous });
        } else {
          const object = project(d.object, d.key);
          if (!had) {
            view.set(d.key, object);
            out.push({ type: 'added', key: d.key, object });
          } else if (!equals?.(previous, object)) {
            view.set(d.key, object);
            out.push({ type: 'updated', key: d.key, object, previous });
          }
        }
      }
    });
}
