import type { Observable } from 'rxjs';
import type { KubeObject, Status } from './kube-object.ts';

/**
 * Options of one list request, as sent on the wire (`?resourceVersion=…&limit=…`).
 *
 * @example
 * ```ts
 * import type { ListOptions } from 'rxkube';
 * const firstPage: ListOptions = { resourceVersion: '0', limit: 500 };
 * ```
 */
export interface ListOptions {
  /** `undefined` = most recent (consistent read), `'0'` = any, otherwise not older than / exact. */
  resourceVersion?: string;
  /** How `resourceVersion` is matched. */
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  /** Page size; the server may return fewer items and a `continue` token. */
  limit?: number;
  /** Token of the next page; sent without `resourceVersion`. */
  continue?: string;
}

/**
 * Options of one watch request, as sent on the wire (`?watch=true&resourceVersion=…`).
 *
 * @example
 * ```ts
 * import type { WatchOptions } from 'rxkube';
 * const resume: WatchOptions = { resourceVersion: '48213', allowWatchBookmarks: true, timeoutSeconds: 437 };
 * ```
 */
export interface WatchOptions {
  /** Start after this version; `undefined` or `'0'` makes the server send the current state first. */
  resourceVersion?: string;
  /** Only with `sendInitialEvents`: must be `NotOlderThan`. */
  resourceVersionMatch?: 'NotOlderThan';
  /** Ask the server for `BOOKMARK` events. */
  allowWatchBookmarks?: boolean;
  /** Streaming list: send the current state as `ADDED` events, then an annotated bookmark. */
  sendInitialEvents?: boolean;
  /** The server ends the stream normally after this many seconds. */
  timeoutSeconds?: number;
}

/**
 * One page of a list response.
 *
 * @example
 * ```ts
 * import type { ObjectList, KubeObject } from 'rxkube';
 * const page: ObjectList<KubeObject> = { metadata: { resourceVersion: '7' }, items: [] };
 * ```
 */
export interface ObjectList<T> {
  /** The collection's resourceVersion (the snapshot the page belongs to) and the next page's token. */
  metadata: {
    /** The collection's resourceVersion. */
    resourceVersion: string;
    /** The next page's token; absent or empty on the last page. */
    continue?: string;
    /** The server's estimate of the objects on later pages. */
    remainingItemCount?: number;
    /**
     * The shard selector the server applied (sharded list and watch, KEP-5866): present only
     * when the request had a `shardSelector` and the server honoured it.
     */
    shardInfo?: {
      /** The selector text, in the server's canonical form. */
      selector: string;
    };
  };
  /** The objects of this page. */
  items: T[];
  /**
   * Set by a sharded source (`fetchListWatch` with `shard`): who restricted this page to the
   * shard — `'server'` when the server echoed the selector in `metadata.shardInfo`, `'client'`
   * when it did not (a server without the `ShardedListAndWatch` gate) and the source filtered
   * the items itself. Absent on unsharded lists.
   */
  shardFilter?: 'server' | 'client';
}

/**
 * One event of a watch stream, in the wire shape `{"type": …, "object": …}`.
 * `ERROR` events carry a {@link Status}.
 *
 * @example
 * ```ts
 * import type { WatchEvent } from 'rxkube';
 * const e: WatchEvent = { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '3' } } };
 * ```
 */
export type WatchEvent<T extends KubeObject = KubeObject> =
  | {
      /** A change, or a bookmark. */
      type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
      /** The object; for `DELETED` its last state, for `BOOKMARK` only the resourceVersion. */
      object: T;
    }
  | {
      /** The server ends the watch with an error. */
      type: 'ERROR';
      /** What went wrong. */
      object: Status;
    };

/**
 * The two requests an informer needs, as cold observables. One subscription is one HTTP request;
 * unsubscribing aborts it.
 *
 * - `list` emits exactly one page and completes, or errors.
 * - `watch` emits the stream's events and completes when the server ends the stream, or errors.
 *
 * Errors caused by the API server carry a numeric `code` (see {@link ApiError}); anything else is a
 * transport failure.
 *
 * @example
 * ```ts
 * import { of, EMPTY } from 'rxjs';
 * import type { ListWatch } from 'rxkube';
 * const empty: ListWatch = {
 *   list: () => of({ metadata: { resourceVersion: '1' }, items: [] }),
 *   watch: () => EMPTY,
 * };
 * ```
 */
export interface ListWatch<T extends KubeObject = KubeObject> {
  /** One list request (one page). Cold. */
  list(options: ListOptions): Observable<ObjectList<T>>;
  /** One watch request. Cold; completes when the server ends the stream. */
  watch(options: WatchOptions): Observable<WatchEvent<T>>;
}
