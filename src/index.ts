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
export type { KubeObject, ObjectMeta, Status, StatusCause } from './model/kube-object.ts';
export type { ListOptions, WatchOptions, ObjectList, WatchEvent, ListWatch } from './model/wire.ts';

// ── Model: errors ─────────────────────────────────────────────────────────────
export { ApiError, WatchStreamError, WatchStalledError } from './model/errors.ts';
export type { WatchStreamErrorReason } from './model/errors.ts';

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
