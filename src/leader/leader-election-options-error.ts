/**
 * Thrown by {@link leaderElection} when its options cannot give a safe election: an empty
 * identity, name or namespace, a non-positive or non-finite duration, a lease duration under one
 * second (the Lease stores whole seconds), or durations out of client-go's order
 * (`leaseDurationMs > renewDeadlineMs > 1.2 × retryPeriodMs`). Thrown synchronously by the call,
 * before anything is subscribed; retrying with the same options cannot help.
 *
 * @example
 * ```ts
 * import { leaderElection, LeaderElectionOptionsError, type LeaseClient } from 'rxkube/leader';
 * declare const client: LeaseClient;
 * try {
 *   leaderElection(client, { namespace: 'default', name: 'my-controller', identity: 'pod-a', leaseDurationMs: 5_000, renewDeadlineMs: 10_000 });
 * } catch (e) {
 *   if (e instanceof LeaderElectionOptionsError) console.error(e.message); // leaseDurationMs must be greater than renewDeadlineMs
 * }
 * ```
 */
export class LeaderElectionOptionsError extends Error {
  /** Always `'LeaderElectionOptionsError'`. */
  override readonly name = 'LeaderElectionOptionsError';
}
