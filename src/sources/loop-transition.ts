/**
 * The list/watch loop's state machine: the states of {@link listWatch} as a discriminated union
 * and one pure function from a state and an input (a page, a watch event, a failure, the end of
 * a wait) to the next state, the events to emit and the one request to make. No I/O, no clock, no
 * randomness: times arrive in the inputs, and waiting, drawing backoff delays and watch timeouts
 * is the driver's (`list-watch.ts`).
 *
 * The phases follow kube-rs's `watcher` (`Empty → InitPage → InitListed → Watching`, with
 * `InitialWatch` for streaming lists), plus `Backoff`, the wait after a failure:
 *
 * ```
 *             open (list)            page, no continue token
 *   Empty ───────────────▶ InitPage ─────────────────────────▶ InitListed ──open──▶ Watching
 *     │ ▲                  ▲     │ page + token: next page        ▲  ▲                 │
 *     │ │                  └─────┘ 410 on a continue: full list    │  └─ ended / cut ──┘
 *     │ └──── 410 / too large on a list or stream, stream fallback │     (resume from the last RV)
 *     │ open (stream)                    initial-events-end bookmark │
 *     └────────────▶ InitialWatch ─────────────────────────────────▶ Watching (same request)
 *                 any failure that needs a wait ──▶ Backoff ──waited──▶ Empty | InitListed
 * ```
 *
 * | phase | input | condition | next phase | emits | request |
 * |---|---|---|---|---|---|
 * | Empty | open | mode `list` | InitPage | `LIST_START` (list) | list page 1 |
 * | Empty | open | mode `stream` | InitialWatch | `LIST_START` (stream) | watch, `sendInitialEvents` |
 * | InitPage | page | invalid (untrusted source) | Backoff → Empty(`error`) | | backoff |
 * | InitPage | page | continue token | InitPage | `LIST_PAGE` | next page |
 * | InitPage | page | last page | InitListed(after a list) | `LIST_PAGE`, `LIST_DONE` | |
 * | InitPage | listFailed | 410 on a continue request | InitPage | `LIST_START` | one unpaginated list |
 * | InitPage | listFailed | 410 / too large, resourceVersion not yet dropped | Empty(list, consistent read) | | |
 * | InitPage | listFailed | anything else | Backoff → Empty(`error`) | | backoff |
 * | InitialWatch | event | invalid, or an `ERROR` | as failed below | | |
 * | InitialWatch | event | the initial-events-end bookmark | Watching(since stream) | `LIST_DONE`, `WATCH_START` | |
 * | InitialWatch | event | any other | InitialWatch | the event | |
 * | InitialWatch | watchFailed | 429 or a transport failure | Backoff → Empty(`error`) | | backoff |
 * | InitialWatch | watchFailed | 410 / too large, resourceVersion not yet dropped | Empty(stream, no resourceVersion) | | |
 * | InitialWatch | watchFailed | anything else (400/422 turn streaming off) | Empty(list, `streamingFallback`) | | |
 * | InitialWatch | watchEnded | (the second in a row turns streaming off) | Empty(list, `streamingFallback`) | | |
 * | InitListed | open | | Watching(since list or watch) | `WATCH_START` | watch from the last RV |
 * | Watching | event | valid | Watching | the event (its RV becomes the last RV) | |
 * | Watching | event | invalid, or an `ERROR` | as watchFailed, ending the request | | |
 * | Watching | watchFailed | a cut of an established watch (not a stall) | InitListed | | |
 * | Watching | watchFailed | a stall (dead connection) | Backoff(0 ms) → InitListed | | `BACKOFF` of 0 ms |
 * | Watching | watchFailed | 429, or a transport failure | Backoff → InitListed | | backoff |
 * | Watching | watchFailed | 410 | Backoff → Empty(`expired`, or `relistLoop` after two lists in a row) | | backoff |
 * | Watching | watchFailed | too large / anything else | Backoff → Empty(`tooLargeResourceVersion` / `error`) | | backoff |
 * | Watching | watchEnded | nothing delivered within a second (not after a stream) | Backoff → Empty(`veryShortWatch`) | | backoff |
 * | Watching | watchEnded | otherwise | InitListed | | |
 * | Backoff | waited | | its `then` (Empty or InitListed) | | |
 *
 * Any other pair is a bug of the driver and throws. `Empty` and `InitListed` hold no request:
 * the driver answers them with `open` at once.
 *
 * Invariants (tested in `test/property/loop-transition.property.test.ts`): a watch resumes from the
 * resourceVersion of the last event or `LIST_DONE` emitted, never an older one; brackets nest
 * (`LIST_START … LIST_DONE`, then `WATCH_START`); every failure either lists or watches again,
 * directly or after one wait.
 *
 * @module
 * @internal
 */
