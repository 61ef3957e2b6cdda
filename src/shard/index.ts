/**
 * rxkube/shard — splitting one collection across processes: hash ranges over `metadata.uid` or
 * `metadata.namespace`, the label selector that names a shard, and the membership test that
 * filters by it, one read view merged over the shards' informers, and shard membership on a ring of
 * Leases (`shardRing`, `whileOwning`, `reshardedReflections`).
 *
 * Give a {@link Shard} to `fetchListWatch`'s `shard` option (in `rxkube`). Runs in Node and in
 * browsers.
 *
 * @packageDocumentation
 */

export { equalShards, shardSelector, parseShardSelector, shardHash, shardMembership } from '../sources/shard.ts';
export type { Shard, ShardField, ShardRange } from '../sources/shard.ts';
export { InvalidShardError } from '../model/errors.ts';
export { mergeShards } from '../informer/merge-shards.ts';

// ── Shard membership on a ring of Leases ──────────────────────────────────────
export { shardRing } from '../leader/shard-ring.ts';
export type { RingAssignment, ShardRingOptions } from '../leader/shard-ring.ts';
export { ShardRingOptionsError } from '../leader/shard-ring-options-error.ts';
export { ringAssignment } from '../leader/ring-assignment.ts';
export type { RingLeaseClient } from '../leader/ring-lease-client.ts';
export { whileOwning } from '../leader/while-owning.ts';
export { reshardedReflections } from '../informer/resharded-reflections.ts';
export type { ReshardedReflectionsOptions } from '../informer/resharded-reflections.ts';
