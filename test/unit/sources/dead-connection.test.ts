import { defer, mergeMap, NEVER, throwError, timer, type Observable } from 'rxjs';
import { VirtualTimeScheduler } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { WatchStalledError } from '../../../src/model/errors.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { BackoffEvent, ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { ListWatch, ObjectList, WatchEvent, WatchOptions } from '../../../src/model/wire.ts';
import { fetchListWatch, type FetchFunction } from '../../../src/sources/fetch-list-watch.ts';
import { listWatch } from '../../../src/sources/list-watch.ts';

// Dead connections (issue 13): a watch whose peer vanished without FIN or RST must be noticed
// within 90 s by default, and a quiet collection that receives the API server's bookmark about
// once a minute must never be taken for one. All in virtual time.

const encoder = new TextEncoder();

/** A fetch whose single response body the test feeds by hand. */
function manualFetch() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const fetch: FetchFunction = () => Promise.resolve(new Response(body, { status: 200 }));
  return { fetch, push: (text: string) => controller.enqueue(encoder.encode(text)) };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
};

/** Moves virtual time forward by `ms`, running what falls due. */
function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  scheduler.schedule(() => undefined, ms);
  scheduler.maxFrames = scheduler.frame + ms;
  scheduler.flush();
}

/** Subscribes to a watch of a fresh manual server with the default stall limit. */
async function watchWithDefaults(options: WatchOptions) {
  const scheduler = new VirtualTimeScheduler();
  const server = manualFetch();
  const lw = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch, scheduler });
  const seen = { events: 0, error: undefined as unknown };
  lw.watch(options).subscribe({ next: () => seen.events++, error: (e: unknown) => (seen.error = e) });
  await settle();
  return { scheduler, server, seen };
}

describe('fetchListWatch: the default dead-connection limit', () => {
  it('is 90 s of silence for a watch with bookmarks (the informer\'s), but not before it is 150 s old', async () => {
    for (const timeoutSeconds of [300, 599, undefined]) {
      // Silent from the start: the first bookmark of a quiet watch may take two minutes.
      const { scheduler, seen } = await watchWithDefaults(timeoutSeconds === undefined ? { allowWatchBookmarks: true } : { allowWatchBookmarks: true, timeoutSeconds });
      scheduler.flush();
      expect(seen.error).toBeInstanceOf(WatchStalledError);
      expect(scheduler.frame).toBe(150_000);
    }
    // A byte at 30 s: still 150 s. A byte at 70 s: 90 s after it. At 140 s: 90 s after it.
    for (const [byteAt, alarmAt] of [[30_000, 150_000], [70_000, 160_000], [140_000, 230_000]] as const) {
      const { scheduler, server, seen } = await watchWithDefaults({ allowWatchBookmarks: true, timeoutSeconds: 600 });
      advance(scheduler, byteAt);
      server.push('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"2"}}}\n');
      await settle();
      expect(seen.error).toBeUndefined();
      scheduler.maxFrames = Number.POSITIVE_INFINITY;
      scheduler.flush();
      expect((seen.error as WatchStalledError).idleMs).toBe(alarmAt - byteAt);
      expect(scheduler.frame).toBe(alarmAt);
      expect(alarmAt - byteAt).toBeLessThanOrEqual(120_000);
    }
  });

  it('is timeoutSeconds + 5 s when that is shorter, and for watches without bookmarks', async () => {
    const short = await watchWithDefaults({ allowWatchBookmarks: true, timeoutSeconds: 30 });
    short.scheduler.flush();
    expect((short.seen.error as WatchStalledError).idleMs).toBe(35_000);
    const plain = await watchWithDefaults({ timeoutSeconds: 300 });
    plain.scheduler.flush();
    expect((plain.seen.error as WatchStalledError).idleMs).toBe(305_000);
  });

  it('never alarms on a quiet watch whose first bookmark comes after 122 s, the next ones every 60 s (± 1 s), for an hour', async () => {
    // What kube-apiserver v1.36.3 does on a quiet collection (test/apiserver/bookmark-probe.ts).
    const { scheduler, server, seen } = await watchWithDefaults({ allowWatchBookmarks: true, timeoutSeconds: 3600 });
    for (let minute = 1; minute <= 60; minute++) {
      advance(scheduler, minute === 1 ? 122_000 : minute % 2 === 0 ? 59_000 : 61_000);
      server.push(`{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"${minute}"}}}\n`);
      await settle();
    }
    expect(seen.error).toBeUndefined();
    expect(seen.events).toBe(60);
    // Then the bookmarks stop (the peer is gone): noticed 90 s after the last byte.
    const lastByte = scheduler.frame;
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();
    expect(seen.error).toBeInstanceOf(WatchStalledError);
    expect(scheduler.frame - lastByte).toBe(90_000);
  });
});

describe('listWatch: a stalled watch is a dead connection, not a failing server', () => {
  const pod = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

  /** Lists once, then answers every watch with `watchReply()`; records each watch's start frame. */
  function run(watchReply: () => Observable<WatchEvent>, ms: number) {
    const scheduler = testScheduler();
    const events: ListWatchEvent[] = [];
    const watches: { at: number; resourceVersion: string | undefined }[] = [];
    scheduler.run(({ flush }) => {
      let listed = false;
      const source: ListWatch = {
        list: () => defer(() => {
          if (listed) return NEVER;
          listed = true;
          return [{ metadata: { resourceVersion: '10' }, items: [pod('a', '3')] } as ObjectList<KubeObject>];
        }),
        watch: (options) => defer(() => {
          watches.push({ at: scheduler.now(), resourceVersion: options.resourceVersion });
          return watchReply();
        }),
      };
      const sub = listWatch(source, { scheduler, random: () => 0 }).subscribe((e) => events.push(e));
      scheduler.schedule(() => sub.unsubscribe(), ms);
      flush();
    });
    return { events, watches, backoffs: events.filter((e): e is BackoffEvent => e.type === 'BACKOFF') };
  }

  it('re-watches at once from the same resourceVersion after every stall, however many in a row', () => {
    const stall = () => timer(90_000).pipe(mergeMap(() => throwError(() => new WatchStalledError(90_000))));
    const { watches, backoffs } = run(stall, 20 * 90_000 - 1);
    expect(watches.map((w) => w.at)).toEqual(Array.from({ length: 20 }, (_, i) => i * 90_000));
    expect(new Set(watches.map((w) => w.resourceVersion))).toEqual(new Set(['10']));
    // Reported (status$ shows it), with no delay and no growing attempt count.
    expect(backoffs).toHaveLength(19);
    for (const b of backoffs) expect(b).toMatchObject({ delayMs: 0, attempt: 1, next: 'rewatch', error: expect.any(WatchStalledError) });
  });

  it('still backs off, growing, when the network itself fails every attempt', () => {
    const { backoffs } = run(() => throwError(() => new TypeError('fetch failed')), 10_000);
    expect(backoffs.map((b) => b.delayMs).slice(0, 3)).toEqual([800, 1600, 3200]);
  });
});