import type { KubeObject } from '../model/kube-object.ts';
import { WatchStalledError, WatchStreamError } from '../model/errors.ts';
import type { ListWatchEvent, ObjectEvent, RelistReason } from '../model/list-watch-event.ts';
import type { ListOptions, ObjectList, WatchEvent, WatchOptions } from '../model/wire.ts';
import { isApiErrorShape, isDeadConnection, isExpired, isTooLargeResourceVersion, isTooManyRequests } from './classify-error.ts';
import { acceptWatchEvent, invalidList } from './loop-validation.ts';

/** What the loop was configured with: fixed for a subscription. @internal */
export interface LoopConfig {
  /** `ListWatchOptions.pageSize`, `undefined` for client-go's policy. */
  readonly pageSize: number | undefined;
  /** `ListWatchOptions.listSemantic`. */
  readonly listSemantic: 'any' | 'mostRecent';
  /** Request `BOOKMARK` events on plain watches. */
  readonly bookmarks: boolean;
  /** The source validated its pages and events already (one check per event). */
  readonly trusted: boolean;
}

/** What the loop remembers across phases, for the whole subscription. @internal */
export interface LoopMemory {
  /** The resourceVersion of the last `LIST_DONE` or event delivered: where watches resume. */
  readonly lastSyncResourceVersion: string | undefined;
  /** A list or stream at `lastSyncResourceVersion` was refused (410, too large): read consistently. */
  readonly resourceVersionUnavailable: boolean;
  /** The `resourceVersion=0` list came back paginated: keep paginating relists. */
  readonly paginatedResult: boolean;
  /** Relists stream (`sendInitialEvents`). */
  readonly streaming: boolean;
  /** The server refused streaming (400/422, or two streams without their bookmark). */
  readonly streamingRefused: boolean;
  /** Streams in a row that ended before their initial-events-end bookmark. */
  readonly streamsWithoutBookmark: number;
  /** Lists in a row whose first watch was refused with 410 before delivering anything. */
  readonly expiredFirstWatches: number;
}

/** A relist is due: nothing in flight. @internal */
export interface EmptyPhase {
  /** Discriminant. */
  readonly kind: 'Empty';
  /** Why the loop lists (the next `LIST_START`'s reason). */
  readonly reason: RelistReason;
  /** A paginated list, or a streaming list. */
  readonly mode: 'list' | 'stream';
}

/** The loop has a resourceVersion and opens a watch from it: nothing in flight. @internal */
export interface InitListedPhase {
  /** Discriminant. */
  readonly kind: 'InitListed';
  /** The watch is the first after a plain list (relist-loop detection). */
  readonly afterList: boolean;
}

/** The loop's phase: which request is in flight (if any) and what it needs to know about it. @internal */
export type LoopPhase =
  | EmptyPhase
  | {
      /** Discriminant: a paginated list in flight. */
      readonly kind: 'InitPage';
      /** The list's reason. */
      readonly reason: RelistReason;
      /** The resourceVersion the first page asked for. */
      readonly resourceVersion: string | undefined;
      /** The page size, if paginated. */
      readonly limit: number | undefined;
      /** The request in flight carries a continue token. */
      readonly continuation: boolean;
      /** Pages received. */
      readonly pages: number;
      /** The first page's resourceVersion: the list's. */
      readonly listResourceVersion: string | undefined;
    }
  | {
      /** Discriminant: a streaming list in flight, before its initial-events-end bookmark. */
      readonly kind: 'InitialWatch';
      /** The list's reason. */
      readonly reason: RelistReason;
    }
  | InitListedPhase
  | {
      /** Discriminant: a watch in flight. */
      readonly kind: 'Watching';
      /** What the watch follows: a plain list, a previous watch, or it continues a streaming list. */
      readonly since: 'list' | 'watch' | 'stream';
      /** When it opened. */
      readonly openedAtMs: number;
      /** It delivered an event. */
      readonly delivered: boolean;
    }
  | {
      /** Discriminant: waiting after a failure. */
      readonly kind: 'Backoff';
      /** The phase after the wait. */
      readonly then: EmptyPhase | InitListedPhase;
    };

