import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { ApiError, type KubeObject } from '../index.ts';
import { RevisionClock } from './clock.ts';
import { handleCrud, requireNamespace } from './crud-handler.ts';
import { handleDiscovery, type ServerVersion } from './discovery.ts';
import { createFaults, type SimulatedFaults } from './faults.ts';
import { sendJson, sendStatus } from './http-util.ts';
import { handleList } from './list-handler.ts';
import { createObject, deleteObject, patchObject, updateObject } from './mutations.ts';
import { applyRecordedEvent, restoreState } from './recorded-mutations.ts';
import { recordRequest, type RecordedRequest } from './request-log.ts';
import { parseListWatchQuery } from './request-options.ts';
import { builtInResources, objectKey, qualifiedResource, type ResourceDef } from './resource-def.ts';
import { ResourceStore } from './resource-store.ts';
import { routeResource, verbOf } from './router.ts';
import type { RequestInfo, RoutedRequest, ServerState } from './server-state.ts';
import { internalError, pathNotFound, StatusResponse, unauthorized } from './status.ts';
import { handleWatch } from './watch-handler.ts';

/**
 * Options of {@link createSimulatedApiServer}.
 *
 * @example
 * ```ts
 * import type { SimulatedApiServerOptions } from 'rxkube/testing';
 * const fast: SimulatedApiServerOptions = { historySize: 100, bookmarkIntervalMs: 200, tooLargeResourceVersionWaitMs: 50 };
 * ```
 */
export interface SimulatedApiServerOptions {
  /**
   * Interface to listen on. Keep it on loopback.
   * @defaultValue `'127.0.0.1'`
   */
  readonly host?: string;
  /**
   * Port; 0 picks a free one.
   * @defaultValue 0
   */
  readonly port?: number;
  /**
   * Events each resource's history keeps (the watch cache window). Older ones are compacted away.
   * @defaultValue 1000
   */
  readonly historySize?: number;
  /**
   * Interval of BOOKMARK events on watches with `allowWatchBookmarks=true` (the real server: ~1 min).
   * @defaultValue 60000
   */
  readonly bookmarkIntervalMs?: number;
  /**
   * How long a request for a resourceVersion newer than the current one waits before 504.
   * @defaultValue 3000 (the real watch cache's block timeout)
   */
  readonly tooLargeResourceVersionWaitMs?: number;
  /**
   * Watches without `timeoutSeconds` end after a random time in [this, 2×this] seconds.
   * @defaultValue 1800
   */
  readonly minRequestTimeoutSeconds?: number;
  /**
   * Whether streaming lists (`sendInitialEvents`) are supported; `false` rejects them with 422
   * like a server without the WatchList feature.
   * @defaultValue true
   */
  readonly streamingList?: boolean;
  /**
   * The `ShardedListAndWatch` feature gate (KEP-5866, alpha in 1.36, off by default there): when
   * on, list and watch honour the `shardSelector` parameter (`shardRange(object.metadata.uid, …)`,
   * 64-bit FNV-1a of the field) and a list echoes the applied selector in
   * `metadata.shardInfo.selector`; an unparsable selector answers 500 like kube-apiserver 1.36.3.
   * When off, the parameter is ignored and everything is sent, as by a server without the gate.
   * @defaultValue false (as kube-apiserver 1.36)
   */
  readonly shardedListAndWatch?: boolean;
  /**
   * Whether lists answered "from the watch cache" (RV "0", NotOlderThan) honour `limit`. The
   * classic watch cache ignores it and returns everything in one page.
   * @defaultValue false
   */
  readonly paginateCachedLists?: boolean;
  /**
   * A bearer token every resource and discovery request must carry (else 401). Health and
   * `/version` stay open.
   * @defaultValue no authentication
   */
  readonly token?: string;
  /**
   * Send periodic bookmarks on a watch whose resource did not change since the watch started
   * (a keep-alive for stall detection in tests). kube-apiserver sends a bookmark only when the
   * resource's resourceVersion moved past the watch's starting one; `false` does the same.
   * @defaultValue true
   */
  readonly quietBookmarks?: boolean;
  /**
   * Refuse to create namespaced objects in a namespace that does not exist (404
   * `namespaces "x" not found`), like kube-apiserver's NamespaceLifecycle admission, and start
   * with the namespaces a new cluster has (`default`, `kube-system`, `kube-public`,
   * `kube-node-lease`).
   * @defaultValue false
   */
  readonly requireNamespaces?: boolean;
  /**
   * Resources served as if kube-apiserver's watch cache were disabled for them
   * (`--watch-cache-sizes=configmaps#0`): lists at resourceVersion "0" honour `limit`, and a watch
   * from a compacted revision gets etcd's 410 message.
   * @defaultValue `[]`
   */
  readonly uncachedResources?: readonly string[];
  /**
   * The clock of each watch's periodic bookmarks and of its `timeoutSeconds`: pass a
   * `VirtualTimeScheduler` (or `TestScheduler`) to drive them from a test, e.g. to check that a
   * quiet watch with a bookmark every minute is never taken for a dead connection.
   * @defaultValue `asyncScheduler` (real time)
   */
  readonly scheduler?: SchedulerLike;
  /**
   * Serve the built-in resources ({@link builtInResources}).
   * @defaultValue true
   */
  readonly builtIns?: boolean;
  /**
   * More resources to serve from the start.
   * @defaultValue `[]`
   */
  readonly resources?: readonly ResourceDef[];
  /**
   * The revision the counter starts at.
   * @defaultValue 1
   */
  readonly initialResourceVersion?: number;
  /**
   * What `/version` reports.
   * @defaultValue `{ major: '1', minor: '36', gitVersion: 'v1.36.3-rxkube-sim' }`
   */
  readonly version?: ServerVersion;
}

