import type { KubeObject } from './kube-object.ts';

/**
 * Why the loop (re)lists:
 * - `initial`: the first list of a subscription;
 * - `expired`: the watch's resourceVersion left the server's history (410 Gone/Expired);
 * - `tooLargeResourceVersion`: the server has not reached our resourceVersion (504 with cause);
 * - `error`: any other failure (list error, watch error, undecodable stream, ERROR event);
 * - `veryShortWatch`: a watch closed in under a second having delivered nothing;
 * - `streamingFallback`: a streaming list was refused, failed or ended before its bookmark, so the
 *   loop lists instead;
 * - `relistLoop`: the list cannot catch up — the first watch after each of the last two lists was
 *   refused with 410 at once, because the list takes longer than the server keeps history. The
 *   loop now lists by streaming (`sendInitialEvents`) unless the server refused it, else in one
 *   unpaginated request; see docs/reliability.md.
 */
export type RelistReason = 'initial' | 'expired' | 'tooLargeResourceVersion' | 'error' | 'veryShortWatch' | 'streamingFallback' | 'relistLoop';

/**
 * A (re)list begins. Everything up to the matching {@link ListDoneEvent} describes the complete
 * new state; consumers buffer it and swap it in atomically. A new `LIST_START` before `LIST_DONE`
 * abandons the previous attempt.
 */
export interface ListStartEvent {
  /** Discriminant. */
  readonly type: 'LIST_START';
  /** Why the loop lists. */
  readonly reason: RelistReason;
  /** `list` for paginated LIST requests, `stream` for a streaming list (`sendInitialEvents`). */
  readonly mode: 'list' | 'stream';
}

/** One page of a (re)list: objects that exist in the new state. */
export interface ListPageEvent<T extends KubeObject = KubeObject> {
  /** Discriminant. */
  readonly type: 'LIST_PAGE';
  /** The page's objects. */
  readonly items: readonly T[];
  /** The server's estimate of objects still to come, when it sent one. */
  readonly remainingItemCount?: number;
  /** For a sharded source: who restricted the page to the shard (see `ObjectList.shardFilter`). */
  readonly shardFilter?: 'server' | 'client';
}

/** The (re)list is complete; the new state is as of `resourceVersion`. */
export interface ListDoneEvent {
  /** Discriminant. */
  readonly type: 'LIST_DONE';
  /** The collection's resourceVersion. */
  readonly resourceVersion: string;
}

/** A watch request is being opened from `resourceVersion`. */
export interface WatchStartEvent {
  /** Discriminant. */
  readonly type: 'WATCH_START';
  /** Where the watch resumes. */
  readonly resourceVersion: string;
}

/** The loop waits before its next request, after `error`. */
export interface BackoffEvent {
  /** Discriminant. */
  readonly type: 'BACKOFF';
  /** How long it waits. */
  readonly delayMs: number;
  /** 1 for the first failure in a row, 2 for the second, … */
  readonly attempt: number;
  /** What failed. */
  readonly error: unknown;
  /** What comes after the wait: a new list, or a new watch from the same resourceVersion. */
  readonly next: 'relist' | 'rewatch';
}

/** A change or bookmark from the watch, in the wire shape. */
export interface ObjectEvent<T extends KubeObject = KubeObject> {
  /** The wire event type. */
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  /** The object (for `BOOKMARK`, only `metadata.resourceVersion` is meaningful). */
  readonly object: T;
}

/**
 * The normalised narrative of a list/watch loop, as emitted by {@link listWatch} and consumed by
 * {@link reflect}:
 *
 * ```
 * LIST_START (LIST_PAGE | ADDED | MODIFIED | DELETED | BOOKMARK)* LIST_DONE   ← a (re)list, bracketed
 * WATCH_START (ADDED | MODIFIED | DELETED | BOOKMARK)*                         ← live changes
 * BACKOFF                                                                      ← waiting after a failure
 * ```
 *
 * Inside a bracket, watch events (a streaming list) apply to the state being built.
 *
 * @example
 * ```ts
 * import type { ListWatchEvent } from 'rxkube';
 * const script: ListWatchEvent[] = [
 *   { type: 'LIST_START', reason: 'initial', mode: 'list' },
 *   { type: 'LIST_PAGE', items: [{ metadata: { name: 'a', resourceVersion: '1' } }] },
 *   { type: 'LIST_DONE', resourceVersion: '1' },
 *   { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '2' } } },
 * ];
 * ```
 */
export type ListWatchEvent<T extends KubeObject = KubeObject> =
  | ListStartEvent
  | ListPageEvent<T>
  | ListDoneEvent
  | WatchStartEvent
  | BackoffEvent
  | ObjectEvent<T>;
