/**
 * The conformance driver: what a scenario may do to a server, written once and implemented for
 * the real kube-apiserver (drivers/real.ts) and the simulated one (drivers/simulated.ts).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatch } from '../../src/model/wire.ts';
import type { FetchFunction, FetchInit, ResourceRef } from '../../src/sources/fetch-list-watch.ts';
import type { FetchResponse } from '../../src/sources/response-body.ts';
import { openBody } from '../../src/sources/response-body.ts';

/** A collection's group/version/plural (the namespace comes from the object or the call). */
export type Resource = Omit<ResourceRef, 'namespace'>;

export const configmaps: Resource = { version: 'v1', plural: 'configmaps' };
export const pods: Resource = { version: 'v1', plural: 'pods' };
export const widgets: Resource = { group: 'conformance.rxkube.dev', version: 'v1', plural: 'widgets' };

/** An HTTP answer, body parsed when it is JSON. */
export interface HttpResult {
  readonly status: number;
  readonly body: any;
  readonly text: string;
}

/** A watch read to its end (or until `until` held / `maxMs` passed). */
export interface RawWatch {
  readonly status: number;
  readonly events: { type: string; object: any }[];
  /** The server ended the stream by itself. */
  readonly ended: boolean;
}

/** Options of {@link Driver.listWatch}. */
export interface DriverListWatchOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly metadataOnly?: boolean;
}

export interface Driver {
  readonly name: 'real' | 'simulated';
  /** Whether the server speaks TLS (the simulated one is plain HTTP). */
  readonly tls: boolean;
  /** Creates a fresh namespace (never deleted: the real control plane has no namespace controller). */
  newNamespace(prefix?: string): Promise<string>;
  /** POST; the namespace comes from `obj.metadata.namespace`. Throws on a non-2xx answer. */
  create<T extends KubeObject>(resource: Resource, obj: T): Promise<T>;
  /** PUT. Throws on a non-2xx answer. */
  update<T extends KubeObject>(resource: Resource, obj: T): Promise<T>;
  /** DELETE. Throws on a non-2xx answer. */
  remove(resource: Resource, namespace: string | undefined, name: string): Promise<void>;
  /** Any request, as the admin user; `path` includes the query. */
  request(method: string, path: string, options?: { body?: unknown; accept?: string; contentType?: string }): Promise<HttpResult>;
  /** A raw watch on `path` (query included). */
  watch(path: string, options?: { accept?: string; maxMs?: number; until?: (events: RawWatch['events']) => boolean }): Promise<RawWatch>;
  /** Makes every resourceVersion before now unusable (etcd compaction / history compaction). */
  expireHistory(): Promise<void>;
  /** Cuts every open watch connection of this driver's `listWatch`es. */
  restartWatches(): Promise<void>;
  /**
   * Cuts the open watches and holds new watch requests until `reconnect()`: the client is
   * "disconnected" while the test changes the server.
   */
  disconnect(): void;
  reconnect(): void;
  /** A ListWatch over rxkube's transport; every request it sends is recorded in `requests`. */
  listWatch<T extends KubeObject = KubeObject>(resource: ResourceRef, options?: DriverListWatchOptions): ListWatch<T>;
  /** The same, against a server of this kind that refuses streaming lists (WatchList off). */
  listWatchRefusingStreaming<T extends KubeObject = KubeObject>(resource: ResourceRef): ListWatch<T>;
  /** Creates `namespace` on the refusing server (so objects can be created there). */
  refusingServer: Pick<Driver, 'newNamespace' | 'create'>;
  /** `path?query` of every request the listWatches sent, in order. */
  readonly requests: string[];
  /** Installs the Widget custom resource (CRD + Established, or `register`). Idempotent. */
  installWidgets(): Promise<void>;
  /** A kubeconfig for this server with a good (`token`) or wrong (`badToken`) bearer token. */
  kubeConfig(user: 'token' | 'badToken'): KubeConfig;
  close(): Promise<void>;
}

/**
 * Wraps a fetch: records each URL, lets the test cut open requests, and holds watch requests
 * while "disconnected". A cut aborts the request as a network failure would (the loop resumes).
 */
export class RecordingFetch {
  readonly requests: string[] = [];
  readonly #inner: FetchFunction;
  readonly #open = new Set<AbortController>();
  #gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(inner: FetchFunction) {
    this.#inner = inner;
  }

  readonly fetch: FetchFunction = async (url: string, init: FetchInit): Promise<FetchResponse> => {
    const u = new URL(url);
    this.requests.push(u.pathname + u.search);
    const isWatch = u.searchParams.get('watch') === 'true';
    if (isWatch && this.#gate !== undefined) await this.#gate.promise;
    init.signal.throwIfAborted();
    const controller = new AbortController();
    const forward = (): void => controller.abort(init.signal.reason);
    init.signal.addEventListener('abort', forward, { once: true });
    if (isWatch) this.#open.add(controller);
    controller.signal.addEventListener('abort', () => this.#open.delete(controller), { once: true });
    return this.#inner(url, { ...init, signal: controller.signal });
  };

  /** Aborts every open watch request. */
  cut(): number {
    const n = this.#open.size;
    for (const c of [...this.#open]) c.abort(new Error('connection cut by the conformance test'));
    return n;
  }

  disconnect(): void {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.#gate ??= { promise, open };
    this.cut();
  }

  reconnect(): void {
    this.#gate?.open();
    this.#gate = undefined;
  }
}

/** Reads a watch body line by line. */
export async function readRawWatch(res: FetchResponse, abort: AbortController, options: { maxMs?: number; until?: (events: RawWatch['events']) => boolean }): Promise<RawWatch> {
  const events: RawWatch['events'] = [];
  if (res.status !== 200 || res.body === null) {
    abort.abort();
    return { status: res.status, events, ended: true };
  }
  const reader = openBody(res.body);
  const decoder = new TextDecoder();
  const safety = setTimeout(() => abort.abort(), options.maxMs ?? 10_000);
  let buffer = '';
  let ended = false;
  try {
    for (;;) {
      if (options.until?.(events)) break;
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(value as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line !== '') events.push(JSON.parse(line) as RawWatch['events'][number]);
      }
    }
  } catch {
    // aborted by the safety net or `until`
  } finally {
    clearTimeout(safety);
    abort.abort();
  }
  return { status: res.status, events, ended };
}

/** The collection path of a resource in a namespace (or all namespaces). */
export function collection(resource: Resource, namespace?: string): string {
  const root = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  return `${root}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${resource.plural}`;
}

let counter = 0;
/** A name unique in this process and across runs against one server. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}-${Date.now().toString(36).slice(-4)}${counter}`;
}
