import { asyncScheduler } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatch } from '../model/wire.ts';
import { canonicalFieldSelector, canonicalLabelSelector } from './collection-key.ts';
import { informer, type InformerOptions } from './informer.ts';

/**
 * Which collection an informer watches: a resource (a name such as `pods` or
 * `deployments.apps`, a path, or any value your source factory understands), optionally one
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
 * A registry of shared informers, keyed by collection. See {@link informerCache}.
 */
export interface InformerCache<R = string> {
  /**
   * The informer of `ref`'s collection: the same instance for every equal `ref` as long as an
   * earlier one is running or still referenced anywhere, so one collection never has two watches.
   */
  informer<T extends KubeObject = KubeObject>(ref: CollectionRef<R>): Informer<T>;
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
 * @example
 * ```ts
 * import { fetchListWatch, informerCache } from 'rxkube';
 * const cache = informerCache((ref) => fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: ref.resource, namespace: ref.namespace }, labelSelector: ref.labelSelector }));
 * const a = cache.informer({ resource: 'pods', namespace: 'shop', labelSelector: 'app=web,tier=front' });
 * const b = cache.informer({ resource: 'pods', namespace: 'shop', labelSelector: 'tier=front, app=web' });
 * a === b; // true: one watch for both
 * ```
 * @param sourceFor - builds the list/watch of a collection (called once per live informer).
 * @param options - options of every informer the cache creates.
 * @returns the cache.
 */
export function informerCache<R = string>(
  sourceFor: (ref: CollectionRef<R>) => ListWatch<KubeObject>,
  options: InformerCacheOptions = {},
): InformerCache<R> {
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
    informer<T extends KubeObject = KubeObject>(ref: CollectionRef<R>): Informer<T> {
      const key = cacheKey(ref);
      const existing = held.get(key) ?? handedOut.get(key)?.deref();
      if (existing !== undefined) return existing as unknown as Informer<T>;
      const created = informer(sourceFor(ref), { ...options, keepAliveMs });
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
      return created as unknown as Informer<T>;
    },
    get size() {
      return held.size;
    },
  };
}
