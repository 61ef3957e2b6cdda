import { asyncScheduler, Observable } from 'rxjs';
import type { SchedulerLike, Subscriber, Subscription, TeardownLogic } from 'rxjs';
import { WatchStalledError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListOptions, ListWatch, ObjectList, WatchEvent, WatchOptions } from '../model/wire.ts';
import { apiErrorFromResponse } from './api-error-from-response.ts';
import { decodeWatchEvent } from './decode-watch-event.ts';
import { ListBodyDecoder } from './list-body-decoder.ts';
import { NdjsonDecoder, type NdjsonOptions } from './ndjson.ts';
import { openBody } from './response-body.ts';
import { shardMembership, shardSelector, type Shard } from './shard.ts';
import { markValidated } from './validated-sources.ts';
import type { BodyReader, FetchResponse } from './response-body.ts';

/**
 * Which collection to list and watch: an API group, version and resource (plural), optionally in
 * one namespace.
 *
 * @example
 * ```ts
 * import type { ResourceRef } from 'rxkube';
 * const pods: ResourceRef = { version: 'v1', plural: 'pods', namespace: 'default' };
 * const deployments: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments' };
 * ```
 */
export interface ResourceRef {
  /**
   * The API group; `''` or absent for the core group (`/api/v1/…`).
   *
   * @defaultValue `''` (core)
   */
  group?: string;
  /** The version within the group, e.g. `v1`. */
  version: string;
  /** The resource's plural name, e.g. `pods`. */
  plural: string;
  /**
   * Restrict to one namespace; absent means all namespaces (or a cluster-scoped resource).
   *
   * @defaultValue all namespaces
   */
  namespace?: string;
}

/**
 * The part of `fetch` that {@link fetchListWatch} uses: a GET with headers and an abort signal,
 * answered by a {@link FetchResponse} whose body streams (and, for `fetchLeaseClient`, a `POST` or
 * `PUT` with a JSON body). `globalThis.fetch` satisfies it.
 *
 * @example
 * ```ts
 * import type { FetchFunction } from 'rxkube';
 * const logged: FetchFunction = (url, init) => {
 *   console.log('GET', url);
 *   return fetch(url, init);
 * };
 * ```
 */
export type FetchFunction = (url: string, init: FetchInit) => Promise<FetchResponse>;

/**
 * The request options {@link fetchListWatch} passes to its {@link FetchFunction}.
 *
 * @example
 * ```ts
 * import type { FetchInit } from 'rxkube';
 * const init: FetchInit = { method: 'GET', headers: new Headers({ Accept: 'application/json' }), signal: new AbortController().signal };
 * ```
 */
export interface FetchInit {
  /** `GET` for list and watch (both reads of the collection); `POST` and `PUT` with a JSON `body`, and `DELETE` with JSON `DeleteOptions`, for `fetchLeaseClient`'s writes. */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The caller's headers plus `Accept`. */
  headers: Headers;
  /** Aborted when the subscriber unsubscribes, the stream is rejected, or it stalls. */
  signal: AbortSignal;
  /** The request body (JSON text) of a `POST`, `PUT` or `DELETE`; absent on a `GET`. */
  body?: string;
}

/**
 * Options of {@link fetchListWatch}.
 *
 * @example
 * ```ts
 * import type { FetchListWatchOptions } from 'rxkube';
 * const options: FetchListWatchOptions = {
 *   baseUrl: 'http://127.0.0.1:8001',
 *   resource: { group: 'apps', version: 'v1', plural: 'deployments' },
 *   labelSelector: 'app=web',
 * };
 * ```
 */