/** The loop's whole state. @internal */
export interface LoopState {
  /** The current phase. */
  readonly phase: LoopPhase;
  /** What is remembered across phases. */
  readonly memory: LoopMemory;
}

/** What happened: the driver feeds one input per callback of the request in flight. @internal */
export type LoopInput<T extends KubeObject> =
  | { readonly type: 'open'; readonly nowMs: number }
  | { readonly type: 'page'; readonly list: ObjectList<T> }
  | { readonly type: 'listFailed'; readonly error: unknown }
  | { readonly type: 'event'; readonly event: WatchEvent<T> }
  | { readonly type: 'watchFailed'; readonly error: unknown; readonly nowMs: number }
  | { readonly type: 'watchEnded'; readonly nowMs: number }
  | { readonly type: 'waited' };

/**
 * The request a transition asks for; a new one ends the request in flight. `backoff` waits
 * (announced with a `BACKOFF` event the driver builds from its backoff's delay) and then feeds
 * `waited`; `immediate` waits 0 ms without advancing the backoff (a dead connection). @internal
 */
export type LoopCommand =
  | { readonly kind: 'list'; readonly options: ListOptions }
  | { readonly kind: 'watch'; readonly options: Omit<WatchOptions, 'timeoutSeconds'> }
  | { readonly kind: 'backoff'; readonly error: unknown; readonly next: 'relist' | 'rewatch'; readonly immediate: boolean };

/** The result of {@link loopTransition}. @internal */
export interface LoopTransition<T extends KubeObject> {
  /** The next state. */
  readonly state: LoopState;
  /** Events to emit, in order. */
  readonly emit: readonly ListWatchEvent<T>[];
  /** The request to make, if any. */
  readonly command: LoopCommand | undefined;
}

const defaultPageSize = 500;
const veryShortWatchMs = 1000;
/**
 * Consecutive (re)lists whose first watch was refused with 410 — before delivering anything —
 * after which the loop calls it a relist loop: the server's history is shorter than a list takes.
 */
const relistLoopCycles = 2;
const initialEventsEnd = 'k8s.io/initial-events-end';
const none: readonly never[] = [];

/**
 * The state of a new subscription: `Empty`, about to list (or stream) for reason `initial`.
 *
 * @example
 * ```ts
 * import { initialLoopState } from './loop-transition.ts'; // internal, not API
 * initialLoopState({ initialList: 'stream' }).phase; // { kind: 'Empty', reason: 'initial', mode: 'stream' }
 * ```
 * @param options - the initial-list strategy and the resourceVersion a previous loop synced to.
 * @returns the first state.
 * @internal
 */
export function initialLoopState(options: { readonly initialList?: 'list' | 'stream'; readonly lastSyncResourceVersion?: string | undefined }): LoopState {
  const streaming = options.initialList === 'stream';
  return {
    phase: { kind: 'Empty', reason: 'initial', mode: streaming ? 'stream' : 'list' },
    memory: {
      lastSyncResourceVersion: options.lastSyncResourceVersion || undefined,
      resourceVersionUnavailable: false,
      paginatedResult: false,
      streaming,
      streamingRefused: false,
      streamsWithoutBookmark: 0,
      expiredFirstWatches: 0,
    },
  };
}

