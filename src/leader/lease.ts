import type { KubeObject } from '../model/kube-object.ts';

/**
 * The spec of a `coordination.k8s.io/v1` Lease, as leader election reads and writes it.
 *
 * Times are `MicroTime` strings (RFC 3339 with six fractional digits). rxkube's elector never
 * compares them with its own clock: it only notices that they changed (see {@link leaderElection}).
 *
 * @example
 * ```ts
 * import type { LeaseSpec } from 'rxkube/leader';
 * const spec: LeaseSpec = { holderIdentity: 'pod-a', leaseDurationSeconds: 15, leaseTransitions: 0 };
 * ```
 */
export interface LeaseSpec {
  /** Who holds the lease; `''` or absent when nobody does (after a release). */
  readonly holderIdentity?: string;
  /** How long others must wait, without seeing a change, before they may take the lease over. */
  readonly leaseDurationSeconds?: number;
  /** When the current holder acquired the lease. */
  readonly acquireTime?: string;
  /** When the current holder last renewed the lease. */
  readonly renewTime?: string;
  /** How many times the lease changed hands. */
  readonly leaseTransitions?: number;
}

/**
 * A `coordination.k8s.io/v1` Lease object.
 *
 * @example
 * ```ts
 * import type { Lease } from 'rxkube/leader';
 * const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'my-controller', namespace: 'default' }, spec: {} };
 * ```
 */
export interface Lease extends KubeObject {
  /** The election record. */
  readonly spec?: LeaseSpec;
}