export interface FetchListWatchOptions {
  /**
   * The API server's URL, with any path prefix a proxy adds (`https://rancher.example/k8s/clusters/c-1`).
   * May be relative (`''`, `/k8s`) in a browser talking to a same-origin proxy. A trailing slash is
   * ignored.
   */
  baseUrl: string;
  /**
   * The collection: a {@link ResourceRef}, or an absolute collection path such as
   * `/api/v1/namespaces/default/pods` (no query string).
   */
  resource: ResourceRef | string;
  /**
   * Label selector, sent on every list **and** watch request.
   *
   * @defaultValue none
   */
  labelSelector?: string;
  /**
   * Field selector, sent on every list **and** watch request.
   *
   * @defaultValue none
   */
  fieldSelector?: string;
  /**
   * Watch only one shard of the collection: the objects whose 64-bit FNV-1a hash of
   * `metadata.uid` or `metadata.namespace` falls in the shard's ranges (see {@link Shard},
   * {@link shard.equalShards}). The selector is sent as `shardSelector` on every list and watch
   * request (Kubernetes sharded list and watch, KEP-5866: kube-apiserver 1.36+ with the
   * `ShardedListAndWatch` feature gate). A list page whose `metadata.shardInfo.selector` echoes it
   * was filtered by the server and is taken as is; otherwise (an older server, or the gate off:
   * the parameter is ignored) the items are filtered here with the same hash, so the result is
   * the same either way. {@link ObjectList.shardFilter} tells which happened. Watch events
   * (`ADDED`, `MODIFIED`, `DELETED`) are always checked here too — a watch response carries no
   * echo, and an object's shard never changes, so the check drops nothing a gated server sent.
   *
   * @defaultValue the whole collection
   */
  shard?: Shard;
  /**
   * Extra request headers (e.g. `Authorization`), or a function called before every request that
   * returns them, so that rotated tokens are picked up. `Accept` is always set by rxkube. Header
   * values never appear in errors.
   *
   * @defaultValue none
   */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /**
   * The `fetch` to use.
   *
   * @defaultValue `globalThis.fetch`, looked up at request time
   */
  fetch?: FetchFunction;
  /**
   * Ask for `PartialObjectMetadata` (metadata only) instead of full objects, falling back to full
   * objects on servers or resources that cannot. Cuts memory for informers that only need names,
   * labels and owners.
   *
   * @defaultValue `false`
   */
  metadataOnly?: boolean;
  /**
   * Build every object without `metadata.managedFields` (server-side apply bookkeeping: often a
   * third of an object's bytes, and read by almost no informer). The member is cut out of the
   * text before `JSON.parse`, so it is never materialised: the store holds about a third less and
   * nothing pays for a `delete` (which would turn every object into a slow dictionary-mode object).
   * Every other field is exactly as the server sent it. Leave it off to read managedFields.
   *
   * @defaultValue `false`
   */
  omitManagedFields?: boolean;
  /**
   * Longest watch event accepted, in bytes; see {@link NdjsonOptions.maxLineBytes}.
   *
   * @defaultValue `16 * 1024 * 1024`
   */
  maxLineBytes?: number;
  /**
   * How long a request may go without receiving a byte (waiting for the response headers, or
   * between body chunks) before it is aborted with {@link WatchStalledError}: how soon a dead
   * connection (a peer gone without FIN or RST, a NAT or load balancer that dropped the flow) is
   * noticed. `0` or `Infinity` disables the check.
   *
   * The default never aborts a healthy request:
   * - a watch with `allowWatchBookmarks` (what the informer sends): 90 s, but not before the
   *   watch is 150 s old (or `timeoutSeconds` + 5 s if shorter). kube-apiserver's watch cache
   *   sends such a watcher a bookmark every minute even when nothing changes, once it has
   *   learnt of a resourceVersion newer than the watch's start: on a quiet collection in a quiet
   *   cluster the first one came 60 or 120 s after the watch opened (kube-apiserver v1.36.3,
   *   measured by `test/apiserver/bookmark-probe.ts`), the next ones 60 s apart. So a connection
   *   that dies is noticed at most 90 s later, or 150 s after its watch opened (client-go
   *   notices in about 45 s with HTTP/2 pings, which `fetch` cannot send);
   * - any other watch: `timeoutSeconds` + 5 s (by then the server must have ended the stream, as
   *   kube-rs reasons), or 3,605 s without `timeoutSeconds` (the server picks at most 2 × its
   *   default 1,800 s `minRequestTimeout`);
   * - a list: 295 s (kube-rs's read timeout).
   *
   * Servers that do not send periodic bookmarks (a resource with the watch cache disabled,
   * `--watch-cache=false`, some aggregated APIs) leave a quiet watch silent: there the 90 s
   * default re-opens it every 90 s (one cheap request, no relist, no backoff); raise the limit
   * if that matters.
   *
   * @defaultValue see above
   */
  stallTimeoutMs?: number;
  /**
   * Scheduler of the stall timer; pass a `TestScheduler` or virtual-time scheduler in tests.
   *
   * @defaultValue `asyncScheduler`
   */
  scheduler?: SchedulerLike;
}

