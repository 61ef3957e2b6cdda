import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, WatchStalledError, WatchStreamError } from '../../src/model/errors.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import type { WatchEvent } from '../../src/model/wire.ts';
import { initialLoopState, loopTransition, type LoopConfig, type LoopInput, type LoopState } from '../../src/sources/loop-transition.ts';

// Random runs of the loop's pure state machine against a scripted server whose resourceVersions
// only grow: each step, fast-check picks what the request in flight does (a page, an event, a bad
// event, an ERROR, a failure of any class, an end, time passing), and the run checks the
// invariants after every transition.

const failures = [
  new ApiError({ code: 410, reason: 'Expired' }),
  new ApiError({ code: 504, reason: 'Timeout', status: { details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } } }),
  new ApiError({ code: 429, reason: 'TooManyRequests' }),
  new ApiError({ code: 422, reason: 'Invalid' }),
  new ApiError({ code: 500, reason: 'InternalError' }),
  new TypeError('fetch failed'),
  new WatchStreamError('Truncated', 'cut mid-line'),
  new WatchStreamError('InvalidEvent', 'bad line'),
  new WatchStalledError(90_000),
];

/** What the request in flight does next; each is mapped onto the phase's possible inputs. */
type Move =
  | { readonly kind: 'succeed'; readonly more: boolean; readonly items: number }
  | { readonly kind: 'event'; readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' }
  | { readonly kind: 'endBookmark' }
  | { readonly kind: 'badEvent' }
  | { readonly kind: 'errorEvent'; readonly code: 410 | 429 | 500 }
  | { readonly kind: 'fail'; readonly failure: number }
  | { readonly kind: 'end' };

const moveArb: fc.Arbitrary<Move> = fc.oneof(
  fc.record({ kind: fc.constant('succeed' as const), more: fc.boolean(), items: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('event' as const), type: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const, 'BOOKMARK' as const) }),
  fc.constant({ kind: 'endBookmark' as const }),
  fc.constant({ kind: 'badEvent' as const }),
  fc.record({ kind: fc.constant('errorEvent' as const), code: fc.constantFrom(410 as const, 429 as const, 500 as const) }),
  fc.record({ kind: fc.constant('fail' as const), failure: fc.integer({ min: 0, max: failures.length - 1 }) }),
  fc.constant({ kind: 'end' as const }),
);

const configArb: fc.Arbitrary<LoopConfig> = fc.record({
  pageSize: fc.constantFrom(undefined, 0, 2),
  listSemantic: fc.constantFrom('any' as const, 'mostRecent' as const),
  bookmarks: fc.boolean(),
  trusted: fc.boolean(),
});

const pod = (name: string, rv: number): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: String(rv) } });

/** Deep-freezes a state so a transition that mutates its argument throws. */
function frozen(state: LoopState): LoopState {
  Object.freeze(state.memory);
  if (state.phase.kind === 'Backoff') Object.freeze(state.phase.then);
  Object.freeze(state.phase);
  return Object.freeze(state);
}

interface Run {
  readonly requests: string[];
  readonly events: ListWatchEvent<KubeObject>[];
}

