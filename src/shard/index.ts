/**
 * rxkube/shard — splitting one collection across processes: hash ranges over `metadata.uid` or
 * `metadata.namespace`, the label selector that names a shard, and the membership test that
 * filters by it, and one read view merged over the shards' informers.
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