const LIST_STALL_MS = 295_000;
/** A bookmark comes every 60 s; 30 s more absorbs jitter and a busy server. */
const BOOKMARK_STALL_MS = 90_000;
/** The first bookmark of a quiet watch may take two bookmark periods (measured: up to 122 s). */
const FIRST_BOOKMARK_MS = 150_000;
const WATCH_GRACE_MS = 5_000;
const WATCH_NO_TIMEOUT_STALL_MS = 3_605_000;
/** setTimeout's limit; longer stall limits are checked in several steps. */
const MAX_TIMER_MS = 2_147_483_647;

const ACCEPT_JSON = 'application/json';
const EVENT_MANAGED_FIELDS = ['object', 'metadata', 'managedFields'];
const ITEM_MANAGED_FIELDS = ['metadata', 'managedFields'];
const ACCEPT_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const ACCEPT_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/**
 * A {@link ListWatch} over HTTP with WHATWG `fetch` and streams: works in browsers, Node.js, Deno
 * and Bun. Authentication is whatever `headers` and `fetch` supply (a bearer token, a same-origin
 * proxy, cookies); for kubeconfig files use `kubeListWatch` from `rxkube/kube`.
 *
 * Requests, as client-go sends them (`GET`, parameters sorted by name, absent ones omitted):
 *
 * ```
 * list   /api/v1/namespaces/NS/pods?continue=…&fieldSelector=…&labelSelector=…&limit=…&resourceVersion=…&resourceVersionMatch=…
 * watch  /apis/G/V/PLURAL?allowWatchBookmarks=true&fieldSelector=…&labelSelector=…&resourceVersion=…&resourceVersionMatch=…&sendInitialEvents=…&shardSelector=…&timeoutSeconds=…&watch=true
 * ```
 *
 * (`shardSelector`, with the `shard` option, goes on lists too.)
 *
 * Emission contract (both observables are cold; one subscription is one request):
 * - `list(options)` emits one validated {@link ObjectList} page and completes; the body is decoded
 *   item by item as it arrives ({@link ListBodyDecoder}), never held as one string, so a list of
 *   any size (a `resourceVersion=0` list answered from the watch cache in one response) decodes;
 * - `watch(options)` emits each {@link WatchEvent} as it arrives — including `ERROR` events, which
 *   the list/watch loop interprets — and completes when the server ends the body normally;
 * - a non-2xx answer errors with {@link ApiError} (the server's Status, `retryAfterSeconds` from
 *   `Retry-After` or the Status details);
 * - a body rxkube cannot interpret errors with {@link WatchStreamError} (`MalformedJson`,
 *   `LineTooLong`, `UnknownEventType`, `InvalidEvent`, `Truncated`);
 * - no byte for `stallTimeoutMs` errors with {@link WatchStalledError};
 * - a network failure errors with the `fetch` implementation's own error, unchanged (the cause
 *   chain intact);
 * - unsubscribing, and every error, aborts the request and cancels the body: no connection is
 *   left open.
 *
 * There is no timeout other than the stall check: a watch lives as long as the server keeps it.
 * There are no retries: retrying is the list/watch loop's job.
 *
 * @example
 * ```ts
 * import { fetchListWatch } from 'rxkube';
 * const pods = fetchListWatch({
 *   baseUrl: 'https://kube.example:6443',
 *   resource: { version: 'v1', plural: 'pods', namespace: 'default' },
 *   labelSelector: 'app=web',
 *   headers: () => ({ Authorization: `Bearer ${localStorage.getItem('token')}` }),
 * });
 * pods.list({ limit: 500 }).subscribe((page) => console.log(page.items.length, page.metadata.resourceVersion));
 * pods.watch({ resourceVersion: '48213', allowWatchBookmarks: true, timeoutSeconds: 300 }).subscribe(console.log);
 * ```
 *
 * @param options - where and how to connect; see {@link FetchListWatchOptions}.
 * @returns the list and watch requests for the collection.
 * @throws TypeError synchronously for an unusable `resource`.
 */
