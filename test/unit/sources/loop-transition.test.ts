import { describe, expect, it } from 'vitest';
import { ApiError, WatchStalledError, WatchStreamError } from '../../../src/model/errors.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatchEvent, RelistReason } from '../../../src/model/list-watch-event.ts';
import type { ObjectList, WatchEvent } from '../../../src/model/wire.ts';
import {
  initialLoopState,
  loopTransition,
  type EmptyPhase,
  type InitListedPhase,
  type LoopCommand,
  type LoopConfig,
  type LoopInput,
  type LoopMemory,
  type LoopPhase,
  type LoopState,
} from '../../../src/sources/loop-transition.ts';

const config: LoopConfig = { pageSize: undefined, listSemantic: 'any', bookmarks: true, trusted: false };

/** A state whose phase and memory are frozen all the way down, so a transition that mutates throws. */
function at(phase: LoopPhase, memory: Partial<LoopMemory> = {}): LoopState {
  const base = initialLoopState({}).memory;
  const frozenPhase = Object.freeze(phase.kind === 'Backoff' ? { ...phase, then: Object.freeze({ ...phase.then }) } : { ...phase });
  return Object.freeze({ phase: frozenPhase, memory: Object.freeze({ ...base, lastSyncResourceVersion: '10', ...memory }) });
}

const empty = (reason: RelistReason = 'error', mode: 'list' | 'stream' = 'list'): EmptyPhase => ({ kind: 'Empty', reason, mode });
const initPage = (extra: Partial<Extract<LoopPhase, { kind: 'InitPage' }>> = {}): LoopPhase => ({
  kind: 'InitPage', reason: 'error', resourceVersion: '10', limit: 500, continuation: false, pages: 0, listResourceVersion: undefined, ...extra,
});
const initialWatch = (reason: RelistReason = 'error'): LoopPhase => ({ kind: 'InitialWatch', reason });
const initListed = (afterList: boolean): InitListedPhase => ({ kind: 'InitListed', afterList });
const watching = (since: 'list' | 'watch' | 'stream', delivered = false): LoopPhase => ({ kind: 'Watching', since, openedAtMs: 0, delivered });

const pod = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const page = (rv: string, items: KubeObject[], token?: string): ObjectList<KubeObject> => ({
  metadata: token === undefined ? { resourceVersion: rv } : { resourceVersion: rv, continue: token },
  items,
});
const added = (name: string, rv: string): WatchEvent<KubeObject> => ({ type: 'ADDED', object: pod(name, rv) });
const endBookmark = (rv: string): WatchEvent<KubeObject> => ({
  type: 'BOOKMARK', object: { metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } },
});

const expired = new ApiError({ code: 410, reason: 'Expired' });
const tooLarge = new ApiError({ code: 504, reason: 'Timeout', status: { details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } } });
const throttled = new ApiError({ code: 429, reason: 'TooManyRequests' });
const refused = new ApiError({ code: 422, reason: 'Invalid' });
const serverError = new ApiError({ code: 500, reason: 'InternalError' });
const reset = new TypeError('fetch failed: ECONNRESET');
const truncated = new WatchStreamError('Truncated', 'stream cut mid-line');
const stalled = new WatchStalledError(90_000);

interface Case {
  readonly name: string;
  readonly state: LoopState;
  readonly input: LoopInput<KubeObject>;
  readonly config?: Partial<LoopConfig>;
  /** The next phase, exactly. */
  readonly phase: LoopPhase;
  /** Fields of the next memory that must have these values. */
  readonly memory?: Partial<LoopMemory>;
  /** The emitted events' types (or the events themselves). */
  readonly emit?: readonly (ListWatchEvent['type'] | ListWatchEvent)[];
  /** The request, exactly (undefined: none). */
  readonly command?: LoopCommand;
}

