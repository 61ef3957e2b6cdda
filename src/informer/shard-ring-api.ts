/**
 * The public names of shard membership (issue 14): one module for the root entry, or a subpath
 * such as `rxkube/shard`, to re-export name by name.
 *
 * @packageDocumentation
 * @internal
 */
export { shardRing } from '../leader/shard-ring.ts';
export type { RingAssignment, ShardRingOptions } from '../leader/shard-ring.ts';
export { ShardRingOptionsError } from '../leader/shard-ring-options-error.ts';
export { ringAssignment } from '../leader/ring-assignment.ts';
export type { RingLeaseClient } from '../leader/ring-lease-client.ts';
export { whileOwning } from '../leader/while-owning.ts';
export { reshardedReflections } from './resharded-reflections.ts';
export type { ReshardedReflectionsOptions } from './resharded-reflections.ts';