export function fetchListWatch<T extends KubeObject = KubeObject>(options: FetchListWatchOptions): ListWatch<T> {
  const collection = options.baseUrl.replace(/\/+$/, '') + collectionPath(options.resource);
  const selectors: Record<string, string | undefined> = {
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  };
  const sharding = options.shard === undefined ? undefined : shardFiltering(options.shard);
  if (sharding !== undefined) selectors['shardSelector'] = sharding.selector;
  const decoderOptions: NdjsonOptions = {};
  if (options.maxLineBytes !== undefined) decoderOptions.maxLineBytes = options.maxLineBytes;
  if (options.omitManagedFields) decoderOptions.omitMember = EVENT_MANAGED_FIELDS;
  const listDecoderOptions = options.omitManagedFields ? { omitMember: ITEM_MANAGED_FIELDS } : {};
  return markValidated<T, ListWatch<T>>({
    list: (listOptions: ListOptions) =>
      new Observable<ObjectList<T>>((subscriber) => {
        const query = {
          ...selectors,
          continue: listOptions.continue,
          limit: listOptions.limit ? String(listOptions.limit) : undefined,
          resourceVersion: listOptions.resourceVersion,
          resourceVersionMatch: listOptions.resourceVersionMatch,
        };
        const accept = options.metadataOnly ? ACCEPT_METADATA_LIST : ACCEPT_JSON;
        return exchange(subscriber, options, collection + queryString(query), accept, { limitMs: options.stallTimeoutMs ?? LIST_STALL_MS, graceMs: 0 }, async (reader, touch) => {
          // Item by item as the bytes arrive: a list body is never one string, so any size decodes.
          const decoder = new ListBodyDecoder<T>(listDecoderOptions);
          await reader.forEach((chunk) => {
            touch();
            if (!subscriber.closed) decoder.write(chunk);
          });
          touch();
          if (subscriber.closed) return;
          const page = decoder.end();
          subscriber.next(sharding === undefined ? page : sharding.page(page));
        });
      }),
    watch: (watchOptions: WatchOptions) =>
      new Observable<WatchEvent<T>>((subscriber) => {
        const query = {
          ...selectors,
          allowWatchBookmarks: watchOptions.allowWatchBookmarks ? 'true' : undefined,
          resourceVersion: watchOptions.resourceVersion,
          resourceVersionMatch: watchOptions.resourceVersionMatch,
          sendInitialEvents: watchOptions.sendInitialEvents === undefined ? undefined : String(watchOptions.sendInitialEvents),
          timeoutSeconds: watchOptions.timeoutSeconds === undefined ? undefined : String(watchOptions.timeoutSeconds),
          watch: 'true',
        };
        const stall = options.stallTimeoutMs === undefined ? defaultWatchStall(watchOptions) : { limitMs: options.stallTimeoutMs, graceMs: 0 };
        const accept = options.metadataOnly ? ACCEPT_METADATA : ACCEPT_JSON;
        return exchange(subscriber, options, collection + queryString(query), accept, stall, async (reader, touch) => {
          const decoder = new NdjsonDecoder(decoderOptions);
          const emit =
            sharding === undefined
              ? (value: unknown): void => {
                  if (!subscriber.closed) subscriber.next(decodeWatchEvent<T>(value));
                }
              : (value: unknown): void => {
                  if (subscriber.closed) return;
                  const event = decodeWatchEvent<T>(value);
                  if (sharding.keeps(event)) subscriber.next(event);
                };
          await reader.forEach((chunk) => {
            touch();
            if (!subscriber.closed) decoder.write(chunk, emit);
          });
          touch();
          if (subscriber.closed) return;
          decoder.end();
        });
      }),
  });
}

/** The shard's selector text, and the client-side filter for pages and watch events. */
interface ShardFiltering {
  readonly selector: string;
  page<T extends KubeObject>(page: ObjectList<T>): ObjectList<T>;
  keeps(event: WatchEvent): boolean;
}

function shardFiltering(shard: Shard): ShardFiltering {
  const selector = shardSelector(shard);
  const member = shardMembership(shard);
  return {
    selector,
    page: (page) => {
      if (page.metadata.shardInfo?.selector === selector) {
        page.shardFilter = 'server';
        return page;
      }
      page.items = page.items.filter(member);
      page.shardFilter = 'client';
      return page;
    },
    keeps: (event) => event.type === 'BOOKMARK' || event.type === 'ERROR' || member(event.object),
  };
}

/** How long a request may be silent (`limitMs`), and how old it must be before that counts (`graceMs`). */
interface StallLimit {
  readonly limitMs: number;
  readonly graceMs: number;
}

/** The default stall limit of a watch; see {@link FetchListWatchOptions.stallTimeoutMs}. */
function defaultWatchStall(watchOptions: WatchOptions): StallLimit {
  const timeout = watchOptions.timeoutSeconds;
  const bounded = timeout !== undefined && timeout > 0 ? timeout * 1000 + WATCH_GRACE_MS : WATCH_NO_TIMEOUT_STALL_MS;
  if (watchOptions.allowWatchBookmarks !== true || bounded <= BOOKMARK_STALL_MS) return { limitMs: bounded, graceMs: 0 };
  return { limitMs: BOOKMARK_STALL_MS, graceMs: Math.min(bounded, FIRST_BOOKMARK_MS) };
}

