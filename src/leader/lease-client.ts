import type { ObservableInput } from 'rxjs';
import type { Lease } from './lease.ts';

/**
 * The Lease I/O that {@link leaderElection} needs: read, create and replace one Lease. Each method
 * may return a Promise or an Observable (its first value is used), and receives an `AbortSignal`
 * that is aborted when the elector no longer wants the answer.
 *
 * Contract:
 * - `get` resolves `undefined` when the Lease does not exist (HTTP 404), the Lease otherwise.
 * - `create` fails (typically an `ApiError` with code 409) when the Lease already exists.
 * - `update` replaces the Lease guarded by its `metadata.resourceVersion`: it must fail (HTTP 409
 *   `Conflict`) when the Lease changed since that version was read, as a `PUT` does.
 *
 * `fetchLeaseClient` implements it over HTTP (browsers, `kubectl proxy`), `kubeLeaseClient` from
 * `rxkube/kube` over a kubeconfig; tests can keep Leases in a `Map`.
 *
 * @example
 * ```ts
 * import type { Lease, LeaseClient } from 'rxkube/leader';
 * const leases = new Map<string, Lease>();
 * let version = 0;
 * const inMemory: LeaseClient = {
 *   get: async (namespace, name) => leases.get(`${namespace}/${name}`),
 *   create: async (lease) => {
 *     const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
 *     if (leases.has(key)) throw Object.assign(new Error('exists'), { code: 409 });
 *     const stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++version) } };
 *     leases.set(key, stored);
 *     return stored;
 *   },
 *   update: async (lease) => {
 *     const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
 *     if (leases.get(key)?.metadata?.resourceVersion !== lease.metadata?.resourceVersion) throw Object.assign(new Error('conflict'), { code: 409 });
 *     const stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++version) } };
 *     leases.set(key, stored);
 *     return stored;
 *   },
 * };
 * ```
 */
export interface LeaseClient {
  /** Reads the Lease; `undefined` when it does not exist. */
  get(namespace: string, name: string, signal: AbortSignal): ObservableInput<Lease | undefined>;
  /** Creates the Lease; fails when it exists. */
  create(lease: Lease, signal: AbortSignal): ObservableInput<Lease>;
  /** Replaces the Lease if its `metadata.resourceVersion` is still current; fails with a conflict otherwise. */
  update(lease: Lease, signal: AbortSignal): ObservableInput<Lease>;
}
