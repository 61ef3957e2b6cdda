import { asyncScheduler, Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { ApiError, WatchStalledError, WatchStreamError } from '../model/errors.ts';
import type { KubeObject, Status } from '../model/kube-object.ts';
import type { BackoffEvent, ListPageEvent, ListWatchEvent, ObjectEvent, RelistReason } from '../model/list-watch-event.ts';
import type { ListOptions, ListWatch, ObjectList, WatchEvent } from '../model/wire.ts';
import { createBackoff, type Backoff, type BackoffOptions } from '../backoff/create-backoff.ts';
import { retryAfterMs } from '../backoff/retry-after-ms.ts';
import { isValidated } from './validated-sources.ts';
import { isApiErrorShape, isDeadConnection, isExpired, isTooLargeResourceVersion, isTooManyRequests } from './classify-error.ts';

/**
 * Options of {@link listWatch}. Defaults follow client-go's reflector.
 */
export interface ListWatchOptions {
  /**
   * Page size of lists. When unset, client-go's policy applies: 500 per page, except for relists
   * at a specific resourceVersion, which are unpaginated so the server can answer from its watch
   * cache. `0` disables pagination.
   * @defaultValue 500 (client-go policy)
   */
  pageSize?: number;
  /**
   * How to build the initial state: `list` (paginated LIST, then WATCH) or `stream` (a streaming
   * list: one WATCH with `sendInitialEvents=true`, ended by the `k8s.io/initial-events-end`
   * bookmark). A streaming list that fails (other than 429, 410, too-large resourceVersion or a
   * network failure) or ends before its bookmark falls back to a plain list for that relist; the
   * next relist streams again. A server that refuses streaming (400/422), or two streams in a row
   * that end before the bookmark, switch streaming off for the rest of the subscription. With
   * `list`, a relist loop (see {@link RelistReason} `relistLoop`) switches to streaming for the
   * rest of the subscription where the server allows it.
   * @defaultValue 'list'
   */
  initialList?: 'list' | 'stream';
  /**
   * Consistency of the first list: `any` (`resourceVersion=0`, may be served stale from the
   * server's watch cache, cheap — client-go's choice) or `mostRecent` (a consistent read).
   * @defaultValue 'any'
   */
  listSemantic?: 'any' | 'mostRecent';
  /**
   * Watches ask the server to end them after a random time in `[min, 2 × min)` seconds. Must be
   * a finite number ≥ 1 (else `listWatch` throws a `RangeError`). Unlike client-go, which ignores
   * values below its 5-minute default, shorter minimums are honoured — for tests and development
   * servers; in production each watch end costs a request, so keep the default.
   * @defaultValue 300
   */
  minWatchTimeoutSeconds?: number;
  /**
   * The resourceVersion a previous loop over the same collection had synced to (e.g. the
   * `resourceVersion` of the last snapshot shown). The first list (or streaming list) then asks
   * for a state not older than it — unpaginated, so the server can answer from its watch cache —
   * instead of `resourceVersion=0` (or the consistent read of `listSemantic: 'mostRecent'`), so a
   * resubscription never goes back in time; if the server no longer has it (410, too large) the
   * loop lists again at once with a consistent read. {@link informer} passes it on its own.
   * @defaultValue none: the first list asks for `resourceVersion=0` (see `listSemantic`)
   */
  lastSyncResourceVersion?: string;
  /** Request `BOOKMARK` events. @defaultValue true */
  bookmarks?: boolean;
  /** Backoff between failed attempts: options for client-go's backoff, or a shared {@link Backoff}. */
  backoff?: BackoffOptions | Backoff;
  /** Scheduler for waits and clocks. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
  /** Randomness for watch timeouts (and the default backoff's jitter). @defaultValue Math.random */
  random?: () => number;
}

type Step =
  | { readonly kind: 'list'; readonly reason: RelistReason }
  | { readonly kind: 'stream'; readonly reason: RelistReason }
  | { readonly kind: 'watch' }
  | { readonly kind: 'wait'; readonly event: BackoffEvent; readonly then: Step };

const defaultPageSize = 500;
const veryShortWatchMs = 1000;
/**
 * Consecutive (re)lists whose first watch was refused with 410 — before delivering anything —
 * after which the loop calls it a relist loop: the server's history is shorter than a list takes.
 */
const relistLoopCycles = 2;
const initialEventsEnd = 'k8s.io/initial-events-end';
const objectEventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

/**
 * The list-then-watch loop, as a cold observable of {@link ListWatchEvent}s. It never completes
 * and, for errors of the server or the network, never errors: it retries with backoff, announcing
 * each wait with a `BACKOFF` event. Unsubscribing aborts the request in flight.
 *
 * The protocol, as client-go's Reflector runs it:
 * 1. List, paginated (`limit`, `continue`; page 1 carries the resourceVersion, later pages only the
 *    token). The first list asks for `resourceVersion=0`, relists for the last resourceVersion
 *    seen (never back in time). A continue token that expired (410) falls back to one unpaginated
 *    list. The list is bracketed by `LIST_START` / `LIST_DONE` so a store swaps it in atomically.
 * 2. Watch from the list's resourceVersion, with bookmarks and a random `timeoutSeconds`. Every
 *    event and bookmark advances the resourceVersion.
 * 3. A watch the server ends normally is resumed at once from the last resourceVersion, without a
 *    relist — unless it closed within a second having delivered nothing (then: backoff, relist).
 *    A watch that had been established (it delivered an event, or stayed open a second) and is
 *    then cut by the network (reset, unexpected EOF, a stream cut mid-line, an HTTP client's body
 *    timeout) is resumed at once the same way, without backoff: load balancers cut idle
 *    connections routinely. A stall (no byte for the stall limit: a dead connection) is reported
 *    as a `BACKOFF` of 0 ms and the watch re-opened at once, whether or not it had delivered.
 * 4. 410 Gone/Expired and "too large resource version" on a watch: backoff, relist at the last
 *    resourceVersion. The same on a list: relist at once with a consistent read (`resourceVersion`
 *    unset). 429 and network failures of a watch request: backoff, watch again from the same
 *    resourceVersion. Anything else (including undecodable streams): backoff, relist.
 * 5. A relist that cannot catch up: when the first watch after each of two lists in a row is
 *    refused with 410 before delivering anything (the list takes longer than the server keeps
 *    history), the next relist says `relistLoop` and streams (`sendInitialEvents`: the state and
 *    the watch are one request, with no gap for history to run out in) — from then on, unless the
 *    server refuses streaming; where it does, the loop's lists are unpaginated. Checked when a
 *    watch ends, never per event.
 *
 * resourceVersions are opaque strings: they are echoed back, never compared.
 *
 * @example
 * ```ts
 * import { fetchListWatch, listWatch, reflect } from 'rxkube';
 * const pods = fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: 'pods' } });
 * listWatch(pods).pipe(reflect()).subscribe(({ snapshot }) => console.log(snapshot.size, 'pods'));
 * ```
 * @param source - the list and watch requests.
 * @param options - page size, initial-list strategy, timeouts, backoff, scheduler.
 * @returns a cold observable of the loop's events.
 * @throws RangeError for a `minWatchTimeoutSeconds` below 1 or not finite.
 * @see {@link reflect} to turn the events into snapshots and deltas.
 */
export function listWatch<T extends KubeObject>(source: ListWatch<T>, options: ListWatchOptions = {}): Observable<ListWatchEvent<T>> {
  const minTimeout = options.minWatchTimeoutSeconds ?? 300;
  if (!(Number.isFinite(minTimeout) && minTimeout >= 1)) {
    throw new RangeError(`minWatchTimeoutSeconds must be a finite number of seconds ≥ 1, got ${String(minTimeout)}`);
  }
  return new Observable<ListWatchEvent<T>>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const random = options.random ?? Math.random;
    const backoff = options.backoff !== undefined && 'next' in options.backoff
      ? options.backoff
      : createBackoff({ random, ...options.backoff });
    const bookmarks = options.bookmarks ?? true;
    const trusted = isValidated(source);

    // The reflector's state, kept across every retry of this subscription.
    let lastSyncResourceVersion: string | undefined = options.lastSyncResourceVersion || undefined;
    let resourceVersionUnavailable = false;
    let paginatedResult = false;
    let streaming = options.initialList === 'stream';
    let streamsWithoutBookmark = 0;
    // Whether the server refused streaming lists (400/422, or two streams without their bookmark).
    let streamingRefused = false;
    // Relist-loop detection: set by a completed plain list, consumed by the watch that follows it;
    // counts the lists in a row whose first watch was refused at once with 410.
    let firstWatchAfterList = false;
    let expiredFirstWatches = 0;

    let next: Step | undefined = relistStep('initial');
    let current: Subscription | undefined;
    let driving = false;

    function relistStep(reason: RelistReason): Step {
      return streaming ? { kind: 'stream', reason } : { kind: 'list', reason };
    }

    /**
     * The relist after a list whose first watch got 410: `expired`, or — after
     * `relistLoopCycles` such lists in a row — `relistLoop`, which streams the next list (one
     * request, no gap between the state and the watch) unless the server refused streaming.
     */
    function relistAfterExpiredWatch(): Step {
      if (expiredFirstWatches < relistLoopCycles) return relistStep('expired');
      if (!streamingRefused) streaming = true;
      return relistStep('relistLoop');
    }

    function waitThen(error: unknown, then: Step): Step {
      const { delayMs, attempt } = backoff.next(scheduler.now(), retryAfterMs(error));
      const event: BackoffEvent = { type: 'BACKOFF', delayMs, attempt, error, next: then.kind === 'watch' ? 'rewatch' : 'relist' };
      return { kind: 'wait', event, then };
    }

    function watchTimeoutSeconds(): number {
      return Math.floor(minTimeout + random() * minTimeout);
    }

    function drive(): void {
      if (driving) return;
      driving = true;
      while (next !== undefined && !subscriber.closed) {
        const step = next;
        next = undefined;
        current?.unsubscribe();
        current = run(step).subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => subscriber.error(error),
          complete: () => drive(),
        });
      }
      driving = false;
    }

    function run(step: Step): Observable<ListWatchEvent<T>> {
      switch (step.kind) {
        case 'list':
          return runList(step.reason);
        case 'stream':
          return runStream(step.reason);
        case 'watch':
          return runWatch();
        case 'wait':
          return new Observable<ListWatchEvent<T>>((out) => {
            out.next(step.event);
            return scheduler.schedule(() => {
              next = step.then;
              out.complete();
            }, step.event.delayMs);
          });
      }
    }

    function runList(reason: RelistReason): Observable<ListWatchEvent<T>> {
      return new Observable<ListWatchEvent<T>>((out) => {
        const resourceVersion = resourceVersionUnavailable
          ? undefined
          : lastSyncResourceVersion ?? (options.listSemantic === 'mostRecent' ? undefined : '0');
        const specific = resourceVersion !== undefined && resourceVersion !== '0';
        let limit: number | undefined;
        // A relist that could not catch up lists in one request: page round trips only widen the
        // gap between the list's resourceVersion and the watch that follows it.
        if (reason === 'relistLoop') limit = undefined;
        else if (options.pageSize !== undefined) limit = options.pageSize > 0 ? options.pageSize : undefined;
        else if (paginatedResult) limit = defaultPageSize;
        else limit = specific ? undefined : defaultPageSize;
        const first: ListOptions = {};
        if (resourceVersion !== undefined) first.resourceVersion = resourceVersion;
        if (limit !== undefined) first.limit = limit;

        let page: Subscription | undefined;
        let listResourceVersion: string | undefined;
        let pageCount = 0;
        // Page requests run from this loop, not from the previous page's callback, so a source
        // that answers synchronously (in memory, in tests) cannot grow the stack page by page.
        let queued: { readonly options: ListOptions; readonly continuation: boolean } | undefined;
        let requesting = false;

        const fail = (error: unknown, continuation: boolean): void => {
          if (continuation && isExpired(error)) {
            // The continue token expired: one unpaginated list at the original resourceVersion.
            out.next({ type: 'LIST_START', reason, mode: 'list' });
            listResourceVersion = undefined;
            const full: ListOptions = {};
            if (resourceVersion !== undefined) full.resourceVersion = resourceVersion;
            fetchPage(full, false);
            return;
          }
          if ((isExpired(error) || isTooLargeResourceVersion(error)) && !resourceVersionUnavailable) {
            resourceVersionUnavailable = true;
            next = { kind: 'list', reason: isExpired(error) ? 'expired' : 'tooLargeResourceVersion' };
          } else {
            next = waitThen(error, relistStep('error'));
          }
          out.complete();
        };

        const fetchPage = (options: ListOptions, continuation: boolean): void => {
          queued = { options, continuation };
          if (requesting) return;
          requesting = true;
          while (queued !== undefined && !out.closed) {
            const request = queued;
            queued = undefined;
            requestPage(request.options, request.continuation);
          }
          requesting = false;
        };

        const requestPage = (options: ListOptions, continuation: boolean): void => {
          const subscription = source.list(options).subscribe({
            next: (list: ObjectList<T>) => {
              if (out.closed) return;
              const invalid = trusted ? undefined : invalidList(list);
              if (invalid !== undefined) {
                fail(invalid, false);
                return;
              }
              pageCount += 1;
              if (listResourceVersion === undefined) listResourceVersion = list.metadata.resourceVersion;
              if (pageCount === 1 && !continuation && resourceVersion === '0' && list.metadata.continue) paginatedResult = true;
              const remaining = list.metadata.remainingItemCount;
              const pageEvent: ListPageEvent<T> = remaining === undefined
                ? { type: 'LIST_PAGE', items: list.items }
                : { type: 'LIST_PAGE', items: list.items, remainingItemCount: remaining };
              // Only sharded sources set shardFilter; unsharded pages keep the two shapes above.
              out.next(list.shardFilter === undefined ? pageEvent : { ...pageEvent, shardFilter: list.shardFilter });
              const token = list.metadata.continue;
              if (token) {
                const more: ListOptions = { continue: token };
                if (limit !== undefined) more.limit = limit;
                fetchPage(more, true);
              } else {
                done();
              }
            },
            error: (error: unknown) => {
              if (!out.closed) fail(error, continuation);
            },
          });
          // A synchronous source may already have moved on to the next page.
          if (!subscription.closed) page = subscription;
        };

        const done = (): void => {
          const rv = listResourceVersion ?? '';
          lastSyncResourceVersion = rv;
          resourceVersionUnavailable = false;
          firstWatchAfterList = true;
          out.next({ type: 'LIST_DONE', resourceVersion: rv });
          next = { kind: 'watch' };
          out.complete();
        };

        out.next({ type: 'LIST_START', reason, mode: 'list' });
        fetchPage(first, false);
        return () => page?.unsubscribe();
      });
    }

    function runWatch(): Observable<ListWatchEvent<T>> {
      return new Observable<ListWatchEvent<T>>((out) => {
        const resourceVersion = lastSyncResourceVersion ?? '';
        const started = scheduler.now();
        const afterList = firstWatchAfterList;
        firstWatchAfterList = false;
        let received = 0;
        // Whether this watch follows a list and was refused with 410 before delivering anything
        // (that list's resourceVersion had already left the server's history); any other end of
        // such a watch shows the list caught up. Runs when the watch ends, never per event.
        const countAfterList = (error: unknown): void => {
          if (!afterList) return;
          expiredFirstWatches = received === 0 && isExpired(error) ? expiredFirstWatches + 1 : 0;
        };
        const onError = (error: unknown): Step => {
          countAfterList(error);
          return afterWatchError(error);
        };
        out.next({ type: 'WATCH_START', resourceVersion });
        const watch = source.watch({ resourceVersion, allowWatchBookmarks: bookmarks, timeoutSeconds: watchTimeoutSeconds() }).subscribe({
          next: (event) => {
            const accepted = acceptOrEnd(out, event, onError);
            if (accepted === undefined) return;
            received += 1;
            lastSyncResourceVersion = accepted.object.metadata?.resourceVersion ?? lastSyncResourceVersion;
            out.next(accepted);
          },
          error: (error: unknown) => {
            if (out.closed) return;
            countAfterList(error);
            next = !isDeadConnection(error) && isCutOfEstablishedWatch(error, received, scheduler.now() - started) ? { kind: 'watch' } : afterWatchError(error);
            out.complete();
          },
          complete: () => {
            if (out.closed) return;
            countAfterList(undefined);
            next = received === 0 && scheduler.now() - started < veryShortWatchMs
              ? waitThen(new Error('very short watch: the server closed it within a second, with no event'), relistStep('veryShortWatch'))
              : { kind: 'watch' };
            out.complete();
          },
        });
        return () => watch.unsubscribe();
      });
    }

    function runStream(reason: RelistReason): Observable<ListWatchEvent<T>> {
      return new Observable<ListWatchEvent<T>>((out) => {
        const resourceVersion = resourceVersionUnavailable ? undefined : lastSyncResourceVersion;
        let initial = true;
        out.next({ type: 'LIST_START', reason, mode: 'stream' });
        const watch = source.watch({
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
          resourceVersionMatch: 'NotOlderThan',
          sendInitialEvents: true,
          allowWatchBookmarks: true,
          timeoutSeconds: watchTimeoutSeconds(),
        }).subscribe({
          next: (event) => {
            const accepted = acceptOrEnd(out, event, (error) => (initial ? afterStreamError(error, reason) : afterWatchError(error)));
            if (accepted === undefined) return;
            const rv = accepted.object.metadata?.resourceVersion;
            if (initial) {
              if (accepted.type === 'BOOKMARK' && accepted.object.metadata?.annotations?.[initialEventsEnd] === 'true') {
                initial = false;
                streamsWithoutBookmark = 0;
                expiredFirstWatches = 0;
                lastSyncResourceVersion = rv ?? '';
                resourceVersionUnavailable = false;
                out.next({ type: 'LIST_DONE', resourceVersion: lastSyncResourceVersion });
                out.next({ type: 'WATCH_START', resourceVersion: lastSyncResourceVersion });
                return;
              }
              out.next(accepted);
              return;
            }
            lastSyncResourceVersion = rv ?? lastSyncResourceVersion;
            out.next(accepted);
          },
          error: (error: unknown) => {
            if (out.closed) return;
            if (initial) next = afterStreamError(error, reason);
            else next = isCut(error) && !isDeadConnection(error) ? { kind: 'watch' } : afterWatchError(error);
            out.complete();
          },
          complete: () => {
            if (out.closed) return;
            if (initial) {
              // The stream ended without the initial-events-end bookmark: cut short by a proxy, or
              // a server that ignores streaming lists (then only its timeoutSeconds ends it). List
              // for this relist; after two such streams in a row, stop streaming altogether.
              streamsWithoutBookmark += 1;
              if (streamsWithoutBookmark >= 2) {
                streaming = false;
                streamingRefused = true;
              }
              next = { kind: 'list', reason: fallbackReason(reason) };
            } else {
              next = { kind: 'watch' };
            }
            out.complete();
          },
        });
        return () => watch.unsubscribe();
      });
    }

    /** Validates an event of the phase `out`; a bad one ends the phase, `onError` choosing the next step. */
    function acceptOrEnd(out: Subscriber<ListWatchEvent<T>>, event: WatchEvent<T>, onError: (error: unknown) => Step): ObjectEvent<T> | undefined {
      if (out.closed) return undefined;
      // rxkube's transports emit only events that passed the same checks: check each event once.
      if (trusted && event.type !== 'ERROR') return event;
      try {
        return acceptEvent(event);
      } catch (error) {
        next = onError(error);
        out.complete();
        return undefined;
      }
    }

    function afterStreamError(error: unknown, reason: RelistReason): Step {
      // Throttling and transport failures: try the streaming list again after a backoff.
      if (isTooManyRequests(error) || isCut(error)) return waitThen(error, relistStep('error'));
      if ((isExpired(error) || isTooLargeResourceVersion(error)) && !resourceVersionUnavailable) {
        resourceVersionUnavailable = true;
        return { kind: 'stream', reason: isExpired(error) ? 'expired' : 'tooLargeResourceVersion' };
      }
      // The server refuses streaming lists (400/422): list + watch from now on. Any other error (a
      // 500 or 403 from a proxy or an aggregated API, an undecodable stream): list for this relist
      // — making progress is better than retrying a stream that may never work (client-go).
      if (isApiErrorShape(error) && (error.code === 400 || error.code === 422)) {
        streaming = false;
        streamingRefused = true;
      }
      return { kind: 'list', reason: fallbackReason(reason) };
    }

    /**
     * Whether `error` ends a watch that was established, by a cut of the connection rather than a
     * failure: client-go closes such a watch normally and opens the next at once. Established: it
     * delivered an event, or stayed open for the very-short-watch second — but a stall of a watch
     * that never delivered anything is no evidence the server is there.
     */
    function isCutOfEstablishedWatch(error: unknown, received: number, openMs: number): boolean {
      if (!isCut(error)) return false;
      if (received > 0) return true;
      return openMs >= veryShortWatchMs && !(error instanceof WatchStalledError);
    }

    function afterWatchError(error: unknown): Step {
      // A stalled watch is a dead connection: reported, then re-opened at once, never backed off.
      if (isDeadConnection(error)) return { kind: 'wait', event: { type: 'BACKOFF', delayMs: 0, attempt: 1, error, next: 'rewatch' }, then: { kind: 'watch' } };
      if (isTooManyRequests(error)) return waitThen(error, { kind: 'watch' });
      if (isExpired(error)) return waitThen(error, relistAfterExpiredWatch());
      if (isTooLargeResourceVersion(error)) return waitThen(error, relistStep('tooLargeResourceVersion'));
      // A transport failure (connection refused or reset, stall, a stream cut mid-line): resume
      // from the same resourceVersion.
      if (isCut(error)) return waitThen(error, { kind: 'watch' });
      return waitThen(error, relistStep('error'));
    }

    drive();
    return () => {
      next = undefined;
      current?.unsubscribe();
    };
  });
}