const open = { type: 'open', nowMs: 5000 } as const;
const failedWatch = (error: unknown, nowMs = 5000): LoopInput<KubeObject> => ({ type: 'watchFailed', error, nowMs });
const backoffTo = (error: unknown, then: 'relist' | 'rewatch', immediate = false): LoopCommand => ({ kind: 'backoff', error, next: then, immediate });

const cases: Case[] = [
  // Empty --open--> InitPage | InitialWatch
  { name: 'Empty, open, first list: resourceVersion 0, 500 per page', state: at(empty('initial'), { lastSyncResourceVersion: undefined }), input: open,
    phase: initPage({ reason: 'initial', resourceVersion: '0' }), emit: [{ type: 'LIST_START', reason: 'initial', mode: 'list' }],
    command: { kind: 'list', options: { resourceVersion: '0', limit: 500 } } },
  { name: 'Empty, open, first list with listSemantic mostRecent: a consistent read', state: at(empty('initial'), { lastSyncResourceVersion: undefined }), input: open, config: { listSemantic: 'mostRecent' },
    phase: initPage({ reason: 'initial', resourceVersion: undefined }), emit: ['LIST_START'], command: { kind: 'list', options: { limit: 500 } } },
  { name: 'Empty, open, relist at the last resourceVersion: unpaginated (watch cache)', state: at(empty('expired')), input: open,
    phase: initPage({ reason: 'expired', limit: undefined }), emit: ['LIST_START'], command: { kind: 'list', options: { resourceVersion: '10' } } },
  { name: 'Empty, open, relist after a paginated resourceVersion=0 list: keeps paginating', state: at(empty('expired'), { paginatedResult: true }), input: open,
    phase: initPage({ reason: 'expired' }), command: { kind: 'list', options: { resourceVersion: '10', limit: 500 } } },
  { name: 'Empty, open, relist with the resourceVersion refused: consistent read', state: at(empty('expired'), { resourceVersionUnavailable: true }), input: open,
    phase: initPage({ reason: 'expired', resourceVersion: undefined }), command: { kind: 'list', options: { limit: 500 } } },
  { name: 'Empty, open, an explicit pageSize 0: no pagination', state: at(empty('initial'), { lastSyncResourceVersion: undefined }), input: open, config: { pageSize: 0 },
    phase: initPage({ reason: 'initial', resourceVersion: '0', limit: undefined }), command: { kind: 'list', options: { resourceVersion: '0' } } },
  { name: 'Empty, open, a relist loop: one unpaginated request even with a pageSize', state: at(empty('relistLoop')), input: open, config: { pageSize: 50 },
    phase: initPage({ reason: 'relistLoop', limit: undefined }), command: { kind: 'list', options: { resourceVersion: '10' } } },
  { name: 'Empty, open, stream: one watch with sendInitialEvents from the last resourceVersion', state: at(empty('error', 'stream')), input: open,
    phase: initialWatch(), emit: [{ type: 'LIST_START', reason: 'error', mode: 'stream' }],
    command: { kind: 'watch', options: { resourceVersion: '10', resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, allowWatchBookmarks: true } } },
  { name: 'Empty, open, stream with the resourceVersion refused: no resourceVersion', state: at(empty('expired', 'stream'), { resourceVersionUnavailable: true }), input: open,
    phase: { kind: 'InitialWatch', reason: 'expired' }, emit: ['LIST_START'],
    command: { kind: 'watch', options: { resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, allowWatchBookmarks: true } } },

  // InitPage --page / listFailed-->
  { name: 'InitPage, an invalid page from an untrusted source: backoff, relist', state: at(initPage()), input: { type: 'page', list: page('11', [pod('', '11')]) },
    phase: { kind: 'Backoff', then: empty('error') }, emit: [] },
  { name: 'InitPage, a page with a continue token: LIST_PAGE, next page', state: at(initPage({ resourceVersion: '0' })), input: { type: 'page', list: page('11', [pod('a', '3')], 't1') },
    phase: initPage({ resourceVersion: '0', continuation: true, pages: 1, listResourceVersion: '11' }), memory: { paginatedResult: true, lastSyncResourceVersion: '10' },
    emit: [{ type: 'LIST_PAGE', items: [pod('a', '3')] }], command: { kind: 'list', options: { continue: 't1', limit: 500 } } },
  { name: 'InitPage, the last page: LIST_PAGE, LIST_DONE at the first page\'s resourceVersion, InitListed', state: at(initPage({ continuation: true, pages: 1, listResourceVersion: '11' }), { resourceVersionUnavailable: true }),
    input: { type: 'page', list: page('12', [pod('b', '4')]) },
    phase: initListed(true), memory: { lastSyncResourceVersion: '11', resourceVersionUnavailable: false, paginatedResult: false },
    emit: ['LIST_PAGE', { type: 'LIST_DONE', resourceVersion: '11' }] },
  { name: 'InitPage, 410 on a continue request: LIST_START again, one unpaginated list', state: at(initPage({ continuation: true, pages: 1, listResourceVersion: '11' })), input: { type: 'listFailed', error: expired },
    phase: initPage({ pages: 1 }), emit: [{ type: 'LIST_START', reason: 'error', mode: 'list' }], command: { kind: 'list', options: { resourceVersion: '10' } } },
  { name: 'InitPage, 410 on the first page: a consistent relist at once', state: at(initPage()), input: { type: 'listFailed', error: expired },
    phase: empty('expired'), memory: { resourceVersionUnavailable: true }, emit: [] },
  { name: 'InitPage, too large on the first page: a consistent relist at once', state: at(initPage()), input: { type: 'listFailed', error: tooLarge },
    phase: { kind: 'Empty', reason: 'tooLargeResourceVersion', mode: 'list' }, memory: { resourceVersionUnavailable: true } },
  { name: 'InitPage, 410 on a consistent read already: backoff, relist', state: at(initPage(), { resourceVersionUnavailable: true }), input: { type: 'listFailed', error: expired },
    phase: { kind: 'Backoff', then: empty('error') }, command: backoffTo(expired, 'relist') },
  { name: 'InitPage, any other failure: backoff, relist (streamed when the loop streams)', state: at(initPage(), { streaming: true }), input: { type: 'listFailed', error: serverError },
    phase: { kind: 'Backoff', then: empty('error', 'stream') }, command: backoffTo(serverError, 'relist') },

  // InitialWatch --event / watchFailed / watchEnded-->
  { name: 'InitialWatch, an initial event: emitted, the resourceVersion stays', state: at(initialWatch()), input: { type: 'event', event: added('a', '11') },
    phase: initialWatch(), memory: { lastSyncResourceVersion: '10' }, emit: [added('a', '11') as ListWatchEvent] },
  { name: 'InitialWatch, the initial-events-end bookmark: LIST_DONE and WATCH_START on the same request', state: at(initialWatch(), { streamsWithoutBookmark: 1, expiredFirstWatches: 2, resourceVersionUnavailable: true }),
    input: { type: 'event', event: endBookmark('12') },
    phase: watching('stream'),
    memory: { lastSyncResourceVersion: '12', streamsWithoutBookmark: 0, expiredFirstWatches: 0, resourceVersionUnavailable: false },
    emit: [{ type: 'LIST_DONE', resourceVersion: '12' }, { type: 'WATCH_START', resourceVersion: '12' }] },
  { name: 'InitialWatch, an ERROR 410 event: a stream without resourceVersion at once', state: at(initialWatch(), { streaming: true }),
    input: { type: 'event', event: { type: 'ERROR', object: { code: 410, reason: 'Expired' } } },
    phase: { kind: 'Empty', reason: 'expired', mode: 'stream' }, memory: { resourceVersionUnavailable: true } },
  { name: 'InitialWatch, a malformed event: a list for this relist', state: at(initialWatch(), { streaming: true }), input: { type: 'event', event: { type: 'ADDED', object: {} } as WatchEvent<KubeObject> },
    phase: { kind: 'Empty', reason: 'streamingFallback', mode: 'list' }, memory: { streaming: true } },
  { name: 'InitialWatch, 429: backoff, stream again', state: at(initialWatch(), { streaming: true }), input: failedWatch(throttled),
    phase: { kind: 'Backoff', then: empty('error', 'stream') }, command: backoffTo(throttled, 'relist') },
  { name: 'InitialWatch, a network failure: backoff, stream again', state: at(initialWatch(), { streaming: true }), input: failedWatch(reset),
    phase: { kind: 'Backoff', then: empty('error', 'stream') }, command: backoffTo(reset, 'relist') },
  { name: 'InitialWatch, too large: a stream without resourceVersion at once', state: at(initialWatch(), { streaming: true }), input: failedWatch(tooLarge),
    phase: { kind: 'Empty', reason: 'tooLargeResourceVersion', mode: 'stream' }, memory: { resourceVersionUnavailable: true } },
  { name: 'InitialWatch, 422: streaming off for good, list now', state: at(initialWatch(), { streaming: true }), input: failedWatch(refused),
    phase: { kind: 'Empty', reason: 'streamingFallback', mode: 'list' }, memory: { streaming: false, streamingRefused: true } },
  { name: 'InitialWatch, 500: list for this relist only', state: at(initialWatch(), { streaming: true }), input: failedWatch(serverError),
    phase: { kind: 'Empty', reason: 'streamingFallback', mode: 'list' }, memory: { streaming: true, streamingRefused: false } },
  { name: 'InitialWatch, 500 in a relist loop: the fallback list is still a relist loop', state: at(initialWatch('relistLoop'), { streaming: true }), input: failedWatch(serverError),
    phase: { kind: 'Empty', reason: 'relistLoop', mode: 'list' } },
  { name: 'InitialWatch, ended before the bookmark: list for this relist', state: at(initialWatch(), { streaming: true }), input: { type: 'watchEnded', nowMs: 5000 },
    phase: { kind: 'Empty', reason: 'streamingFallback', mode: 'list' }, memory: { streamsWithoutBookmark: 1, streaming: true } },
  { name: 'InitialWatch, the second stream in a row ended before the bookmark: streaming off', state: at(initialWatch(), { streaming: true, streamsWithoutBookmark: 1 }), input: { type: 'watchEnded', nowMs: 5000 },
    phase: { kind: 'Empty', reason: 'streamingFallback', mode: 'list' }, memory: { streamsWithoutBookmark: 2, streaming: false, streamingRefused: true } },

  // InitListed --open--> Watching
  { name: 'InitListed after a list, open: WATCH_START, watch from the last resourceVersion', state: at(initListed(true)), input: open,
    phase: { kind: 'Watching', since: 'list', openedAtMs: 5000, delivered: false }, emit: [{ type: 'WATCH_START', resourceVersion: '10' }],
    command: { kind: 'watch', options: { resourceVersion: '10', allowWatchBookmarks: true } } },
  { name: 'InitListed after a watch, open, bookmarks off', state: at(initListed(false)), input: open, config: { bookmarks: false },
    phase: { kind: 'Watching', since: 'watch', openedAtMs: 5000, delivered: false }, emit: ['WATCH_START'],
    command: { kind: 'watch', options: { resourceVersion: '10', allowWatchBookmarks: false } } },

  // Watching --event / watchFailed / watchEnded-->
  { name: 'Watching, an event: emitted, its resourceVersion is the last', state: at(watching('watch')), input: { type: 'event', event: added('a', '11') },
    phase: watching('watch', true), memory: { lastSyncResourceVersion: '11' }, emit: ['ADDED'] },
  { name: 'Watching, a bookmark: emitted, its resourceVersion is the last', state: at(watching('stream', true)), input: { type: 'event', event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: '13' } } } },
    phase: watching('stream', true), memory: { lastSyncResourceVersion: '13' }, emit: ['BOOKMARK'] },
  { name: 'Watching, an ERROR 410 as the first thing after a list: counted, backoff, relist', state: at(watching('list')),
    input: { type: 'event', event: { type: 'ERROR', object: { code: 410, reason: 'Expired' } } },
    phase: { kind: 'Backoff', then: empty('expired') }, memory: { expiredFirstWatches: 1 } },
  { name: 'Watching, an event without a name: backoff, relist', state: at(watching('watch')), input: { type: 'event', event: added('', '11') },
    phase: { kind: 'Backoff', then: empty('error') }, memory: { lastSyncResourceVersion: '10' } },
  { name: 'Watching, a cut after it delivered: resume at once', state: at(watching('watch', true)), input: failedWatch(reset, 100),
    phase: initListed(false), emit: [] },
  { name: 'Watching, a quiet watch cut mid-line after a second: resume at once', state: at(watching('watch')), input: failedWatch(truncated, 1000),
    phase: initListed(false) },
  { name: 'Watching (stream), a cut: resume at once', state: at(watching('stream')), input: failedWatch(reset, 10),
    phase: initListed(false) },
  { name: 'Watching, a stall: a 0 ms BACKOFF that does not advance the backoff, then watch again', state: at(watching('watch', true)), input: failedWatch(stalled),
    phase: { kind: 'Backoff', then: initListed(false) }, command: backoffTo(stalled, 'rewatch', true) },
  { name: 'Watching, a cut within a second having delivered nothing: backoff, watch again', state: at(watching('watch')), input: failedWatch(reset, 999),
    phase: { kind: 'Backoff', then: initListed(false) }, command: backoffTo(reset, 'rewatch') },
  { name: 'Watching, 429: backoff, watch again', state: at(watching('watch', true)), input: failedWatch(throttled),
    phase: { kind: 'Backoff', then: initListed(false) }, command: backoffTo(throttled, 'rewatch') },
  { name: 'Watching, 410 on a later watch: backoff, relist, not counted', state: at(watching('watch'), { expiredFirstWatches: 1 }), input: failedWatch(expired),
    phase: { kind: 'Backoff', then: empty('expired') }, memory: { expiredFirstWatches: 1 }, command: backoffTo(expired, 'relist') },
  { name: 'Watching, 410 after the first watch after a list delivered: the count restarts', state: at(watching('list', true), { expiredFirstWatches: 1 }), input: failedWatch(expired),
    phase: { kind: 'Backoff', then: empty('expired') }, memory: { expiredFirstWatches: 0 } },
  { name: 'Watching, 410 at once after the second list in a row: a relist loop, streamed', state: at(watching('list'), { expiredFirstWatches: 1 }), input: failedWatch(expired),
    phase: { kind: 'Backoff', then: { kind: 'Empty', reason: 'relistLoop', mode: 'stream' } }, memory: { expiredFirstWatches: 2, streaming: true } },
  { name: 'Watching, a relist loop where streaming was refused: listed', state: at(watching('list'), { expiredFirstWatches: 1, streamingRefused: true }), input: failedWatch(expired),
    phase: { kind: 'Backoff', then: { kind: 'Empty', reason: 'relistLoop', mode: 'list' } }, memory: { streaming: false } },
  { name: 'Watching, too large: backoff, relist', state: at(watching('watch')), input: failedWatch(tooLarge),
    phase: { kind: 'Backoff', then: { kind: 'Empty', reason: 'tooLargeResourceVersion', mode: 'list' } }, command: backoffTo(tooLarge, 'relist') },
  { name: 'Watching, a server error on an established watch: backoff, relist', state: at(watching('watch', true)), input: failedWatch(serverError),
    phase: { kind: 'Backoff', then: empty('error') }, command: backoffTo(serverError, 'relist') },
  { name: 'Watching, ended within a second having delivered nothing: very short, backoff, relist', state: at(watching('list'), { expiredFirstWatches: 1 }), input: { type: 'watchEnded', nowMs: 999 },
    phase: { kind: 'Backoff', then: { kind: 'Empty', reason: 'veryShortWatch', mode: 'list' } }, memory: { expiredFirstWatches: 0 } },
  { name: 'Watching, ended normally: resume at once', state: at(watching('watch')), input: { type: 'watchEnded', nowMs: 1000 },
    phase: initListed(false), emit: [] },
  { name: 'Watching (stream), ended at once: resume at once (no very-short rule on a stream)', state: at(watching('stream')), input: { type: 'watchEnded', nowMs: 0 },
    phase: initListed(false) },

  // Backoff --waited-->
  { name: 'Backoff, waited: relist', state: at({ kind: 'Backoff', then: empty('veryShortWatch') }), input: { type: 'waited' }, phase: empty('veryShortWatch'), emit: [] },
  { name: 'Backoff, waited: watch again', state: at({ kind: 'Backoff', then: initListed(false) }), input: { type: 'waited' }, phase: initListed(false) },
];

