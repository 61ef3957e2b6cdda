import { Observable } from 'rxjs';
import { IndexConflictError, type ObjectCallbackError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { Reflection, Snapshot } from '../model/reflection.ts';
import { advanceIndex, buildIndex, type IndexFunction, type IndexTable } from '../store/index-table.ts';
import { IndexedSnapshot, StoreSnapshot, snapshotHasIndex } from '../store/snapshot.ts';
import { guardIndexFunction } from './internal/object-callbacks.ts';

export type { IndexFunction } from '../store/index-table.ts';

/**
 * Options of {@link withIndex}.
 *
 * @example
 * ```ts
 * import type { WithIndexOptions } from 'rxkube';
 * const options: WithIndexOptions = { onObjectError: (e) => console.warn(e.message) };
 * ```
 */
export interface WithIndexOptions {
  /**
   * What to do when the index function throws on one object. Given a hook, the object is left out
   * of this index (it stays in the snapshot and in other indexes) and the hook receives an
   * {@link ObjectCallbackError} naming the index and the object; the stream goes on. The hook may
   * be called again for the same object when its index values are recomputed. If the hook
   * throws, the stream errors with what it threw.
   * @defaultValue none: the stream errors with what the index function threw
   */
  onObjectError?: (error: ObjectCallbackError) => void;
}

/**
 * Maintains an index over the snapshots flowing by, so that `snapshot.byIndex(name, value)` answers
 * in O(result) instead of a scan (client-go's `Indexers`).
 *
 * On the first Reflection the index is built from the whole snapshot (O(n)); after that it is
 * updated from each Reflection's deltas in O(changes · log n): for every key a delta names, the
 * key moves from the index values of its object in the previous snapshot to those of its object
 * in the new one. An index value whose last object leaves it disappears. Each emitted snapshot has
 * its own version of the index and never changes.
 *
 * Several `withIndex` compose: each adds its index and the ones upstream still answer. Put them
 * right after {@link reflect} (or after anything that keeps "previous snapshot + deltas = next").
 *
 * Emission contract: one Reflection per Reflection received, with the same deltas and a snapshot
 * that answers `name` as well. Completes and errors with the source. Errors when `indexFn` throws
 * (unless `options.onObjectError` is given), and with an {@link IndexConflictError} on the first Reflection if an index called `name` exists
 * already upstream. Unsubscribing unsubscribes from the source.
 *
 * @example
 * ```ts
 * import { map, type Observable } from 'rxjs';
 * import { reflect, withIndex, namespaceIndex, type KubeObject, type ListWatchEvent } from 'rxkube';
 * declare const events$: Observable<ListWatchEvent<KubeObject>>;
 * const webPods$ = events$.pipe(
 *   reflect(),
 *   withIndex('namespace', namespaceIndex),
 *   withIndex('app', (o) => o.metadata?.labels?.['app']),
 *   map(({ snapshot }) => snapshot.byIndex('app', 'web').length),
 * );
 * ```
 *
 * The operator adds `name` to the index names the snapshots' type answers (see {@link Snapshot}),
 * so after {@link reflect} a misspelt `byIndex` name does not compile.
 *
 * @param name - the index name, unique in the pipeline.
 * @param indexFn - the index values of an object; must be pure.
 * @param options - what to do when `indexFn` throws.
 * @returns an operator adding the index to every snapshot.
 * @see {@link Snapshot.byIndex}, {@link Snapshot.indexKeys}, {@link Snapshot.indexValues}
 */
export function withIndex<T, N extends string = string>(
  name: N,
  indexFn: IndexFunction<T>,
  options: WithIndexOptions = {},
): <I extends string>(source: Observable<Reflection<T, I>>) => Observable<Reflection<T, I | N>> {
  const hook = options.onObjectError;
  const values = hook === undefined ? indexFn : guardIndexFunction(name, indexFn, hook);
  return <I extends string>(source: Observable<Reflection<T, I>>) =>
    new Observable<Reflection<T, I | N>>((subscriber) => {
      let upstream: Snapshot<T> | undefined;
      let table: IndexTable<T> | undefined;
      let extended: Snapshot<T> | undefined;

      const handle = (r: Reflection<T>): Reflection<T> => {
        const snapshot = r.snapshot;
        if (upstream === undefined || table === undefined) {
          if (snapshotHasIndex(snapshot, name)) throw new IndexConflictError(name);
          table = buildIndex(snapshot, values);
        } else {
          table = advanceIndex(table, upstream, snapshot, r.deltas, values);
        }
        if (snapshot !== upstream || extended === undefined) {
          extended =
            snapshot instanceof StoreSnapshot ? snapshot.withIndex(name, table) : new IndexedSnapshot(snapshot, name, table);
          upstream = snapshot;
        }
        const out = { snapshot: extended, deltas: r.deltas };
        return Object.isFrozen(r) ? Object.freeze(out) : out;
      };

      return source.subscribe({
        next: (r) => {
          let out: Reflection<T>;
          try {
            out = handle(r);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(out);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * The index function of client-go's built-in `namespace` index: an object's namespace, none for a
 * cluster-scoped object.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { withIndex, namespaceIndex, type KubeObject, type Reflection } from 'rxkube';
 * declare const pods$: Observable<Reflection<KubeObject>>;
 * const byNamespace$ = pods$.pipe(withIndex('namespace', namespaceIndex)); // T inferred from pods$
 * // byNamespace$ emits snapshots answering snapshot.byIndex('namespace', 'default')
 * ```
 *
 * @typeParam T - the object type, so that `withIndex` infers it from the pipeline.
 * @param obj - a Kubernetes object.
 * @returns its namespace, or `undefined`.
 */
export function namespaceIndex<T extends KubeObject>(obj: T): string | undefined {
  const ns = obj.metadata?.namespace;
  return ns === '' ? undefined : ns;
}