/**
 * The collection path of a resource: `/api/v1[/namespaces/NS]/PLURAL` for the core group,
 * `/apis/G/V[/namespaces/NS]/PLURAL` otherwise.
 *
 * @internal
 */
export function collectionPath(resource: ResourceRef | string): string {
  if (typeof resource === 'string') {
    if (!resource.startsWith('/') || /[?#]/.test(resource)) {
      throw new TypeError(`resource path must be absolute and without a query string, got ${JSON.stringify(resource)}`);
    }
    return resource.replace(/\/+$/, '');
  }
  const { group, version, plural, namespace } = resource;
  if (!version || !plural) throw new TypeError('resource needs a version and a plural');
  const root = group ? `/apis/${segment(group)}/${segment(version)}` : `/api/${segment(version)}`;
  const scope = namespace ? `/namespaces/${segment(namespace)}` : '';
  return `${root}${scope}/${segment(plural)}`;
}

/**
 * Query string as Go's `url.Values.Encode` writes it: keys sorted, absent or empty values omitted,
 * `url.QueryEscape` escaping (space as `+`).
 *
 * @internal
 */
export function queryString(params: Record<string, string | undefined>): string {
  const parts: string[] = [];
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (value === undefined || value === '') continue;
    parts.push(`${queryEscape(key)}=${queryEscape(value)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function queryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

/**
 * Runs one GET for `subscriber`: resolves headers, fetches, turns a non-2xx answer into an
 * ApiError, hands the body to `consume`, then completes. Owns the abort controller, the stall
 * timer and the reader, and tears all three down exactly once.
 */
function exchange<V>(
  subscriber: Subscriber<V>,
  options: FetchListWatchOptions,
  url: string,
  accept: string,
  stallLimit: StallLimit,
  consume: (reader: BodyReader, touch: () => void) => Promise<void>,
): TeardownLogic {
  const controller = new AbortController();
  let reader: BodyReader | undefined;
  const stall = watchdog(options.scheduler ?? asyncScheduler, stallLimit, (idleMs) => {
    const error = new WatchStalledError(idleMs);
    subscriber.error(error);
  });
  const run = async (): Promise<void> => {
    const headers = new Headers(typeof options.headers === 'function' ? await options.headers() : options.headers);
    headers.set('Accept', accept);
    if (subscriber.closed) return;
    const fetchFn = options.fetch ?? ((input: string, init: FetchInit) => globalThis.fetch(input, init));
    const response = await fetchFn(url, { method: 'GET', headers, signal: controller.signal });
    if (subscriber.closed) {
      openBody(response.body).cancel();
      return;
    }
    stall.touch();
    if (!response.ok) throw await apiErrorFromResponse(response);
    reader = openBody(response.body);
    await consume(reader, stall.touch);
    subscriber.complete();
  };
  run().catch((error: unknown) => subscriber.error(error));
  return () => {
    stall.stop();
    controller.abort();
    reader?.cancel();
  };
}

interface Watchdog {
  touch(): void;
  stop(): void;
}

/**
 * Calls `onStall` once `limitMs` pass without `touch()`, but not before `graceMs` since the start.
 * Touching only records the time; the timer is rescheduled when it fires early, so a busy stream
 * costs no timer churn.
 */
function watchdog(scheduler: SchedulerLike, { limitMs, graceMs }: StallLimit, onStall: (idleMs: number) => void): Watchdog {
  if (!(limitMs > 0) || !Number.isFinite(limitMs)) return { touch: () => undefined, stop: () => undefined };
  const started = scheduler.now();
  let last = started;
  let timer: Subscription;
  const check = (): void => {
    const now = scheduler.now();
    const idle = now - last;
    const wait = Math.max(limitMs - idle, graceMs - (now - started));
    if (wait <= 0) onStall(idle);
    else timer = scheduler.schedule(check, Math.min(wait, MAX_TIMER_MS));
  };
  timer = scheduler.schedule(check, Math.min(Math.max(limitMs, graceMs), MAX_TIMER_MS));
  return {
    touch: () => {
      last = scheduler.now();
    },
    stop: () => timer.unsubscribe(),
  };
}
