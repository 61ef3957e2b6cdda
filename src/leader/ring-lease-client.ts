import type { ObservableInput } from 'rxjs';
import type { Lease } from './lease.ts';
import type { LeaseClient } from './lease-client.ts';

/**
 * The Lease I/O that {@link shardRing} needs: a {@link LeaseClient} (read, create and
 * resourceVersion-guarded replace of one Lease) that can also list the Leases of a namespace
 * matching a label selector, and delete one guarded by its resourceVersion (to clear away the
 * Leases of crashed members). `fetchLeaseClient` and `kubeLeaseClient` (`rxkube/kube`) implement it.
 *
 * `list` must be a consistent read (a `GET` of the collection without `resourceVersion`): a list
 * sent after a write must see that write, or the handover rule of {@link shardRing} cannot hold.
 *
 * @example
 * ```ts
 * import type { RingLeaseClient } from 'rxkube/shard';
 * declare const client: RingLeaseClient;
 * const controller = new AbortController();
 * const members = await client.list('default', 'rxkube.io/ring=pods', controller.signal);
 * ```
 */
export interface RingLeaseClient extends LeaseClient {
  /** Lists the Leases of `namespace` that match `labelSelector` (a consistent read). */
  list(namespace: string, labelSelector: string, signal: AbortSignal): ObservableInput<readonly Lease[]>;
  /**
   * Deletes the Lease if its `metadata.resourceVersion` is still `resourceVersion` (a delete
   * precondition); fails with a conflict (409) when it changed, or 404 when it is gone.
   */
  delete(namespace: string, name: string, resourceVersion: string, signal: AbortSignal): ObservableInput<unknown>;
}
