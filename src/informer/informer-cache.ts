import { asyncScheduler } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatch } from '../model/wire.ts';
import { canonicalFieldSelector, canonicalLabelSelector } from './collection-key.ts';
import { informer, type InformerOptions } from './informer.ts';

/**
 * Which collection an informer watches: a resource (a name such as `pods` or
 * `deployments.apps`, or a path: whatever your source factory understands), optionally one
 * namespace and selectors.
 */
export interface CollectionRef<R = string> {
  /** The resource, in whatever form the cache's source factory takes. */
  readonly resource: R;
  /** One namespace, or all namespaces when absent. */
  readonly namespace?: string;
  /** A label selector, applied to the list and the watch. */
  readonly labelSelector?: string;
  /** A field selector, applied to the list and the watch. */
  readonly fieldSelector?: string;
}

/**
 * The object type of each resource a cache serves, by resource name: for example
 * `{ pods: V1Pod; nodes: V1Node; 'deployments.apps': V1Deployment }`. The default,
 * `{ [resource: string]: KubeObject }`, accepts any name.
 */
export type ResourceTypes = { readonly [resource: string]: KubeObject };

/**
 * A registry of shared informers, keyed by collection. See {@link informerCache}.
 *
 * @typeParam M - the object type of each resource (see {@link ResourceTypes}): `informer(ref)`
 * returns an informer of `M[ref.resource]`, and a resource `M` does not name does not compile.
 */
export interface InformerCache<M extends ResourceTypes = ResourceTypes> {
  /**
   * The informer of `ref`'s collection: the same instance for every equal `ref` as long as an
   * earlier one is running or still referenced anywhere, so one collection never has two watches.
   */
  informer<K extends keyof M & string>(ref: CollectionRef<K>): Informer<M[K]>;
  /**
   * How many informers the cache itself holds: those running (including their keep-alive after the
   * last subscriber left) and those created less than `keepAliveMs` ago.
   */
  readonly size: number;
}

/** Options of {@link informerCache}: those of every informer it creates. */
export interface InformerCacheOptions extends InformerOptions<KubeObject> {
  /**
   * How long an informer keeps its list/watch after its last subscriber left, so pipelines that
   * come and go (route changes, React StrictMode) share one watch instead of relisting.
   * @defaultValue 1000
   */
  keepAliveMs?: number;
}

function cacheKey(ref: CollectionRef<unknown>): string {
  const resource = typeof ref.resource === 'string' ? ref.resource : JSON.stringify(ref.resource);
  return JSON.stringify([resource, ref.namespace ?? '', canonicalLabelSelector(ref.labelSelector), canonicalFieldSelector(ref.fieldSelector)]);
}

/**
 * Shares informers by collection: any number of pipelines asking for the same resource,
 * namespace and selectors get the same {@link Informer}, so one list/watch serves them all. Label
 * selectors are compared as the API server parses them (`app=web, tier in (b,a)` equals
 * `tier in (a,b),app==web`; `app notin (a)` differs from `appnot in (a)`); field selectors as sets
 * of their comma-separated terms, each compared exactly; a selector that does not parse only
 * equals the same string.
 *
 * Each informer starts with its first subscriber and keeps running `keepAliveMs` after its last
 * one left (see {@link informer}); late subscribers first receive the current state. The cache
 * holds an informer while it runs and for `keepAliveMs` after creating it; after that it keeps
 * only a weak reference. An informer that anyone still references (subscribed or not, stopped or
 * not) is the one `informer(ref)` returns, so subscribing to it late never starts a second watch
 * of the collection; one that nobody references is garbage-collected, so looking collections up
 * without watching them does not grow the cache.
 *
 * `informer(ref)` itself starts nothing.
 *
 * Typed by resource: give the object type of each resource as `M`, and `sourceFor` must return
 * a list/watch of that type (`fetchListWatch` and `kubeListWatch` take it from the context), so
 * `cache.informer({ resource: 'pods' })` is an `Informer<V1Pod>` with no cast in your code.
 *
 * @example
 * ```ts
 * import { fetchListWatch, informerCache } from 'rxkube';
 * const cache = informerCache((ref) => fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: ref.resource, namespace: ref.namespace }, labelSelector: ref.labelSelector }));
 * const a = cache.informer({ resource: 'pods', namespace: 'shop', labelSelector: 'app=web,tier=front' });
 * const b = cache.informer({ resource: 'pods', namespace: 'shop', labelSelector: 'tier=front, app=web' });
 * a === b; // true: one watch for both
 * ```
 *
 * @example
 * ```ts
 * import type { V1Node, V1Pod } from '@kubernetes/client-node';
 * import { fetchListWatch, informerCache } from 'rxkube';
 * const typed = informerCache<{ pods: V1Pod; nodes: V1Node }>((ref) =>
 *   fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: ref.resource } }));
 * const pods = typed.informer({ resource: 'pods' }); // Informer<V1Pod>
 * ```
 * @param sourceFor - builds the list/watch of a collection (called once per live informer).
 * @param options - options of every informer the cache creates.
 * @returns the cache.
 */
export function informerCache<M extends ResourceTypes = ResourceTypes>(
  sourceFor: <K extends keyof M & string>(ref: CollectionRef<K>) => ListWatch<M[K]>,
  options: InformerCacheOptions = {},
): InformerCache<M> {
  const keepAliveMs = options.keepAliveMs ?? 1000;
  const scheduler = options.scheduler ?? asyncScheduler;
  // Informers running, or created less than keepAliveMs ago: held by the cache.
  const held = new Map<string, Informer<KubeObject>>();
  // Every informer handed out that is still reachable: one someone keeps may be subscribed at any
  // time, so it must stay the informer of its collection; one nobody keeps is collected.
  const handedOut = new Map<string, WeakRef<Informer<KubeObject>>>();
  const collected = new FinalizationRegistry<{ key: string; ref: WeakRef<Informer<KubeObject>> }>(({ key, ref }) => {
    if (handedOut.get(key) === ref) handedOut.delete(key);
  });
  return {
    informer<K extends keyof M & string>(ref: CollectionRef<K>): Informer<M[K]> {
      const key = cacheKey(ref);
      // Entries of every resource share one map; each was built from sourceFor(ref) of its own
      // key, whose list/watch yields M[K], so the narrowing below holds by construction.
      const existing = held.get(key) ?? handedOut.get(key)?.deref();
      if (existing !== undefined) return existing as Informer<M[K]>;
      const created = informer<KubeObject>(sourceFor(ref), { ...options, keepAliveMs });
      const weak = new WeakRef(created);
      handedOut.set(key, weak);
      collected.register(created, { key, ref: weak });
      held.set(key, created);
      // status$ leaves idle when the shared list/watch starts and returns to it when it stops.
      // This subscription belongs to the informer (its status subject holds it), not to the cache.
      let running = false;
      let young = true;
      created.status$.subscribe((status) => {
        running = status.phase !== 'idle';
        if (running) held.set(key, created);
        else if (!young) held.delete(key);
      });
      scheduler.schedule(() => {
        young = false;
        if (!running) held.delete(key);
      }, keepAliveMs);
      return created as Informer<M[K]>;
    },
    get size() {
      return held.size;
    },
  };
}