describe('loopTransition: every row of the transition table', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const before = structuredClone(c.state);
    const result = loopTransition(c.state, c.input, { ...config, ...c.config });
    expect(result.state.phase).toEqual(c.phase);
    if (c.memory !== undefined) expect(result.state.memory).toMatchObject(c.memory);
    if (c.emit !== undefined) {
      expect(result.emit.map((e, i) => (typeof c.emit![i] === 'string' ? e.type : e))).toEqual(c.emit);
    }
    if ('command' in c) expect(result.command).toEqual(c.command);
    // Pure: the state it was given is untouched (it is frozen, too).
    expect(c.state).toEqual(before);
  });
});

describe('loopTransition: inputs and sources', () => {
  it('skips the checks for a trusted source (one validation per event), but still turns an ERROR into its ApiError', () => {
    const nameless = added('', '11');
    const trusted = { ...config, trusted: true };
    expect(loopTransition(at(watching('watch')), { type: 'event', event: nameless }, trusted).emit).toEqual([nameless]);
    const error = loopTransition(at(watching('watch')), { type: 'event', event: { type: 'ERROR', object: { code: 410, reason: 'Expired' } } }, trusted);
    expect(error.command).toMatchObject({ kind: 'backoff', next: 'relist', error: { code: 410 } });
    expect(loopTransition(at(initPage()), { type: 'page', list: page('11', [pod('', '3')]) }, trusted).state.phase.kind).toBe('InitListed');
  });

  it('keeps the phase and memory objects when an event changes neither (no allocation per repeated bookmark)', () => {
    const state = at(watching('watch', true), { lastSyncResourceVersion: '11' });
    const next = loopTransition(state, { type: 'event', event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } } }, config).state;
    expect(next.phase).toBe(state.phase);
    expect(next.memory).toBe(state.memory);
  });

  it('starts Empty, listing for reason initial (streaming with initialList stream), from a given resourceVersion', () => {
    expect(initialLoopState({}).phase).toEqual({ kind: 'Empty', reason: 'initial', mode: 'list' });
    const resumed = initialLoopState({ initialList: 'stream', lastSyncResourceVersion: '7' });
    expect(resumed.phase).toEqual({ kind: 'Empty', reason: 'initial', mode: 'stream' });
    expect(resumed.memory).toMatchObject({ lastSyncResourceVersion: '7', streaming: true });
    expect(initialLoopState({ lastSyncResourceVersion: '' }).memory.lastSyncResourceVersion).toBeUndefined();
  });

  it('throws on an input that cannot happen in the phase (a driver bug), naming both', () => {
    expect(() => loopTransition(at(watching('watch')), { type: 'page', list: page('1', []) }, config)).toThrow('no transition from Watching on page');
    expect(() => loopTransition(at(empty()), { type: 'waited' }, config)).toThrow('no transition from Empty on waited');
    expect(() => loopTransition(at({ kind: 'Backoff', then: initListed(false) }), open, config)).toThrow('no transition from Backoff on open');
  });
});