/**
 * One step of the list/watch loop (see the module's table): from `state` and what happened,
 * the next state, the events to emit and the request to make. Pure: the same arguments give the
 * same answer, and nothing is mutated. Each watch event and list page is validated here, once
 * (not at all when `config.trusted`).
 *
 * @example
 * ```ts
 * import { initialLoopState, loopTransition } from './loop-transition.ts'; // internal, not API
 * const config = { pageSize: undefined, listSemantic: 'any', bookmarks: true, trusted: false } as const;
 * const { emit, command } = loopTransition(initialLoopState({}), { type: 'open', nowMs: 0 }, config);
 * // emit: [{ type: 'LIST_START', reason: 'initial', mode: 'list' }]
 * // command: { kind: 'list', options: { resourceVersion: '0', limit: 500 } }
 * ```
 * @param state - the current state.
 * @param input - what happened.
 * @param config - the subscription's options.
 * @returns the next state, events and request.
 * @throws Error when `input` cannot happen in `state` (a bug of the driver).
 * @internal
 */
export function loopTransition<T extends KubeObject>(state: LoopState, input: LoopInput<T>, config: LoopConfig): LoopTransition<T> {
  const { phase, memory } = state;
  switch (phase.kind) {
    case 'Empty':
      if (input.type === 'open') return phase.mode === 'stream' ? openStream(phase, memory) : openList(phase, memory, config);
      break;
    case 'InitListed':
      if (input.type === 'open') {
        const resourceVersion = memory.lastSyncResourceVersion ?? '';
        return {
          state: { phase: { kind: 'Watching', since: phase.afterList ? 'list' : 'watch', openedAtMs: input.nowMs, delivered: false }, memory },
          emit: [{ type: 'WATCH_START', resourceVersion }],
          command: { kind: 'watch', options: { resourceVersion, allowWatchBookmarks: config.bookmarks } },
        };
      }
      break;
    case 'InitPage':
      if (input.type === 'page') return onPage(phase, memory, input.list, config);
      if (input.type === 'listFailed') return onListFailed(phase, memory, input.error);
      break;
    case 'InitialWatch':
      if (input.type === 'event') return onStreamEvent(phase, memory, input.event, config);
      if (input.type === 'watchFailed') return afterStreamError(memory, input.error, phase.reason);
      if (input.type === 'watchEnded') {
        // The stream ended without the initial-events-end bookmark: cut short by a proxy, or a
        // server that ignores streaming lists (then only its timeoutSeconds ends it). List for
        // this relist; after two such streams in a row, stop streaming altogether.
        const streamsWithoutBookmark = memory.streamsWithoutBookmark + 1;
        const refused = streamsWithoutBookmark >= 2;
        return to(
          { kind: 'Empty', reason: fallbackReason(phase.reason), mode: 'list' },
          refused ? { ...memory, streamsWithoutBookmark, streaming: false, streamingRefused: true } : { ...memory, streamsWithoutBookmark },
        );
      }
      break;
    case 'Watching':
      if (input.type === 'event') return onWatchEvent(phase, memory, input.event, config);
      if (input.type === 'watchFailed') return onWatchFailed(phase, memory, input.error, input.nowMs);
      if (input.type === 'watchEnded') {
        if (phase.since === 'stream') return to({ kind: 'InitListed', afterList: false }, memory);
        const counted = countAfterList(phase, memory, undefined);
        return !phase.delivered && input.nowMs - phase.openedAtMs < veryShortWatchMs
          ? backoff(counted, new Error('very short watch: the server closed it within a second, with no event'), relist(counted, 'veryShortWatch'))
          : to({ kind: 'InitListed', afterList: false }, counted);
      }
      break;
    case 'Backoff':
      if (input.type === 'waited') return to(phase.then, memory);
      break;
  }
  throw new Error(`listWatch: no transition from ${phase.kind} on ${input.type}`);
}

function to<T extends KubeObject>(phase: LoopPhase, memory: LoopMemory, emit: readonly ListWatchEvent<T>[] = none, command?: LoopCommand): LoopTransition<T> {
  return { state: { phase, memory }, emit, command };
}

