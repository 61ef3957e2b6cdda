import { eventually } from '../support/eventually.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from 'rxjs';
import { informer } from '../../src/informer/informer.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import { fetchListWatch, type FetchFunction } from '../../src/sources/fetch-list-watch.ts';
import { listWatch, type ListWatchOptions } from '../../src/sources/list-watch.ts';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

// The loop's recoveries over real HTTP on 127.0.0.1 (issue 13, items 1, 6, 8, 10 and 13). Waits are
// bounded polls for conditions; nothing asserts how long anything took.

/** Polls until `check` passes or `ms` elapse; the bound is for hangs, not a speed assertion. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: SimulatedApiServer;
let subscription: Subscription | undefined;
const rng = mulberry32(13);
let counter = 0;
const pods = { version: 'v1', plural: 'pods', namespace: 'ns' } as const;

beforeAll(async () => {
  server = await createSimulatedApiServer();
  for (let i = 0; i < 5; i++) server.create('pods', generatePod(rng, counter++, { namespace: 'ns' }));
});
afterAll(() => server.close());
afterEach(async () => {
  subscription?.unsubscribe();
  subscription = undefined;
  await eventually(() => expect(server.openWatches).toBe(0));
  server.clearRequests();
});

/** Runs the loop over fetchListWatch against the simulated server, collecting its events. */
function runLoop(options: ListWatchOptions = {}, fetch?: FetchFunction): ListWatchEvent[] {
  const events: ListWatchEvent[] = [];
  const source = fetchListWatch(fetch === undefined ? { baseUrl: server.url, resource: pods } : { baseUrl: server.url, resource: pods, fetch });
  subscription = listWatch(source, options).subscribe((e) => events.push(e));
  return events;
}

const count = (events: readonly ListWatchEvent[], type: ListWatchEvent['type']) => events.filter((e) => e.type === type).length;
const watchRequests = () => server.requests.filter((r) => r.verb === 'watch');

describe('a watch cut by the network after it was established is resumed at once (item 1)', () => {
  it('resets of busy watches: no backoff, no relist, each new watch from the last event', async () => {
    const events = runLoop();
    for (let cut = 1; cut <= 3; cut++) {
      await eventually(() => expect(count(events, 'WATCH_START')).toBe(cut));
      server.create('pods', generatePod(rng, counter++, { namespace: 'ns' }));
      await eventually(() => expect(count(events, 'ADDED')).toBe(cut));
      expect(server.faults.dropWatches()).toBe(1);
    }
    await eventually(() => expect(count(events, 'WATCH_START')).toBe(4));
    expect(count(events, 'BACKOFF')).toBe(0);
    expect(count(events, 'LIST_START')).toBe(1);
    const lastAdded = events.filter((e) => e.type === 'ADDED').at(-1);
    expect(watchRequests().at(-1)?.query.get('resourceVersion')).toBe(lastAdded?.type === 'ADDED' ? lastAdded.object.metadata?.resourceVersion : 'none');
  });

  it('a reset of a quiet watch that had been open for over a second: no backoff', async () => {
    const events = runLoop();
    await eventually(() => expect(count(events, 'WATCH_START')).toBe(1));
    await sleep(1200);
    expect(server.faults.dropWatches()).toBe(1);
    await eventually(() => expect(count(events, 'WATCH_START')).toBe(2));
    expect(count(events, 'BACKOFF')).toBe(0);
  });

  it('still backs off when every watch request is refused', async () => {
    const events = runLoop({ backoff: { initialMs: 5, capMs: 20 } });
    await eventually(() => expect(count(events, 'WATCH_START')).toBe(1));
    server.create('pods', generatePod(rng, counter++, { namespace: 'ns' }));
    await eventually(() => expect(count(events, 'ADDED')).toBe(1));
    server.faults.failNext(503, { count: 3, match: { verb: 'watch' }, retryAfterSeconds: 0 });
    server.faults.dropWatches();
    await eventually(() => expect(server.openWatches).toBe(1));
    expect(events.filter((e) => e.type === 'BACKOFF').map((e) => (e.type === 'BACKOFF' ? e.attempt : 0))).toEqual([1, 2, 3]);
  });
});

