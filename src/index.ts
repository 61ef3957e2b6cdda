/**
 * rxkube — Kubernetes informers, native to RxJS.
 *
 * The core: list/watch as cold observables, the list-then-watch loop, `reflect` into immutable
 * snapshots and deltas, indexes, resync and coalescing as operators, and the shared informer.
 * Runs in Node and in browsers.
 *
 * @packageDocumentation
 */

// ── Model: wire shapes ────────────────────────────────────────────────────────
export type { KubeObject, ObjectMeta, OwnerReference, Status, StatusCause } from './model/kube-object.ts';
export type { ListOptions, WatchOptions, ObjectList, WatchEvent, ListWatch } from './model/wire.ts';

// ── Model: errors ─────────────────────────────────────────────────────────────
export { ApiError, WatchStreamError, WatchStalledError, InvalidObjectError, UnknownIndexError, IndexConflictError, ObjectCallbackError, MissingPeerDependencyError, InvalidShardError } from './model/errors.ts';
export type { WatchStreamErrorReason, ObjectCallback } from './model/errors.ts';
export type { Failure } from './model/failure.ts';

// ── Model: loop events, reflections, status ───────────────────────────────────
export type {
  ListWatchEvent,
  ListStartEvent,
  ListPageEvent,
  ListDoneEvent,
  WatchStartEvent,
  BackoffEvent,
  ObjectEvent,
  RelistReason,
} from './model/list-watch-event.ts';
export type { Delta, DeltaType, Snapshot, Reflection } from './model/reflection.ts';
export type { InformerStatus } from './model/informer-status.ts';
export type { Informer } from './model/informer.ts';

// ── Sources: the list/watch loop and the HTTP transport ──────────────────────
export { listWatch } from './sources/list-watch.ts';
export type { ListWatchOptions } from './sources/list-watch.ts';
export { fetchListWatch } from './sources/fetch-list-watch.ts';
export { equalShards, shardSelector, parseShardSelector, shardHash, shardMembership } from './sources/shard.ts';
export type { Shard, ShardField, ShardRange } from './sources/shard.ts';
export type { FetchListWatchOptions, ResourceRef, FetchFunction, FetchInit } from './sources/fetch-list-watch.ts';
export type { FetchResponse, ResponseBody } from './sources/response-body.ts';
export { parseNdjson, NdjsonDecoder } from './sources/ndjson.ts';
export type { NdjsonOptions } from './sources/ndjson.ts';
export { decodeWatchEvent } from './sources/decode-watch-event.ts';
export { decodeObjectList } from './sources/decode-object-list.ts';
export { ListBodyDecoder } from './sources/list-body-decoder.ts';

// ── Store: keys, freezing, indexes ───────────────────────────────────────────
export { objectKey } from './store/object-key.ts';
export { deepFreeze, shareStructure } from './store/freeze.ts';
export type { IndexFunction } from './store/index-table.ts';
export { describeError } from './store/describe-error.ts';

// ── Operators: reflect, indexes, resync, coalescing ───────────────────────────
export { reflect } from './operators/reflect.ts';
export type { ReflectOptions } from './operators/reflect.ts';
export { withIndex, namespaceIndex } from './operators/with-index.ts';
export type { WithIndexOptions } from './operators/with-index.ts';
export { resync } from './operators/resync.ts';
export { coalesce } from './operators/coalesce.ts';
export type { CoalesceWindow } from './operators/coalesce.ts';

// ── Operators: cluster-state pipelines ────────────────────────────────────────
export { filterObjects } from './operators/filter-objects.ts';
export { mapObjects } from './operators/map-objects.ts';
export type { MapObjectsOptions } from './operators/map-objects.ts';
export { groupCount } from './operators/group-count.ts';
export type { GroupMap, GroupKey, GroupCounts, GroupCountChange } from './operators/group-count.ts';
export { groupBy } from './operators/group-by.ts';
export type { Grouping, GroupChange } from './operators/group-by.ts';
export { joinWith } from './operators/join-with.ts';
export type { Joined, JoinKey, JoinOptions } from './operators/join-with.ts';
export { join } from './operators/join.ts';
export { selectorJoin } from './operators/selector-join.ts';
export type { LabelSelector, LabelSelectorRequirement, SelectorJoinOptions } from './operators/selector-join.ts';
export { predicates } from './operators/predicates.ts';
export type { Predicate, PredicateValue } from './operators/predicates.ts';
export { onlyChanged } from './operators/only-changed.ts';
export { reconcile } from './operators/reconcile.ts';
export type { Reconciler, ReconcileAction, ReconcileContext, ReconcileOptions, ReconcileOutcome, RetryRateLimit, WorkQueueEvent } from './operators/reconcile.ts';
export { mergeSources } from './operators/merge-sources.ts';
export type { MergeSourcesOptions } from './operators/merge-sources.ts';

// ── Retry and backoff ────────────────────────────────────────────────────────
export { createBackoff } from './store/backoff.ts';
export type { Backoff, BackoffOptions, BackoffStep } from './store/backoff.ts';
export { retryBackoff, retryAfterMs } from './operators/retry-backoff.ts';
export type { RetryBackoffOptions } from './operators/retry-backoff.ts';

// ── Informer ─────────────────────────────────────────────────────────────────
export { informer, currentState } from './informer/informer.ts';
export type { InformerOptions } from './informer/informer.ts';
export type { InformerHooks } from './informer/informer-hooks.ts';
export { informerCache } from './informer/informer-cache.ts';
export type { InformerCache, InformerCacheOptions, CollectionRef, ResourceTypes } from './informer/informer-cache.ts';
export { nextStatus, idleStatus } from './informer/informer-status.ts';
export { healthOf, probeHealth } from './informer/health.ts';
export type { Health, HealthOptions, HealthProbe, ProbeAnswer } from './informer/health.ts';

// ── UI state (framework-free) ─────────────────────────────────────────────────
export { toExternalStore } from './informer/external-store.ts';
export type { ExternalStore, ExternalStoreOptions } from './informer/external-store.ts';
export { isInformer } from './informer/is-informer.ts';
export type { SnapshotSource } from './informer/snapshot-source.ts';

// ── Leader election on a Lease ────────────────────────────────────────────────
export { leaderElection } from './leader/leader-election.ts';
export type { LeaderElectionOptions, LeaderElectionStatus } from './leader/leader-election.ts';
export { whileLeading } from './leader/while-leading.ts';
export { LeaderElectionOptionsError } from './leader/leader-election-options-error.ts';
export { fetchLeaseClient } from './leader/fetch-lease-client.ts';
export type { FetchLeaseClientOptions } from './leader/fetch-lease-client.ts';
export type { LeaseClient } from './leader/lease-client.ts';
export type { Lease, LeaseSpec } from './leader/lease.ts';
export { shardRing, ShardRingOptionsError, ringAssignment, whileOwning, reshardedReflections } from './informer/shard-ring-api.ts';
export type { RingAssignment, ShardRingOptions, RingLeaseClient, ReshardedReflectionsOptions } from './informer/shard-ring-api.ts';