/** The reason of the list that replaces a failed streaming list: a relist loop stays one. */
function fallbackReason(reason: RelistReason): RelistReason {
  return reason === 'relistLoop' ? 'relistLoop' : 'streamingFallback';
}

/**
 * Whether `error` is the transport's rather than the server's or the parser's: a network failure
 * (anything without an API status code: a reset, an unexpected EOF, an HTTP client's timeout, a
 * stall) or a stream that ended in the middle of a line.
 */
function isCut(error: unknown): boolean {
  if (error instanceof WatchStreamError) return error.reason === 'Truncated';
  return !isApiErrorShape(error);
}

/** Validates one watch event; ERROR events and anything malformed become errors. */
function acceptEvent<T extends KubeObject>(event: WatchEvent<T>): ObjectEvent<T> {
  if (typeof event !== 'object' || event === null) throw new WatchStreamError('InvalidEvent', 'watch event is not an object');
  const type: unknown = event.type;
  if (type === 'ERROR') {
    const status: unknown = event.object;
    throw ApiError.fromStatus(typeof status === 'object' && status !== null ? (status as Status) : {});
  }
  if (typeof type !== 'string' || !objectEventTypes.has(type)) {
    throw new WatchStreamError('UnknownEventType', `unknown watch event type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
  const object = event.object as T | null | undefined;
  const metadata = typeof object === 'object' && object !== null ? object.metadata : undefined;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.resourceVersion !== 'string') {
    throw new WatchStreamError('InvalidEvent', `${type} event without metadata.resourceVersion`);
  }
  if (type !== 'BOOKMARK' && (typeof metadata.name !== 'string' || metadata.name === '')) {
    throw new WatchStreamError('InvalidEvent', `${type} event without metadata.name`);
  }
  return event as ObjectEvent<T>;
}

/** Returns an error for a list page that an informer cannot store, or undefined. */
function invalidList(list: ObjectList<KubeObject>): Error | undefined {
  if (typeof list !== 'object' || list === null || !Array.isArray(list.items)) {
    return new WatchStreamError('InvalidEvent', 'list response without an items array');
  }
  if (typeof list.metadata?.resourceVersion !== 'string') {
    return new WatchStreamError('InvalidEvent', 'list response without metadata.resourceVersion');
  }
  for (const item of list.items) {
    const name: unknown = item?.metadata?.name;
    if (typeof name !== 'string' || name === '') return new WatchStreamError('InvalidEvent', 'list item without metadata.name');
  }
  return undefined;
}