/** `memory` with another last resourceVersion: the per-event case, so a literal rather than a spread. */
function withResourceVersion(memory: LoopMemory, lastSyncResourceVersion: string | undefined): LoopMemory {
  return {
    lastSyncResourceVersion,
    resourceVersionUnavailable: memory.resourceVersionUnavailable,
    paginatedResult: memory.paginatedResult,
    streaming: memory.streaming,
    streamingRefused: memory.streamingRefused,
    streamsWithoutBookmark: memory.streamsWithoutBookmark,
    expiredFirstWatches: memory.expiredFirstWatches,
  };
}

/** The relist for `reason`: streamed when the loop streams. */
function relist(memory: LoopMemory, reason: RelistReason): EmptyPhase {
  return { kind: 'Empty', reason, mode: memory.streaming ? 'stream' : 'list' };
}

const resume: InitListedPhase = { kind: 'InitListed', afterList: false };

/** Waits the backoff after `error`, then goes on to `then`. */
function backoff<T extends KubeObject>(memory: LoopMemory, error: unknown, then: EmptyPhase | InitListedPhase, immediate = false): LoopTransition<T> {
  return to({ kind: 'Backoff', then }, memory, none, { kind: 'backoff', error, next: then.kind === 'InitListed' ? 'rewatch' : 'relist', immediate });
}

function openList<T extends KubeObject>(phase: EmptyPhase, memory: LoopMemory, config: LoopConfig): LoopTransition<T> {
  const resourceVersion = memory.resourceVersionUnavailable
    ? undefined
    : memory.lastSyncResourceVersion ?? (config.listSemantic === 'mostRecent' ? undefined : '0');
  const specific = resourceVersion !== undefined && resourceVersion !== '0';
  let limit: number | undefined;
  // A relist that could not catch up lists in one request: page round trips only widen the gap
  // between the list's resourceVersion and the watch that follows it.
  if (phase.reason === 'relistLoop') limit = undefined;
  else if (config.pageSize !== undefined) limit = config.pageSize > 0 ? config.pageSize : undefined;
  else if (memory.paginatedResult) limit = defaultPageSize;
  else limit = specific ? undefined : defaultPageSize;
  const options: ListOptions = {};
  if (resourceVersion !== undefined) options.resourceVersion = resourceVersion;
  if (limit !== undefined) options.limit = limit;
  return to(
    { kind: 'InitPage', reason: phase.reason, resourceVersion, limit, continuation: false, pages: 0, listResourceVersion: undefined },
    memory,
    [{ type: 'LIST_START', reason: phase.reason, mode: 'list' }],
    { kind: 'list', options },
  );
}

function openStream<T extends KubeObject>(phase: EmptyPhase, memory: LoopMemory): LoopTransition<T> {
  const resourceVersion = memory.resourceVersionUnavailable ? undefined : memory.lastSyncResourceVersion;
  return to({ kind: 'InitialWatch', reason: phase.reason }, memory, [{ type: 'LIST_START', reason: phase.reason, mode: 'stream' }], {
    kind: 'watch',
    options: {
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      resourceVersionMatch: 'NotOlderThan',
      sendInitialEvents: true,
      allowWatchBookmarks: true,
    },
  });
}

type InitPage = Extract<LoopPhase, { kind: 'InitPage' }>;

function onPage<T extends KubeObject>(phase: InitPage, memory: LoopMemory, list: ObjectList<T>, config: LoopConfig): LoopTransition<T> {
  const invalid = config.trusted ? undefined : invalidList(list);
  if (invalid !== undefined) return onListFailed({ ...phase, continuation: false }, memory, invalid);
  const pages = phase.pages + 1;
  const listResourceVersion = phase.listResourceVersion ?? list.metadata.resourceVersion;
  const paginatedResult = memory.paginatedResult
    || (pages === 1 && !phase.continuation && phase.resourceVersion === '0' && Boolean(list.metadata.continue));
  const remaining = list.metadata.remainingItemCount;
  const pageEvent: ListWatchEvent<T> = remaining === undefined
    ? { type: 'LIST_PAGE', items: list.items }
    : { type: 'LIST_PAGE', items: list.items, remainingItemCount: remaining };
  // Only sharded sources set shardFilter; unsharded pages keep the two shapes above.
  const emitted = list.shardFilter === undefined ? pageEvent : { ...pageEvent, shardFilter: list.shardFilter };
  const next = paginatedResult === memory.paginatedResult ? memory : { ...memory, paginatedResult };
  const token = list.metadata.continue;
  if (token) {
    const options: ListOptions = { continue: token };
    if (phase.limit !== undefined) options.limit = phase.limit;
    return to({ ...phase, continuation: true, pages, listResourceVersion }, next, [emitted], { kind: 'list', options });
  }
  const resourceVersion = listResourceVersion ?? '';
  return to(
    { kind: 'InitListed', afterList: true },
    { ...next, lastSyncResourceVersion: resourceVersion, resourceVersionUnavailable: false },
    [emitted, { type: 'LIST_DONE', resourceVersion }],
  );
}