describe('quiet watches over Node\'s global fetch and undici\'s body timeout (item 8)', () => {
  it('a body timeout of a quiet watch is a normal close: re-watched at once, status never backingOff', async () => {
    // Node's own fetch, with its bundled undici Agent (the npm undici's Agent does not fit it) and a
    // body timeout of 1.2 s instead of 300 s; nothing else ends these watches (timeoutSeconds ≥ 300).
    await fetch('data:,loaded');
    const global = (globalThis as unknown as Record<symbol, { constructor: new (options: object) => { close(): Promise<void> } } | undefined>)[Symbol.for('undici.globalDispatcher.1')];
    expect(global).toBeDefined();
    const dispatcher = new (global as NonNullable<typeof global>).constructor({ bodyTimeout: 1200 });
    const timedFetch: FetchFunction = (url, init) => globalThis.fetch(url, { ...init, dispatcher } as RequestInit);
    try {
      const inf = informer(fetchListWatch({ baseUrl: server.url, resource: pods, fetch: timedFetch }));
      const phases: InformerStatus['phase'][] = [];
      const statusSub = inf.status$.subscribe((s) => phases.push(s.phase));
      subscription = inf.reflections$.subscribe();
      subscription.add(statusSub);
      await eventually(() => expect(watchRequests().length).toBeGreaterThanOrEqual(3));
      expect(phases).not.toContain('backingOff');
      expect(phases).not.toContain('relisting');
      expect(server.requests.filter((r) => r.verb === 'list')).toHaveLength(1);
    } finally {
      subscription?.unsubscribe();
      await dispatcher.close();
    }
  });
});

describe('streaming lists over HTTP (item 6)', () => {
  const streams = () => watchRequests().filter((r) => r.query.get('sendInitialEvents') === 'true');

  it('a 500 on the streaming request falls back to a plain list at once, and the next relist streams again', async () => {
    server.faults.failNext(500, { match: { verb: 'watch' } });
    const events = runLoop({ initialList: 'stream', backoff: { initialMs: 5, capMs: 20 } });
    await eventually(() => expect(count(events, 'LIST_DONE')).toBe(1));
    expect(events[1]).toEqual({ type: 'LIST_START', reason: 'streamingFallback', mode: 'list' });
    expect(server.requests.filter((r) => r.verb === 'list')).toHaveLength(1);
    await eventually(() => expect(server.openWatches).toBe(1));
    server.faults.sendErrorEvent({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' });
    await eventually(() => expect(count(events, 'LIST_DONE')).toBe(2));
    expect(streams()).toHaveLength(2);
    expect(events.filter((e) => e.type === 'LIST_START').map((e) => (e.type === 'LIST_START' ? e.mode : ''))).toEqual(['stream', 'list', 'stream']);
  });
});

describe('a resubscribed informer lists where the last one left off (item 10)', () => {
  it('asks for the resourceVersion of the last snapshot shown, not 0', async () => {
    const inf = informer<KubeObject>(fetchListWatch({ baseUrl: server.url, resource: pods }));
    subscription = inf.reflections$.subscribe();
    await eventually(() => expect(inf.getStatus().phase).toBe('watching'));
    server.create('pods', generatePod(rng, counter++, { namespace: 'ns' }));
    const shown = server.list('pods', 'ns').resourceVersion;
    await eventually(() => expect(inf.getSnapshot()?.resourceVersion).toBe(shown));
    subscription.unsubscribe();
    await eventually(() => expect(server.openWatches).toBe(0));
    server.clearRequests();
    subscription = inf.reflections$.subscribe();
    await eventually(() => expect(inf.getStatus().phase).toBe('watching'));
    expect(server.requests.filter((r) => r.verb === 'list').map((r) => r.params)).toEqual([{ resourceVersion: shown }]);
    expect(inf.getSnapshot()?.size).toBe(server.list('pods', 'ns').items.length);
  });
});

describe('a Retry-After of an hour (item 13)', () => {
  it('is capped at the backoff cap', async () => {
    server.faults.failNext(429, { match: { verb: 'list' }, retryAfterSeconds: 3600 });
    const events = runLoop({ backoff: { initialMs: 5, capMs: 40 } });
    await eventually(() => expect(count(events, 'LIST_DONE')).toBe(1));
    expect(events.find((e) => e.type === 'BACKOFF')).toMatchObject({ delayMs: 40 });
  });
});
