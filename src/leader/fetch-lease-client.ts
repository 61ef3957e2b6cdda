import { apiErrorFromResponse } from '../sources/api-error-from-response.ts';
import type { FetchFunction, FetchInit } from '../sources/fetch-list-watch.ts';
import { readBodyText } from '../sources/response-body.ts';
import type { Lease } from './lease.ts';
import type { RingLeaseClient } from './ring-lease-client.ts';

/**
 * Options of {@link fetchLeaseClient}.
 *
 * @example
 * ```ts
 * import type { FetchLeaseClientOptions } from 'rxkube/leader';
 * const options: FetchLeaseClientOptions = { baseUrl: 'http://127.0.0.1:8001', headers: { Authorization: 'Bearer …' } };
 * ```
 */
export interface FetchLeaseClientOptions {
  /** The API server (or `kubectl proxy`) URL, without a trailing path. */
  baseUrl: string;
  /** The fetch to use. @defaultValue `globalThis.fetch` */
  fetch?: FetchFunction;
  /** Headers added to every request (e.g. `Authorization`). @defaultValue `{}` */
  headers?: Record<string, string>;
}

/**
 * A {@link LeaseClient} over HTTP: `GET`, `POST` and `PUT` on
 * `/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases`, and for `shardRing` (a
 * {@link RingLeaseClient}) a `GET` of the collection with a label selector and a `DELETE` with a
 * resourceVersion precondition. Runs in browsers (through
 * `kubectl proxy` or with a token) and in Node.js; `kubeLeaseClient` from `rxkube/kube` wraps it
 * with a kubeconfig's credentials.
 *
 * A `PUT` carries the Lease's `metadata.resourceVersion`, so the API server refuses it with
 * 409 Conflict when the Lease changed since it was read. A non-2xx answer rejects with an
 * `ApiError` (code, Status reason, retry hint); `get` resolves `undefined` on 404.
 *
 * @example
 * ```ts
 * import { fetchLeaseClient, leaderElection } from 'rxkube/leader';
 * const client = fetchLeaseClient({ baseUrl: 'http://127.0.0.1:8001' });
 * leaderElection(client, { namespace: 'default', name: 'my-controller', identity: 'replica-1' }).subscribe(console.log);
 * ```
 *
 * @param options - where the API server is and how to reach it.
 * @returns a Lease client for {@link leaderElection} and `shardRing` (`rxkube/shard`).
 */
export function fetchLeaseClient(options: FetchLeaseClientOptions): RingLeaseClient {
  const fetchFn = options.fetch ?? ((url: string, init: FetchInit) => globalThis.fetch(url, init));
  const base = options.baseUrl.replace(/\/+$/, '');
  const collection = (namespace: string): string => `${base}/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const call = async <R = Lease>(method: FetchInit['method'], url: string, signal: AbortSignal, body?: Lease, preconditions?: { resourceVersion: string }): Promise<R | undefined> => {
    const headers = new Headers(options.headers);
    headers.set('Accept', 'application/json');
    const init: FetchInit = { method, headers, signal };
    if (body !== undefined) {
      headers.set('Content-Type', 'application/json');
      init.body = JSON.stringify(body);
    }
    if (method === 'DELETE' && preconditions !== undefined) {
      headers.set('Content-Type', 'application/json');
      init.body = JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions });
    }
    const response = await fetchFn(url, init);
    if (method === 'GET' && response.status === 404) {
      await readBodyText(response.body);
      return undefined;
    }
    if (!response.ok) throw await apiErrorFromResponse(response);
    return JSON.parse(await readBodyText(response.body)) as R;
  };
  const nameOf = (lease: Lease): { namespace: string; name: string } => {
    const namespace = lease.metadata?.namespace;
    const name = lease.metadata?.name;
    if (!namespace || !name) throw new TypeError('a Lease needs metadata.namespace and metadata.name');
    return { namespace, name };
  };
  return {
    list: async (namespace, labelSelector, signal) => {
      // No resourceVersion: a consistent read, so a list after a write sees that write.
      const list = await call<{ items?: Lease[] }>('GET', `${collection(namespace)}?labelSelector=${encodeURIComponent(labelSelector)}`, signal);
      return list?.items ?? [];
    },
    delete: (namespace, name, resourceVersion, signal) =>
      call<unknown>('DELETE', `${collection(namespace)}/${encodeURIComponent(name)}`, signal, undefined, { resourceVersion }),
    get: (namespace, name, signal) => call('GET', `${collection(namespace)}/${encodeURIComponent(name)}`, signal),
    create: async (lease, signal) => (await call('POST', collection(nameOf(lease).namespace), signal, lease))!,
    update: async (lease, signal) => {
      const { namespace, name } = nameOf(lease);
      return (await call('PUT', `${collection(namespace)}/${encodeURIComponent(name)}`, signal, lease))!;
    },
  };
}