function onListFailed<T extends KubeObject>(phase: InitPage, memory: LoopMemory, error: unknown): LoopTransition<T> {
  if (phase.continuation && isExpired(error)) {
    // The continue token expired: one unpaginated list at the original resourceVersion.
    const options: ListOptions = {};
    if (phase.resourceVersion !== undefined) options.resourceVersion = phase.resourceVersion;
    return to({ ...phase, continuation: false, listResourceVersion: undefined }, memory, [{ type: 'LIST_START', reason: phase.reason, mode: 'list' }], { kind: 'list', options });
  }
  if ((isExpired(error) || isTooLargeResourceVersion(error)) && !memory.resourceVersionUnavailable) {
    return to({ kind: 'Empty', reason: isExpired(error) ? 'expired' : 'tooLargeResourceVersion', mode: 'list' }, { ...memory, resourceVersionUnavailable: true });
  }
  return backoff(memory, error, relist(memory, 'error'));
}

type Watching = Extract<LoopPhase, { kind: 'Watching' }>;

function onWatchEvent<T extends KubeObject>(phase: Watching, memory: LoopMemory, event: WatchEvent<T>, config: LoopConfig): LoopTransition<T> {
  let accepted: ObjectEvent<T>;
  try {
    accepted = acceptWatchEvent(event, config.trusted);
  } catch (error) {
    // An ERROR event or a malformed one ends the watch as a failure would.
    return phase.since === 'stream' ? afterWatchError(memory, error) : afterWatchError(countAfterList(phase, memory, error), error);
  }
  const lastSyncResourceVersion = accepted.object.metadata?.resourceVersion ?? memory.lastSyncResourceVersion;
  return to(
    phase.delivered ? phase : { ...phase, delivered: true },
    lastSyncResourceVersion === memory.lastSyncResourceVersion ? memory : withResourceVersion(memory, lastSyncResourceVersion),
    [accepted],
  );
}

function onWatchFailed<T extends KubeObject>(phase: Watching, memory: LoopMemory, error: unknown, nowMs: number): LoopTransition<T> {
  if (phase.since === 'stream') return isCut(error) && !isDeadConnection(error) ? to(resume, memory) : afterWatchError(memory, error);
  const counted = countAfterList(phase, memory, error);
  return !isDeadConnection(error) && isCutOfEstablishedWatch(error, phase.delivered, nowMs - phase.openedAtMs)
    ? to(resume, counted)
    : afterWatchError(counted, error);
}

/**
 * Relist-loop bookkeeping when the first watch after a plain list ends: one more in the count if
 * it was refused with 410 before delivering anything (that list's resourceVersion had already
 * left the server's history); any other end shows the list caught up. Runs when a watch ends,
 * never per event.
 */
function countAfterList(phase: Watching, memory: LoopMemory, error: unknown): LoopMemory {
  if (phase.since !== 'list') return memory;
  const expiredFirstWatches = !phase.delivered && isExpired(error) ? memory.expiredFirstWatches + 1 : 0;
  return expiredFirstWatches === memory.expiredFirstWatches ? memory : { ...memory, expiredFirstWatches };
}

