import { Observable, type Subscription } from 'rxjs';
import type { Delta, Reflection } from '../model/reflection.ts';
import { freezeReflection } from './internal/derive-view.ts';
import { StoreSnapshot } from '../store/snapshot.ts';
import { editMap } from '../store/persistent-map.ts';

/** Options of {@link mergeSources}. */
export interface MergeSourcesOptions {
  /**
   * How the merged store keys objects: `false` keeps each source's keys (they must be disjoint,
   * as they are for namespaces of one cluster); `true` prefixes them with the source name and a
   * slash (`prod/default/web-0`), as needed for several clusters; a function builds the key.
   * @defaultValue false
   */
  prefixKeys?: boolean | ((source: string, key: string) => string);
}

/**
 * Merges several collections of the same kind into one store — the namespaces a tenant may
 * list, or the same resource in several clusters — with a combined readiness.
 *
 * Each source's deltas are applied to one persistent store (O(change) per batch) with their keys
 * optionally prefixed by the source name. Nothing is emitted until every source has emitted at
 * least once; the first emission then holds every object as `added`, and each later source
 * Reflection becomes one merged Reflection (same delta types, `previous` and flags; keys mapped).
 * A source that completes leaves its last objects in the store.
 *
 * Emission contract: cold; subscribes to every source. Emits as above, with the snapshot's
 * `resourceVersion` taken from the source that caused the emission (resourceVersions of different
 * clusters are not comparable: do not use it to resume anything). Errors when any source errors
 * or the key function throws; completes when every source has completed, or when one completes
 * without ever emitting (the merge can then never be ready); unsubscribing unsubscribes every
 * source. With no source at all it emits one empty Reflection and completes. Do not rely on the
 * store's content when two unprefixed sources share a key (the latest write wins).
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { mergeSources, type KubeObject, type Reflection } from 'rxkube';
 * declare function podsIn(namespace: string): Observable<Reflection<KubeObject>>;
 * const teamPods$ = mergeSources({ frontend: podsIn('frontend'), backend: podsIn('backend') });
 * teamPods$.subscribe(({ snapshot }) => console.log('all namespaces listed:', snapshot.size));
 * ```
 * @param sources - the collections, by source name.
 * @param options - key prefixing.
 * @returns one Reflection stream over the union.
 */
export function mergeSources<T>(sources: { readonly [source: string]: Observable<Reflection<T>> }, options: MergeSourcesOptions = {}): Observable<Reflection<T>> {
  const { prefixKeys = false } = options;
  const keyOf: (source: string, key: string) => string =
    prefixKeys === true ? (source, key) => `${source}/${key}` : prefixKeys === false ? (_source, key) => key : prefixKeys;
  return new Observable<Reflection<T>>((subscriber) => {
    const names = Object.keys(sources);
    let store = StoreSnapshot.empty<T>();
    const seen = new Set<string>();
    const done = new Set<string>();
    let ready = false;
    if (names.length === 0) {
      subscriber.next(freezeReflection(store, []));
      subscriber.complete();
      return undefined;
    }
    const onNext = (name: string, input: Reflection<T>): void => {
      const edit = editMap(store.objects);
      const deltas: Delta<T>[] = [];
      try {
        for (const d of input.deltas) {
          const key = keyOf(name, d.key);
          if (d.type === 'deleted') edit.delete(key);
          else edit.set(key, d.object);
          deltas.push(key === d.key ? d : { ...d, key });
        }
      } catch (error) {
        subscriber.error(error);
        return;
      }
      seen.add(name);
      const wasReady = ready;
      ready = seen.size === names.length;
      if (deltas.length > 0 || !wasReady) store = new StoreSnapshot(edit.commit(), input.snapshot.resourceVersion);
      if (!ready) return;
      if (wasReady) {
        if (deltas.length > 0) subscriber.next(freezeReflection(store, deltas));
      } else {
        subscriber.next(freezeReflection(store, [...store.entries()].map(([key, object]): Delta<T> => ({ type: 'added', key, object }))));
      }
    };
    const subscriptions: Subscription[] = [];
    for (const name of names) {
      if (subscriber.closed) break;
      subscriptions.push(
        sources[name]!.subscribe({
          next: (input) => onNext(name, input),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            done.add(name);
            if (done.size === names.length || !seen.has(name)) subscriber.complete();
          },
        }),
      );
    }
    return () => {
      for (const s of subscriptions) s.unsubscribe();
    };
  });
}