/** Drives the machine with `moves`, checking the invariants after every transition. */
function drive(moves: readonly Move[], config: LoopConfig, initialList: 'list' | 'stream', resumeFrom: number | undefined): Run {
  let serverRv = 100;
  let state = frozen(initialLoopState({ initialList, ...(resumeFrom === undefined ? {} : { lastSyncResourceVersion: String(resumeFrom) }) }));
  let nowMs = 0;
  // The consumer's view: the resourceVersion of the last LIST_DONE or live event it was given.
  let delivered: number | undefined = resumeFrom;
  let inBracket = false;
  let watchStarted = false;
  const requests: string[] = [];
  const events: ListWatchEvent<KubeObject>[] = [];

  const step = (input: LoopInput<KubeObject>): void => {
    const before = state;
    const snapshot = structuredClone(before);
    const { state: next, emit, command } = loopTransition(before, input, config);
    // Pure: the state it was given is unchanged.
    expect(before).toEqual(snapshot);

    for (const event of emit) {
      events.push(event);
      switch (event.type) {
        case 'LIST_START':
          inBracket = true;
          watchStarted = false;
          break;
        case 'LIST_PAGE':
          expect(inBracket).toBe(true);
          break;
        case 'LIST_DONE':
          expect(inBracket).toBe(true);
          inBracket = false;
          delivered = Number(event.resourceVersion);
          break;
        case 'WATCH_START':
          // A watch opens only after a completed list, from the last delivered resourceVersion.
          expect(inBracket).toBe(false);
          expect(event.resourceVersion).toBe(String(delivered));
          watchStarted = true;
          break;
        case 'BACKOFF':
          throw new Error('the machine never emits BACKOFF itself: the driver does, from its backoff');
        default:
          // Changes and bookmarks: inside a streaming list's bracket, or on a started watch.
          expect(inBracket || watchStarted).toBe(true);
          if (!inBracket) {
            const rv = Number(event.object.metadata?.resourceVersion);
            expect(rv).toBeGreaterThanOrEqual(delivered ?? 0);
            delivered = rv;
          }
      }
    }

    if (command?.kind === 'watch') {
      requests.push(`watch ${JSON.stringify(command.options)}`);
      const rv = command.options.resourceVersion;
      if (command.options.sendInitialEvents === true) {
        // A streaming list asks for a state not older than what was delivered, or a consistent read.
        if (rv !== undefined) expect(Number(rv)).toBe(delivered);
      } else {
        // Never watches from a resourceVersion older (or other) than the last delivered one.
        expect(rv).toBe(String(delivered));
      }
    }
    if (command?.kind === 'list' && command.options.continue === undefined) {
      requests.push(`list ${JSON.stringify(command.options)}`);
      const rv = command.options.resourceVersion;
      // resourceVersion 0 (any, possibly stale) only before anything was delivered; a specific
      // one is the last delivered; otherwise a consistent read.
      if (rv === '0') expect(delivered).toBeUndefined();
      else if (rv !== undefined) expect(Number(rv)).toBe(delivered);
    }
    if (command?.kind === 'backoff') {
      expect(next.phase.kind).toBe('Backoff');
      if (next.phase.kind === 'Backoff') expect(command.next).toBe(next.phase.then.kind === 'InitListed' ? 'rewatch' : 'relist');
    }
    // Never stuck: after every transition the loop is idle (it opens next), waits, or has a
    // request in flight — the one just asked for, or the one that delivered this input.
    const continues = (before.phase.kind === 'Watching' || before.phase.kind === 'InitialWatch') && (next.phase.kind === 'Watching' || next.phase.kind === 'InitialWatch') && command === undefined;
    expect(command !== undefined || next.phase.kind === 'Empty' || next.phase.kind === 'InitListed' || continues).toBe(true);
    // The remembered resourceVersion is the last delivered one (or the list's, once delivered).
    if (delivered !== undefined) expect(next.memory.lastSyncResourceVersion).toBe(String(delivered));
    state = frozen(next);
  };

  for (const move of moves) {
    while (state.phase.kind === 'Empty' || state.phase.kind === 'InitListed') step({ type: 'open', nowMs });
    nowMs += 700;
    const { phase } = state;
    switch (phase.kind) {
      case 'Backoff':
        step({ type: 'waited' });
        break;
      case 'InitPage':
        if (move.kind === 'fail') step({ type: 'listFailed', error: failures[move.failure] });
        else if (move.kind === 'badEvent') step({ type: 'page', list: { metadata: { resourceVersion: String(serverRv) }, items: [pod('', serverRv)] } });
        else {
          if (!phase.continuation) serverRv += 1;
          const items = Array.from({ length: move.kind === 'succeed' ? move.items : 1 }, (_, i) => pod(`p${i}`, serverRv));
          const more = move.kind === 'succeed' ? move.more : false;
          step({ type: 'page', list: { metadata: more ? { resourceVersion: String(serverRv), continue: `t${serverRv}` } : { resourceVersion: String(serverRv) }, items } });
        }
        break;
      case 'InitialWatch':
      case 'Watching':
        switch (move.kind) {
          case 'fail':
            step({ type: 'watchFailed', error: failures[move.failure], nowMs });
            break;
          case 'end':
            step({ type: 'watchEnded', nowMs });
            break;
          case 'badEvent':
            step({ type: 'event', event: { type: 'ADDED', object: { metadata: { resourceVersion: String(serverRv) } } } as WatchEvent<KubeObject> });
            break;
          case 'errorEvent':
            step({ type: 'event', event: { type: 'ERROR', object: { code: move.code } } });
            break;
          case 'endBookmark':
            serverRv += 1;
            step({ type: 'event', event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: String(serverRv), annotations: { 'k8s.io/initial-events-end': 'true' } } } } });
            break;
          default: {
            serverRv += 1;
            const type = move.kind === 'event' ? move.type : 'MODIFIED';
            step({ type: 'event', event: type === 'BOOKMARK' ? { type, object: { metadata: { resourceVersion: String(serverRv) } } } : { type, object: pod('a', serverRv) } });
          }
        }
        break;
      default:
        throw new Error(`unreachable: ${(phase as { kind: string }).kind}`);
    }
  }
  return { requests, events };
}

describe('loopTransition under random event and failure sequences', () => {
  it('never watches from a resourceVersion older than the last delivered one, keeps brackets, never gets stuck, never mutates', () => {
    fc.assert(
      fc.property(
        fc.array(moveArb, { minLength: 1, maxLength: 300 }),
        configArb,
        fc.constantFrom('list' as const, 'stream' as const),
        fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined }),
        (moves, config, initialList, resumeFrom) => {
          drive(moves, config, initialList, resumeFrom);
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });

  it('reaches every phase and both request kinds across the runs (the generator is not degenerate)', () => {
    const phases = new Set<string>();
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fc.array(moveArb, { minLength: 50, maxLength: 200 }), configArb, fc.constantFrom('list' as const, 'stream' as const), (moves, config, initialList) => {
        const { events, requests } = drive(moves, config, initialList, undefined);
        for (const e of events) phases.add(e.type === 'LIST_START' ? `${e.type}:${e.reason}:${e.mode}` : e.type);
        for (const r of requests) kinds.add(r.split(' ')[0]!);
      }),
      { numRuns: 100, seed: 17 },
    );
    expect(kinds).toEqual(new Set(['list', 'watch']));
    for (const expected of ['LIST_START:initial:list', 'LIST_START:initial:stream', 'LIST_START:expired:list', 'LIST_START:relistLoop:stream', 'LIST_START:streamingFallback:list', 'LIST_START:veryShortWatch:list', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START', 'ADDED', 'BOOKMARK']) {
      expect(phases).toContain(expected);
    }
  });
});