function afterWatchError<T extends KubeObject>(memory: LoopMemory, error: unknown): LoopTransition<T> {
  // A stalled watch is a dead connection: reported, then re-opened at once, never backed off.
  if (isDeadConnection(error)) return backoff(memory, error, resume, true);
  if (isTooManyRequests(error)) return backoff(memory, error, resume);
  if (isExpired(error)) {
    if (memory.expiredFirstWatches < relistLoopCycles) return backoff(memory, error, relist(memory, 'expired'));
    // A relist loop: stream the next list (one request, no gap between the state and the watch)
    // unless the server refused streaming.
    const next = memory.streamingRefused ? memory : { ...memory, streaming: true };
    return backoff(next, error, relist(next, 'relistLoop'));
  }
  if (isTooLargeResourceVersion(error)) return backoff(memory, error, relist(memory, 'tooLargeResourceVersion'));
  // A transport failure (connection refused or reset, a stream cut mid-line): resume from the
  // same resourceVersion.
  if (isCut(error)) return backoff(memory, error, resume);
  return backoff(memory, error, relist(memory, 'error'));
}

type InitialWatch = Extract<LoopPhase, { kind: 'InitialWatch' }>;

function onStreamEvent<T extends KubeObject>(phase: InitialWatch, memory: LoopMemory, event: WatchEvent<T>, config: LoopConfig): LoopTransition<T> {
  let accepted: ObjectEvent<T>;
  try {
    accepted = acceptWatchEvent(event, config.trusted);
  } catch (error) {
    return afterStreamError(memory, error, phase.reason);
  }
  if (accepted.type === 'BOOKMARK' && accepted.object.metadata?.annotations?.[initialEventsEnd] === 'true') {
    const resourceVersion = accepted.object.metadata.resourceVersion ?? '';
    return to(
      { kind: 'Watching', since: 'stream', openedAtMs: 0, delivered: false },
      { ...memory, streamsWithoutBookmark: 0, expiredFirstWatches: 0, lastSyncResourceVersion: resourceVersion, resourceVersionUnavailable: false },
      [{ type: 'LIST_DONE', resourceVersion }, { type: 'WATCH_START', resourceVersion }],
    );
  }
  // Initial events belong to the state being built: the resourceVersion moves at the bookmark.
  return to(phase, memory, [accepted]);
}

function afterStreamError<T extends KubeObject>(memory: LoopMemory, error: unknown, reason: RelistReason): LoopTransition<T> {
  // Throttling and transport failures: try the streaming list again after a backoff.
  if (isTooManyRequests(error) || isCut(error)) return backoff(memory, error, relist(memory, 'error'));
  if ((isExpired(error) || isTooLargeResourceVersion(error)) && !memory.resourceVersionUnavailable) {
    return to({ kind: 'Empty', reason: isExpired(error) ? 'expired' : 'tooLargeResourceVersion', mode: 'stream' }, { ...memory, resourceVersionUnavailable: true });
  }
  // The server refuses streaming lists (400/422): list + watch from now on. Any other error (a
  // 500 or 403 from a proxy or an aggregated API, an undecodable stream): list for this relist —
  // making progress is better than retrying a stream that may never work (client-go).
  const refused = isApiErrorShape(error) && (error.code === 400 || error.code === 422);
  return to({ kind: 'Empty', reason: fallbackReason(reason), mode: 'list' }, refused ? { ...memory, streaming: false, streamingRefused: true } : memory);
}

/** The reason of the list that replaces a failed streaming list: a relist loop stays one. */
function fallbackReason(reason: RelistReason): RelistReason {
  return reason === 'relistLoop' ? 'relistLoop' : 'streamingFallback';
}

/**
 * Whether `error` ends a watch that was established, by a cut of the connection rather than a
 * failure: client-go closes such a watch normally and opens the next at once. Established: it
 * delivered an event, or stayed open for the very-short-watch second — but a stall of a watch
 * that never delivered anything is no evidence the server is there.
 */
function isCutOfEstablishedWatch(error: unknown, delivered: boolean, openMs: number): boolean {
  if (!isCut(error)) return false;
  if (delivered) return true;
  return openMs >= veryShortWatchMs && !(error instanceof WatchStalledError);
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
