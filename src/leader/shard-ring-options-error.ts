/**
 * Thrown by {@link shardRing} when its options cannot give a safe ring: an empty namespace, a ring
 * name or identity that cannot form a Lease name and label value (`<ring>-<identity>`: lower-case
 * letters, digits, `-`, and `.` in the identity), an unknown hashed field, a non-positive duration,
 * a lease under one second, or durations out of order
 * (`leaseDurationMs > renewDeadlineMs > 1.2 × retryPeriodMs`). Thrown synchronously by the call;
 * retrying with the same options cannot help.
 *
 * @example
 * ```ts
 * import { shardRing, ShardRingOptionsError, type RingLeaseClient } from 'rxkube/shard';
 * declare const client: RingLeaseClient;
 * try {
 *   shardRing(client, { namespace: 'default', ring: 'Pods', identity: 'replica-1' });
 * } catch (e) {
 *   if (e instanceof ShardRingOptionsError) console.error(e.message); // ring must be lower-case …
 * }
 * ```
 */
export class ShardRingOptionsError extends Error {
  /** Always `'ShardRingOptionsError'`. */
  override readonly name = 'ShardRingOptionsError';
}
