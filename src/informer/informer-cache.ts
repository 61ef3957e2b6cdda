import { asyncScheduler } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatch } from '../model/wire.ts';
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
  /** The informer of `ref`'s collection: the same instance for every equal `ref` while it is in use. */
  informer<K extends keyof M & string>(ref: CollectionRef<K>): Informer<M[K]>;
  /** How many collections currently have an informer (running, or within their keep-alive). */
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

/**
 * Splits a selector on the commas that separate requirements (not those inside `in (a,b)`), and
 * sorts them, so that equivalent selectors share one informer.
 */
function canonicalSelector(selector: string | undefined): string {
  if (selector === undefined) return '';
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i).replaceAll(' ', ''));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start).replaceAll(' ', ''));
  return terms.filter((t) => t !== '').sort().join(',');
}

function cacheKey(ref: CollectionRef<unknown>): string {
  const resource = typeof ref.resource === 'string' ? ref.resource : JSON.stringify(ref.resource);
  return JSON.stringify([resource, ref.namespace ?? '', canonicalSelector(ref.labelSelector), canonicalSelector(ref.fieldSelector)]);
}

/**
 * Shares informers by collection: any number of pipelines asking for the same resource,
 * namespace and selectors (selectors compared as sets of requirements) get the same
 * {@link Informer}, so one list/watch serves them all. Each informer starts with its first
 * subscriber, keeps running `keepAliveMs` after its last one left, then stops and leaves the
 * cache; late subscribers first receive the current state (see {@link informer}).
 *
 * The cache is reference counted through the informers' subscriptions: `informer(ref)` itself
 * starts nothing.
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
  const entries = new Map<string, Informer<KubeObject>>();
  const keepAliveMs = options.keepAliveMs ?? 1000;
  return {
    informer<K extends keyof M & string>(ref: CollectionRef<K>): Informer<M[K]> {
      const key = cacheKey(ref);
      // Entries of every resource share one map; each was built from sourceFor(ref) of its own
      // key, whose list/watch yields M[K], so the narrowing below holds by construction.
      const existing = entries.get(key);
      if (existing !== undefined) return existing as Informer<M[K]>;
      const created = informer<KubeObject>(sourceFor(ref), { ...options, keepAliveMs });
      entries.set(key, created);
      // status$ goes back to idle when the shared list/watch stops: then the entry is dropped, and
      // the next request for the collection builds a fresh informer.
      let started = false;
      const watcher = created.status$.subscribe((status) => {
        if (status.phase !== 'idle') started = true;
        else if (started) {
          if (entries.get(key) === created) entries.delete(key);
          queueMicrotask(() => watcher.unsubscribe());
        }
      });
      // An informer asked for but never subscribed within the keep-alive is dropped too, so that
      // looking collections up without watching them does not grow the cache forever.
      (options.scheduler ?? asyncScheduler).schedule(() => {
        if (started) return;
        if (entries.get(key) === created) entries.delete(key);
        watcher.unsubscribe();
      }, keepAliveMs);
      return created as Informer<M[K]>;
    },
    get size() {
      return entries.size;
    },
  };
}
