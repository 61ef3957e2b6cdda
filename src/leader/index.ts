/**
 * rxkube/leader — leader election on a `coordination.k8s.io/v1` Lease, client-go's algorithm:
 * `leaderElection` emits who leads, `whileLeading` runs work only while this process does, and
 * `fetchLeaseClient` talks to the API server over `fetch` (`rxkube/kube` has one from a
 * kubeconfig). Runs in Node and in browsers.
 *
 * @packageDocumentation
 */

export { leaderElection } from './leader-election.ts';
export type { LeaderElectionOptions, LeaderElectionStatus } from './leader-election.ts';
export { whileLeading } from './while-leading.ts';
export { LeaderElectionOptionsError } from './leader-election-options-error.ts';
export { fetchLeaseClient } from './fetch-lease-client.ts';
export type { FetchLeaseClientOptions } from './fetch-lease-client.ts';
export type { LeaseClient } from './lease-client.ts';
export type { RingLeaseClient } from './ring-lease-client.ts';
export type { Lease, LeaseSpec } from './lease.ts';
