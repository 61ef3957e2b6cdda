import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import type { ListWatch } from '../model/wire.ts';
import { createBackoff, type Backoff, type BackoffOptions } from '../backoff/create-backoff.ts';
import { retryAfterMs } from '../backoff/retry-after-ms.ts';
import { isValidated } from './validated-sources.ts';
import { initialLoopState, loopTransition, type LoopCommand, type LoopConfig, type LoopInput, type LoopPhase, type LoopState } from './loop-transition.ts';

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
   * `list`, a relist loop (see `RelistReason` `relistLoop`) switches to streaming for the
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
   * loop lists again at once with a consistent read. `informer` passes it on its own.
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
 * The loop is a state machine (phases `Empty`, `InitPage`, `InitialWatch`, `InitListed`,
 * `Watching`, `Backoff`, as kube-rs's `watcher`): one pure transition function decides every
 * step above, and this observable only performs the request it asks for, feeds the answers back
 * and waits the backoff. Each event and page is validated once, there (rxkube's own transports
 * validate while decoding, so the loop trusts them). See "The loop as a state machine" in
 * docs/reliability.md for the table of transitions.
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
    const config: LoopConfig = {
      pageSize: options.pageSize,
      listSemantic: options.listSemantic ?? 'any',
      bookmarks: options.bookmarks ?? true,
      trusted: isValidated(source),
    };

    // The whole state of the loop: everything else here is plumbing (see loop-transition.ts).
    let state: LoopState = initialLoopState(options);
    // The request (or wait) in flight, and a counter that tells its callbacks from stale ones.
    let request: Subscription | undefined;
    let generation = 0;
    // Inputs are queued and applied from one loop, so a source that answers synchronously (in
    // memory, in tests) cannot grow the stack page by page or watch by watch. Each remembers the
    // request it came from: once a transition has ended that request, the rest of its inputs
    // (events a synchronous source emitted after a bad one) are dropped.
    const inputs: { readonly input: LoopInput<T>; readonly generation: number }[] = [];
    let head = 0;
    let driving = false;

    function feed(input: LoopInput<T>, from: number): void {
      if (driving) {
        inputs.push({ input, generation: from });
        return;
      }
      if (from !== generation) return;
      driving = true;
      try {
        apply(input);
        while (head < inputs.length && !subscriber.closed) {
          const next = inputs[head++]!;
          if (next.generation === generation) apply(next.input);
        }
      } catch (error) {
        // A source that throws instead of returning an observable: a bug, not a server failure.
        subscriber.error(error);
      } finally {
        if (inputs.length > 0) {
          inputs.length = 0;
          head = 0;
        }
        driving = false;
      }
    }

    function apply(input: LoopInput<T>): void {
      const transition = loopTransition(state, input, config);
      state = transition.state;
      if (transition.command !== undefined || !holdsRequest(state.phase)) endRequest();
      for (const event of transition.emit) {
        subscriber.next(event);
        if (subscriber.closed) return;
      }
      if (transition.command !== undefined) execute(transition.command);
      if (!holdsRequest(state.phase)) inputs.push({ input: { type: 'open', nowMs: scheduler.now() }, generation });
    }

    function endRequest(): void {
      generation += 1;
      const ended = request;
      request = undefined;
      ended?.unsubscribe();
    }

    function execute(command: LoopCommand): void {
      const id = generation;
      switch (command.kind) {
        case 'list':
          request = source.list(command.options).subscribe({
            next: (list) => feed({ type: 'page', list }, id),
            error: (error: unknown) => feed({ type: 'listFailed', error }, id),
          });
          break;
        case 'watch':
          request = source.watch({ ...command.options, timeoutSeconds: Math.floor(minTimeout + random() * minTimeout) }).subscribe({
            next: (event) => feed({ type: 'event', event }, id),
            error: (error: unknown) => feed({ type: 'watchFailed', error, nowMs: scheduler.now() }, id),
            complete: () => feed({ type: 'watchEnded', nowMs: scheduler.now() }, id),
          });
          break;
        case 'backoff': {
          const { error, next } = command;
          const { delayMs, attempt } = command.immediate ? { delayMs: 0, attempt: 1 } : backoff.next(scheduler.now(), retryAfterMs(error));
          subscriber.next({ type: 'BACKOFF', delayMs, attempt, error, next });
          if (subscriber.closed) return;
          request = scheduler.schedule(() => feed({ type: 'waited' }, id), delayMs);
          break;
        }
      }
    }

    feed({ type: 'open', nowMs: scheduler.now() }, generation);
    return () => endRequest();
  });
}

/** Whether a request (or a wait) is in flight in `phase`. */
function holdsRequest(phase: LoopPhase): boolean {
  return phase.kind !== 'Empty' && phase.kind !== 'InitListed';
}
