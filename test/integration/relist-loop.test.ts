import { eventually as eventuallyWithin } from '../support/eventually.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { Subscription } from 'rxjs';
import { informer } from '../../src/informer/informer.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import { fetchListWatch, type FetchFunction } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';

const eventually = (check: () => void, ms = 20_000): Promise<void> => eventuallyWithin(check, ms);

// A relist that cannot catch up (issue 17), over real HTTP on 127.0.0.1: the simulated server keeps
// 5 events of history, and every list is slow — while its response is on the way, 20 changes
// happen — so the list's resourceVersion has left the history by the time the watch opens. Waits
// are bounded polls for conditions; nothing asserts how long anything took.

/** Polls until `check` passes or `ms` elapse; the bound is for hangs, not a speed assertion. */
const pods = { version: 'v1', plural: 'pods', namespace: 'ns' } as const;
let server: SimulatedApiServer | undefined;
let subscription: Subscription | undefined;

afterEach(async () => {
  subscription?.unsubscribe();
  subscription = undefined;
  await server?.close();
  server = undefined;
});

/** A server with a short history, and a fetch whose plain lists (not watches) are slow: 20 changes land while each one is read. */
async function slowListServer(streamingList: boolean): Promise<{ server: SimulatedApiServer; fetch: FetchFunction }> {
  const started = await createSimulatedApiServer({ historySize: 5, streamingList });
  for (let i = 0; i < 5; i++) started.create('pods', { metadata: { name: `pod-${i}`, namespace: 'ns' }, spec: {} });
  let n = 0;
  const fetch: FetchFunction = async (url, init) => {
    const response = await globalThis.fetch(url, init as RequestInit);
    if (!new URL(url).searchParams.has('watch')) {
      for (let i = 0; i < 20; i++) started.patch('pods', 'ns/pod-0', { metadata: { labels: { churn: String(n++) } } });
    }
    return response as unknown as Awaited<ReturnType<FetchFunction>>;
  };
  return { server: started, fetch };
}

function run(fetch: FetchFunction, url: string): InformerStatus[] {
  const seen: InformerStatus[] = [];
  const inf = informer(fetchListWatch({ baseUrl: url, resource: pods, fetch }), { pageSize: 100, backoff: { initialMs: 50, capMs: 200 } });
  inf.status$.subscribe((s) => seen.push(s));
  subscription = inf.reflections$.subscribe();
  return seen;
}

describe('a relist that cannot catch up, over HTTP (issue 17)', () => {
  it('is reported as relistLoop on status$ and escaped by a streaming list where the server supports it', async () => {
    const setup = await slowListServer(true);
    server = setup.server;
    const seen = run(setup.fetch, server.url);
    await eventually(() => expect(server?.requests.some((r) => r.verb === 'watch' && r.query.get('sendInitialEvents') === 'true')).toBe(true));
    await eventually(() => expect(seen.at(-1)).toMatchObject({ phase: 'watching', hasSynced: true }));
    expect(seen.some((s) => s.phase === 'relisting' && s.reason === 'relistLoop')).toBe(true);
    const lists = server.requests.filter((r) => r.verb === 'list').length;
    // Escaped: a change now arrives on the open watch, with no further list.
    server.patch('pods', 'ns/pod-1', { metadata: { labels: { after: 'escape' } } });
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests.filter((r) => r.verb === 'list').length).toBe(lists);
    expect(seen.at(-1)).toMatchObject({ phase: 'watching' });
  });

  it('keeps reporting relistLoop, listing unpaginated, where the server refuses streaming lists', async () => {
    const setup = await slowListServer(false);
    server = setup.server;
    const seen = run(setup.fetch, server.url);
    await eventually(() => expect(seen.filter((s) => s.phase === 'relisting' && s.reason === 'relistLoop' && s.loaded === 0).length).toBeGreaterThanOrEqual(2));
    // status$ says "relisting" before that list's request reaches the server: wait for the request.
    await eventually(() => expect(server!.requests.filter((r) => r.verb === 'list').length).toBeGreaterThan(3));
    const loopLists = server.requests.filter((r) => r.verb === 'list').slice(3);
    expect(loopLists.every((r) => !r.query.has('limit'))).toBe(true);
  });
});