/**
 * A running simulated API server. Code-side methods take a resource (`'pods'`,
 * `'deployments.apps'`, a plural, short name or kind) and, where needed, a store key
 * (`namespace/name`, or `name` for cluster-scoped objects). They throw {@link ApiError} with the
 * same Status the HTTP API would answer.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer } from 'rxkube/testing';
 * const server = await createSimulatedApiServer();
 * server.create('pods', { metadata: { name: 'web-0', namespace: 'default' }, spec: {} });
 * const res = await fetch(`${server.url}/api/v1/namespaces/default/pods`);
 * (await res.json()).items.length; // 1
 * await server.close();
 * ```
 */
export interface SimulatedApiServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The current global resourceVersion. */
  readonly resourceVersion: string;
  /** Every request received so far, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Fault injection. */
  readonly faults: SimulatedFaults;
  /** How many watch responses are open. */
  readonly openWatches: number;
  /** Serves one more resource (a custom resource, say). Throws if it is already served. */
  register(def: ResourceDef): void;
  /** Creates an object (namespace from its metadata, default `default`); returns the stored object. */
  create<T extends KubeObject>(resource: string, obj: T): T;
  /** Replaces an object; a `metadata.resourceVersion` is a precondition. */
  update<T extends KubeObject>(resource: string, obj: T): T;
  /** Applies a JSON merge patch to the object under `key`. */
  patch(resource: string, key: string, patch: unknown): KubeObject;
  /** Deletes the object under `key`; returns its last state. */
  delete(resource: string, key: string): KubeObject;
  /** The object under `key`, if any. */
  get(resource: string, key: string): KubeObject | undefined;
  /**
   * Sets a resource's state to exactly `items` at revision `resourceVersion` (an integer ahead of
   * the server's), keeping each object's own resourceVersion — a recorded list. The differences
   * are committed at that revision and the history before it is compacted. Used by
   * {@link replayInto}.
   */
  restore(resource: string, items: readonly KubeObject[], resourceVersion: string): void;
  /**
   * Commits a recorded watch event at the object's own resourceVersion (an integer ahead of the
   * server's). Used by {@link replayInto}.
   */
  applyRecorded(resource: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void;
  /** The exact current state of a resource (optionally one namespace), sorted by key. */
  list(resource: string, namespace?: string): {
    /** The current global resourceVersion. */
    resourceVersion: string;
    /** The objects, sorted by key. */
    items: KubeObject[];
  };
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Stops listening and destroys every open connection, watches included. */
  close(): Promise<void>;
}

