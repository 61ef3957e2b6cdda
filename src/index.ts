/**
 * rxkube — Kubernetes informers, native to RxJS.
 *
 * The core: list/watch as cold observables, the list-then-watch loop, `reflect` into immutable
 * snapshots and deltas, indexes, resync and coalescing as operators, and the shared informer.
 * Runs in Node and in browsers.
 *
 * Beside it: `rxkube/wire` (the body decoders under the transport), `rxkube/shard` (sharding a
 * collection across processes), `rxkube/health` (readiness and liveness of informers) and
 * `rxkube/leader` (leader election on a Lease).
 *
 * @packageDocumentation
 */

// ── Model: wire shapes ────────────────────────────────────────────────────────
export type { KubeObject, ObjectMeta, OwnerReference, Status, StatusCause } from './model/kube-object.ts';
export type { ListOptions, WatchOptions, ObjectList, WatchEvent, ListWatch } from './model/wire.ts';

// ── Model: errors of the list/watch path ──────────────────────────────────────
export { ApiError, WatchStreamError, WatchStalledError, InvalidObjectError, UnknownIndexError, IndexConflictError, ObjectCallbackError, MissingPeerDependencyError } from './model/errors.ts';
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
export type { KeyResult, Joined } from './model/derived-views.ts';

// ── Sources: the list/watch loop and the HTTP transport ───────────────────────
export { listWatch } from './sources/list-watch.ts';
export type { ListWatchOptions } from './sources/list-watch.ts';
export { fetchListWatch } from './sources/fetch-list-watch.ts';
export type { FetchListWatchOptions, ResourceRef, FetchFunction, FetchInit } from './sources/fetch-list-watch.ts';
export type { FetchResponse, ResponseBody } from './sources/response-body.ts';

// ── Store keys and indexes ────────────────────────────────────────────────────
export { objectKey } from './store/object-key.ts';
export type { IndexFunction } from './store/index-table.ts';

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
export { groupObjects, groupBy } from './operators/group-objects.ts';
export type { Grouping, GroupChange } from './operators/group-objects.ts';
export { joinWith } from './operators/join-with.ts';
export type { JoinKey, JoinOptions } from './operators/join-with.ts';
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

// ── Backoff: the type of the `backoff` option of listWatch and informer ───────
export type { Backoff, BackoffOptions, BackoffStep } from './backoff/create-backoff.ts';

// ── Informer and the informer cache ───────────────────────────────────────────
export { informer } from './informer/informer.ts';
export type { InformerOptions } from './informer/informer.ts';
export type { InformerHooks } from './informer/informer-hooks.ts';
export { informerCache } from './informer/informer-cache.ts';
export type { InformerCache, InformerCacheOptions, CollectionRef, ResourceTypes } from './informer/informer-cache.ts';

// ── UI state (framework-free) ─────────────────────────────────────────────────
export { toExternalStore } from './informer/external-store.ts';
export type { ExternalStore, ExternalStoreOptions } from './informer/external-store.ts';
export type { SnapshotSource } from './informer/snapshot-source.ts';
