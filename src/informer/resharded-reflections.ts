import { defer, distinctUntilChanged, type Observable, of, switchMap, tap } from 'rxjs';
import { sameShard } from '../leader/ring-assignment.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import type { Reflection } from '../model/reflection.ts';
import type { ListWatch } from '../model/wire.ts';
import { reflect, type ReflectOptions } from '../operators/reflect.ts';
import { listWatch, type ListWatchOptions } from '../sources/list-watch.ts';
import type { Shard } from '../sources/shard.ts';

/**
 * Options of {@link reshardedReflections}: those of the list/watch loop and of {@link reflect}.
 *
 * @example
 * ```ts
 * import type { KubeObject } from 'rxkube';
 * import type { ReshardedReflectionsOptions } from 'rxkube/shard';
 * const options: ReshardedReflectionsOptions<KubeObject> = { pageSize: 200, freeze: false };
 * ```
 */
export interface ReshardedReflectionsOptions<T extends KubeObject> extends ListWatchOptions, ReflectOptions<T> {}

/**
 * A store of the objects of a shard that moves: follows `shard$` (e.g. the `shard` of
 * {@link shardRing}'s assignments), and on every change switches to the new shard with an atomic
 * swap — the new shard is listed and swapped in as one {@link Reflection} whose deltas are `added`
 * for the objects gained and `deleted` (with `finalStateUnknown: true`) for the objects lost.
 *
 * It is the list/watch loop and {@link reflect} composed with a `switchMap`: each shard gets its own
 * loop (`sourceFor(shard)`), whose list is, for `reflect`, a relist of the one store. The list of a
 * new shard asks for a state not older than the last one shown (`lastSyncResourceVersion`), so
 * the swap never goes back in time. An `undefined` shard empties the store (one Reflection
 * deleting everything) and watches nothing.
 *
 * Emission contract: as {@link reflect}: nothing before the first list is done, then one
 * Reflection per effective change, including one per swap that changed something. Completes when
 * `shard$` completes and the current loop ends (a loop does not end by itself); errors when
 * `shard$`, `sourceFor` or `reflect` errors. Cold: each subscription has its own store.
 *
 * A lost object's `deleted` delta means "no longer in this shard", not "deleted from the cluster":
 * run reconcile loops with {@link whileOwning} instead, which never sees a lost key as deleted.
 *
 * @example
 * ```ts
 * import { fetchListWatch } from 'rxkube';
 * import { fetchLeaseClient } from 'rxkube/leader';
 * import { reshardedReflections, shardRing } from 'rxkube/shard';
 * import { map } from 'rxjs';
 * const baseUrl = 'http://127.0.0.1:8001';
 * const ring$ = shardRing(fetchLeaseClient({ baseUrl }), { namespace: 'default', ring: 'pods', identity: 'replica-1' });
 * reshardedReflections(ring$.pipe(map((a) => a.shard)), (shard) => fetchListWatch({ baseUrl, resource: '/api/v1/pods', shard }))
 *   .subscribe(({ snapshot, deltas }) => console.log(snapshot.size, deltas.length));
 * ```
 *
 * @param shard$ - the shard to follow; consecutive equal shards are ignored.
 * @param sourceFor - the list/watch source of one shard (`fetchListWatch` or `kubeListWatch` with `shard`).
 * @param options - options of the loop and of the store.
 * @returns a cold observable of the store's reflections.
 * @see {@link shardRing}, {@link whileOwning}
 */
export function reshardedReflections<T extends KubeObject>(
  shard$: Observable<Shard | undefined>,
  sourceFor: (shard: Shard) => ListWatch<T>,
  options: ReshardedReflectionsOptions<T> = {},
): Observable<Reflection<T>> {
  return defer(() => {
    let shown = options.lastSyncResourceVersion;
    const remember = (event: ListWatchEvent<T>): void => {
      if (event.type === 'LIST_DONE') shown = event.resourceVersion;
      else if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED' || event.type === 'BOOKMARK') shown = event.object.metadata?.resourceVersion ?? shown;
    };
    return shard$.pipe(
      distinctUntilChanged(sameShard),
      switchMap((shard): Observable<ListWatchEvent<T>> => {
        if (shard !== undefined) return listWatch(sourceFor(shard), shown === undefined ? options : { ...options, lastSyncResourceVersion: shown });
        return of<ListWatchEvent<T>[]>({ type: 'LIST_START', reason: 'initial', mode: 'list' }, { type: 'LIST_DONE', resourceVersion: shown ?? '' });
      }),
      tap(remember),
      reflect<T>(options),
    );
  });
}