function splitKey(def: ResourceDef, key: string): { namespace: string | undefined; name: string } {
  if (!def.namespaced) return { namespace: undefined, name: key };
  const i = key.indexOf('/');
  return i < 0 ? { namespace: 'default', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

function asApiError(e: unknown): unknown {
  return e instanceof StatusResponse ? ApiError.fromStatus(e.status) : e;
}

/**
 * Starts a protocol-faithful simulated kube-apiserver on loopback: list (paging, continue tokens,
 * every resourceVersion/resourceVersionMatch combination), watch (replay from a bounded history,
 * 410 as an ERROR event, bookmarks, streaming lists, selectors, metadata-only), CRUD, discovery
 * good enough for `kubectl`, request recording and fault injection.
 *
 * Resolves once listening. Nothing is shared between servers.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer } from 'rxkube/testing';
 * const server = await createSimulatedApiServer({ bookmarkIntervalMs: 100 });
 * const res = await fetch(`${server.url}/api/v1/pods?watch=true&allowWatchBookmarks=true`);
 * await server.close();
 * ```
 *
 * @param options - tunables; see {@link SimulatedApiServerOptions}.
 * @returns the running server.
 */
export async function createSimulatedApiServer(options: SimulatedApiServerOptions = {}): Promise<SimulatedApiServer> {
  const start = options.initialResourceVersion ?? 1;
  const state: ServerState = {
    clock: new RevisionClock(start),
    stores: new Map(),
    options: {
      historySize: options.historySize ?? 1000,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      tooLargeResourceVersionWaitMs: options.tooLargeResourceVersionWaitMs ?? 3000,
      minRequestTimeoutSeconds: options.minRequestTimeoutSeconds ?? 1800,
      streamingList: options.streamingList ?? true,
      shardedListAndWatch: options.shardedListAndWatch ?? false,
      paginateCachedLists: options.paginateCachedLists ?? false,
      token: options.token,
      quietBookmarks: options.quietBookmarks ?? true,
      requireNamespaces: options.requireNamespaces ?? false,
      uncachedResources: new Set(options.uncachedResources ?? []),
      scheduler: options.scheduler ?? asyncScheduler,
    },
    watches: new Set(),
    failures: [],
    address: '',
  };
  const version = options.version ?? { major: '1', minor: '36', gitVersion: 'v1.36.3-rxkube-sim' };
  const requests: RecordedRequest[] = [];

  const register = (def: ResourceDef): void => {
    const id = qualifiedResource(def);
    if (state.stores.has(id)) throw new Error(`resource ${id} is already served`);
    state.stores.set(id, new ResourceStore(def, state.options.historySize, state.clock.current));
  };
  for (const d of options.builtIns === false ? [] : builtInResources) register(d);
  for (const d of options.resources ?? []) register(d);
  const namespaces = state.stores.get('namespaces');
  if (state.options.requireNamespaces && namespaces !== undefined) {
    for (const name of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
      createObject(namespaces, state.clock, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }, undefined);
    }
  }

  const resolve = (resource: string): ResourceStore => {
    const exact = state.stores.get(resource);
    if (exact !== undefined) return exact;
    const r = resource.toLowerCase();
    const found = [...state.stores.values()].filter((s) => s.def.plural === r || s.def.kind.toLowerCase() === r || (s.def.shortNames ?? []).includes(r) || s.def.singular === r);
    if (found.length !== 1) throw new Error(found.length === 0 ? `unknown resource ${resource}` : `ambiguous resource ${resource}`);
    return found[0]!;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const route = routeResource(url.pathname, state.stores);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' || route?.watchPrefix === true;
    const info: RequestInfo = {
      method,
      path: url.pathname,
      query: url.searchParams,
      verb: route === undefined ? 'other' : verbOf(method, route.name !== undefined, watch),
      resource: route === undefined ? undefined : qualifiedResource(route.store.def),
      namespace: route?.namespace,
    };
    requests.push(recordRequest(method, url.pathname, url.searchParams, req.headers, info.verb, info.resource));

    const open = ['/healthz', '/readyz', '/livez', '/version'].includes(url.pathname.replace(/\/+$/, ''));
    if (state.options.token !== undefined && !open && req.headers.authorization !== `Bearer ${state.options.token}`) {
      sendStatus(res, unauthorized());
      return;
    }
    const failure = state.failures.find((f) => f.remaining > 0 && f.match(info));
    if (failure !== undefined) {
      failure.remaining--;
      if (failure.remaining === 0) state.failures.splice(state.failures.indexOf(failure), 1);
      sendStatus(res, failure.status, failure.headers);
      return;
    }
    if (route === undefined) {
      if (!handleDiscovery(state, url.pathname, res, version)) sendStatus(res, pathNotFound());
      return;
    }
    if (route.subresource !== undefined && route.subresource !== 'status') {
      sendStatus(res, pathNotFound());
      return;
    }
    const routed: RoutedRequest = { req, res, info, store: route.store, name: route.name };
    if (method === 'GET' && route.name === undefined) {
      if (watch) url.searchParams.set('watch', 'true');
      const q = parseListWatchQuery(url.searchParams, route.store.def, state.options.streamingList, state.options.shardedListAndWatch);
      await (q.watch ? handleWatch(state, routed, q) : handleList(state, routed, q));
      return;
    }
    await handleCrud(state, routed);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof StatusResponse) sendStatus(res, e.status, { ...e.headers });
      else sendJson(res, 500, internalError(e instanceof Error ? e.message : String(e)));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  state.address = `${host}:${addr.port}`;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${state.address}`,
    get resourceVersion() {
      return String(state.clock.current);
    },
    requests,
    faults: createFaults(state),
    get openWatches() {
      return state.watches.size;
    },
    register,
    create<T extends KubeObject>(resource: string, obj: T): T {
      const store = resolve(resource);
      try {
        const namespace = store.def.namespaced ? obj.metadata?.namespace ?? 'default' : undefined;
        requireNamespace(state, namespace);
        return createObject(store, state.clock, obj, namespace) as T;
      } catch (e) {
        throw asApiError(e);
      }
    },
    update<T extends KubeObject>(resource: string, obj: T): T {
      const store = resolve(resource);
      try {
        return updateObject(store, state.clock, obj, store.def.namespaced ? obj.metadata?.namespace ?? 'default' : undefined, obj.metadata?.name) as T;
      } catch (e) {
        throw asApiError(e);
      }
    },
    patch(resource, key, patch) {
      const store = resolve(resource);
      const { namespace, name } = splitKey(store.def, key);
      try {
        return patchObject(store, state.clock, patch, namespace, name);
      } catch (e) {
        throw asApiError(e);
      }
    },
    delete(resource, key) {
      const store = resolve(resource);
      const { namespace, name } = splitKey(store.def, key);
      try {
        return deleteObject(store, state.clock, namespace, name);
      } catch (e) {
        throw asApiError(e);
      }
    },
    get(resource, key) {
      const store = resolve(resource);
      const { namespace, name } = splitKey(store.def, key);
      return store.get(objectKey(store.def, namespace, name));
    },
    restore(resource, items, resourceVersion) {
      try {
        restoreState(resolve(resource), state.clock, items, resourceVersion);
      } catch (e) {
        throw asApiError(e);
      }
    },
    applyRecorded(resource, type, obj) {
      try {
        applyRecordedEvent(resolve(resource), state.clock, type, obj);
      } catch (e) {
        throw asApiError(e);
      }
    },
    list(resource, namespace) {
      const store = resolve(resource);
      const keys = store.sortedKeys().filter((k) => namespace === undefined || k.startsWith(`${namespace}/`));
      return { resourceVersion: String(state.clock.current), items: keys.map((k) => store.get(k)!) };
    },
    clearRequests() {
      requests.length = 0;
    },
    close() {
      closing ??= new Promise<void>((done) => {
        for (const w of [...state.watches]) w.destroy();
        state.clock.cancelAll();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
