import type { KubeConfig } from '@kubernetes/client-node';
import { defer, from, switchMap } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { fetchListWatch, type FetchListWatchOptions, type KubeObject, type ListWatch, type ResourceRef } from '../index.ts';
import type { Shard } from '../shard/index.ts';
import { markValidated } from '../internal/index.ts';
import { kubeFetch } from './kube-fetch.ts';
import { resolveResource } from './resolve-resource.ts';

/**
 * Options of {@link kubeListWatch}.
 *
 * @example
 * ```ts
 * import type { KubeListWatchOptions } from 'rxkube/kube';
 * const options: KubeListWatchOptions = { namespace: 'default', labelSelector: 'app=web', metadataOnly: true };
 * ```
 */
export interface KubeListWatchOptions {
  /**
   * Restrict to one namespace. Must be absent for cluster-scoped resources resolved by name.
   *
   * @defaultValue all namespaces (or the `namespace` of a {@link ResourceRef})
   */
  namespace?: string;
  /**
   * Label selector, applied to every list and watch.
   *
   * @defaultValue none
   */
  labelSelector?: string;
  /**
   * Field selector, applied to every list and watch.
   *
   * @defaultValue none
   */
  fieldSelector?: string;
  /**
   * Watch only one shard of the collection (server-side where the API server supports it,
   * else filtered here); see {@link FetchListWatchOptions.shard}.
   *
   * @defaultValue the whole collection
   */
  shard?: Shard;
  /**
   * Fetch metadata only (`PartialObjectMetadata`); see {@link FetchListWatchOptions.metadataOnly}.
   *
   * @defaultValue `false`
   */
  metadataOnly?: boolean;
  /**
   * Build objects without `metadata.managedFields`; see {@link FetchListWatchOptions.omitManagedFields}.
   *
   * @defaultValue `false`
   */
  omitManagedFields?: boolean;
  /**
   * Longest watch event accepted, in bytes.
   *
   * @defaultValue `16 * 1024 * 1024`
   */
  maxLineBytes?: number;
  /**
   * Abort a request after this long without a byte; see {@link FetchListWatchOptions.stallTimeoutMs}.
   *
   * @defaultValue 90 s for a watch with bookmarks (the informer's), else its `timeoutSeconds` + 5 s; 295 s for lists
   */
  stallTimeoutMs?: number;
  /**
   * Scheduler of the stall timer.
   *
   * @defaultValue `asyncScheduler`
   */
  scheduler?: SchedulerLike;
}

/**
 * A {@link ListWatch} for a cluster from a kubeconfig: {@link fetchListWatch} over
 * {@link kubeFetch}, so authentication, TLS and proxies follow the kubeconfig's current context
 * exactly as `kubectl` would.
 *
 * `resource` is either a {@link ResourceRef} (no discovery request), or a name `kubectl` would
 * accept — `'pods'`, `'deploy'`, `'Deployment'`, `'deployments.apps'`, `'v1/pods'`,
 * `'widgets.example.com'` — resolved through {@link resolveResource} on the first subscription
 * (cached per kubeconfig and cluster). The cluster's server URL is read at that moment too.
 *
 * Emission contract: as {@link fetchListWatch}; in addition, a name that cannot be resolved
 * errors the first request with {@link ResourceNotFoundError} (or the discovery request's
 * `ApiError`), a resource without the `list` and `watch` verbs or a `namespace` given for a
 * cluster-scoped resource errors with a plain `Error`. Failed resolutions are retried by the next
 * subscription.
 *
 * @example
 * ```ts
 * import { KubeConfig } from '@kubernetes/client-node';
 * import { kubeListWatch } from 'rxkube/kube';
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const deployments = kubeListWatch(kc, 'deployments.apps', { namespace: 'default' });
 * deployments.list({ limit: 100 }).subscribe((page) => console.log(page.items.map((d) => d.metadata?.name)));
 * ```
 *
 * @param kubeConfig - a loaded kubeconfig; its current context selects cluster and user.
 * @param resource - the collection, as a {@link ResourceRef} or a name to resolve.
 * @param options - namespace, selectors and limits; see {@link KubeListWatchOptions}.
 * @returns the list and watch requests for the collection.
 */
export function kubeListWatch<T extends KubeObject = KubeObject>(
  kubeConfig: KubeConfig,
  resource: ResourceRef | string,
  options: KubeListWatchOptions = {},
): ListWatch<T> {
  let inner: Promise<ListWatch<T>> | undefined;
  // Once resolved, requests go to the inner source directly: no switchMap hop per event.
  let resolved: ListWatch<T> | undefined;
  const connect = (): Promise<ListWatch<T>> => {
    inner ??= build<T>(kubeConfig, resource, options).then(
      (lw) => (resolved = lw),
      (error: unknown) => {
        inner = undefined;
        throw error;
      },
    );
    return inner;
  };
  // The inner source is fetchListWatch, which validates every page and event.
  return markValidated<T, ListWatch<T>>({
    list: (listOptions) => defer(() => resolved?.list(listOptions) ?? from(connect()).pipe(switchMap((lw) => lw.list(listOptions)))),
    watch: (watchOptions) => defer(() => resolved?.watch(watchOptions) ?? from(connect()).pipe(switchMap((lw) => lw.watch(watchOptions)))),
  });
}

async function build<T extends KubeObject>(kubeConfig: KubeConfig, resource: ResourceRef | string, options: KubeListWatchOptions): Promise<ListWatch<T>> {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  let ref: ResourceRef;
  if (typeof resource === 'string') {
    const resolved = await resolveResource(kubeConfig, resource);
    const label = `${resolved.plural}${resolved.group === '' ? '' : `.${resolved.group}`}`;
    if (!resolved.verbs.includes('list') || !resolved.verbs.includes('watch')) {
      throw new Error(`${label} cannot be listed and watched (verbs: ${resolved.verbs.join(', ') || 'none'})`);
    }
    if (!resolved.namespaced && options.namespace !== undefined) {
      throw new Error(`${label} is cluster-scoped; remove the namespace option`);
    }
    ref = { group: resolved.group, version: resolved.version, plural: resolved.plural };
    if (options.namespace !== undefined) ref.namespace = options.namespace;
  } else {
    ref = { ...resource };
    if (options.namespace !== undefined) ref.namespace = options.namespace;
  }
  const transport: FetchListWatchOptions = { baseUrl: cluster.server, resource: ref, fetch: kubeFetch(kubeConfig) };
  if (options.labelSelector !== undefined) transport.labelSelector = options.labelSelector;
  if (options.fieldSelector !== undefined) transport.fieldSelector = options.fieldSelector;
  if (options.shard !== undefined) transport.shard = options.shard;
  if (options.metadataOnly !== undefined) transport.metadataOnly = options.metadataOnly;
  if (options.maxLineBytes !== undefined) transport.maxLineBytes = options.maxLineBytes;
  if (options.omitManagedFields !== undefined) transport.omitManagedFields = options.omitManagedFields;
  if (options.stallTimeoutMs !== undefined) transport.stallTimeoutMs = options.stallTimeoutMs;
  if (options.scheduler !== undefined) transport.scheduler = options.scheduler;
  return fetchListWatch<T>(transport);
}
