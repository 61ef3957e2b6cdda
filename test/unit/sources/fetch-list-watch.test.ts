import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ApiError, WatchStalledError, WatchStreamError } from '../../../src/model/errors.ts';
import type { WatchEvent } from '../../../src/model/wire.ts';
import { parseRetryAfter } from '../../../src/sources/api-error-from-response.ts';
import { collectionPath, fetchListWatch, queryString } from '../../../src/sources/fetch-list-watch.ts';
import type { FetchFunction, FetchInit } from '../../../src/sources/fetch-list-watch.ts';

const encoder = new TextEncoder();

/** A fetch whose single response body the test feeds by hand. */
function manualFetch() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const requests: { url: string; init: FetchInit }[] = [];
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      cancelled = true;
    },
  });
  const fetch: FetchFunction = (url, init) => {
    requests.push({ url, init });
    return Promise.resolve(new Response(body, { status: 200 }));
  };
  return {
    fetch,
    requests,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    isCancelled: () => cancelled,
  };
}

/** Lets the fetch promise and pending reads settle. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
};

describe('queryString', () => {
  it('sorts keys and omits absent and empty values, like Go url.Values.Encode', () => {
    expect(queryString({ watch: 'true', resourceVersion: '5', allowWatchBookmarks: 'true', labelSelector: '', continue: undefined })).toBe(
      '?allowWatchBookmarks=true&resourceVersion=5&watch=true',
    );
    expect(queryString({})).toBe('');
  });

  it('escapes like Go url.QueryEscape: space as +, reserved characters and !\'()* percent-encoded, ~ kept', () => {
    expect(queryString({ labelSelector: "app in (a,b),tier!=x y,k~*'" })).toBe('?labelSelector=app+in+%28a%2Cb%29%2Ctier%21%3Dx+y%2Ck~%2A%27');
    expect(queryString({ fieldSelector: 'metadata.name=a/b&c' })).toBe('?fieldSelector=metadata.name%3Da%2Fb%26c');
  });
});

describe('collectionPath', () => {
  it('builds core and group paths, with and without a namespace', () => {
    expect(collectionPath({ version: 'v1', plural: 'pods' })).toBe('/api/v1/pods');
    expect(collectionPath({ group: '', version: 'v1', plural: 'pods', namespace: 'kube-system' })).toBe('/api/v1/namespaces/kube-system/pods');
    expect(collectionPath({ group: 'apps', version: 'v1', plural: 'deployments' })).toBe('/apis/apps/v1/deployments');
    expect(collectionPath({ group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespace: 'ns' })).toBe(
      '/apis/cert-manager.io/v1/namespaces/ns/certificates',
    );
  });

  it('accepts an absolute path and drops a trailing slash', () => {
    expect(collectionPath('/api/v1/namespaces/default/pods/')).toBe('/api/v1/namespaces/default/pods');
  });

  it('refuses relative paths, query strings and incomplete references', () => {
    expect(() => collectionPath('api/v1/pods')).toThrow(TypeError);
    expect(() => collectionPath('/api/v1/pods?watch=true')).toThrow(TypeError);
    expect(() => collectionPath({ version: '', plural: 'pods' })).toThrow(TypeError);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, never negative', () => {
    const now = () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('fetchListWatch (injected fetch, virtual time)', () => {
  it('decodes a list body whose chunks split multi-byte UTF-8 characters', async () => {
    const bytes = encoder.encode('{"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"çé-🚀","namespace":"ns","resourceVersion":"6"}}]}');
    const start = bytes.indexOf(0xc3); // the first byte of "ç"
    const cuts = [start + 1, start + 4, start + 7, bytes.length];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        let from = 0;
        for (const cut of cuts) {
          c.enqueue(bytes.slice(from, cut));
          from = cut;
        }
        c.close();
      },
    });
    const fetch: FetchFunction = () => Promise.resolve(new Response(body, { status: 200 }));
    const pages: unknown[] = [];
    let error: unknown;
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch })
      .list({})
      .subscribe({ next: (p) => pages.push(p), error: (e: unknown) => (error = e) });
    await settle();
    expect(error).toBeUndefined();
    expect(pages).toEqual([{ metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'çé-🚀', namespace: 'ns', resourceVersion: '6' } }] }]);
  });

  it('errors with WatchStalledError after stallTimeoutMs without a byte, counting from the last chunk', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = manualFetch();
    const lw = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch, stallTimeoutMs: 1000, scheduler });
    const events: WatchEvent[] = [];
    let error: unknown;
    lw.watch({ resourceVersion: '1' }).subscribe({ next: (e) => events.push(e), error: (e: unknown) => (error = e) });
    await settle();

    scheduler.schedule(() => undefined, 900);
    scheduler.maxFrames = 900;
    scheduler.flush();
    server.push('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"2"}}}\n');
    await settle();
    expect(events).toHaveLength(1);

    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();
    expect(error).toBeInstanceOf(WatchStalledError);
    expect((error as WatchStalledError).idleMs).toBe(1000);
    expect(scheduler.frame).toBe(1900);
    expect(server.requests[0]?.init.signal.aborted).toBe(true);
    await settle();
    expect(server.isCancelled()).toBe(true);
  });

  it('uses timeoutSeconds + 5 s as the default stall limit of a watch', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = manualFetch();
    const lw = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch, scheduler });
    let error: unknown;
    lw.watch({ timeoutSeconds: 10 }).subscribe({ error: (e: unknown) => (error = e) });
    await settle();
    scheduler.flush();
    expect((error as WatchStalledError).idleMs).toBe(15_000);
  });

  it('disables the stall check with stallTimeoutMs 0', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = manualFetch();
    const lw = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch, scheduler, stallTimeoutMs: 0 });
    let error: unknown;
    const sub = lw.watch({}).subscribe({ error: (e: unknown) => (error = e) });
    await settle();
    scheduler.flush();
    expect(error).toBeUndefined();
    expect(scheduler.frame).toBe(0);
    sub.unsubscribe();
  });

  it('asks the headers function before every request and always sets Accept itself', async () => {
    let calls = 0;
    const seen: Headers[] = [];
    const fetch: FetchFunction = (_url, init) => {
      seen.push(init.headers);
      return Promise.resolve(new Response('{"metadata":{"resourceVersion":"1"},"items":[]}', { status: 200 }));
    };
    const lw = fetchListWatch({
      baseUrl: 'http://k',
      resource: '/api/v1/pods',
      fetch,
      headers: async () => ({ Authorization: `Bearer t${++calls}`, Accept: 'text/html' }),
    });
    await new Promise((r) => lw.list({}).subscribe({ complete: () => r(undefined) }));
    await new Promise((r) => lw.list({}).subscribe({ complete: () => r(undefined) }));
    expect(seen.map((h) => h.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
    expect(seen.map((h) => h.get('accept'))).toEqual(['application/json', 'application/json']);
  });

  it('does not call fetch when unsubscribed while the headers are still being computed', async () => {
    let fetched = 0;
    let release!: () => void;
    const lw = fetchListWatch({
      baseUrl: 'http://k',
      resource: '/api/v1/pods',
      fetch: () => {
        fetched++;
        return Promise.reject(new Error('unreachable'));
      },
      headers: () => new Promise<HeadersInit>((r) => (release = () => r({}))),
    });
    const sub = lw.list({}).subscribe();
    sub.unsubscribe();
    release();
    await settle();
    expect(fetched).toBe(0);
  });

  it('errors with the fetch implementation\'s own error on a network failure', async () => {
    const failure = new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') });
    const lw = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: () => Promise.reject(failure) });
    const error = await new Promise((r) => lw.watch({}).subscribe({ error: r }));
    expect(error).toBe(failure);
  });

  it('turns a non-JSON error page into an ApiError with a truncated one-line snippet', async () => {
    const html = `<html>\n<body>${'bad gateway '.repeat(100)}</body></html>`;
    const lw = fetchListWatch({
      baseUrl: 'http://k',
      resource: '/api/v1/pods',
      fetch: () => Promise.resolve(new Response(html, { status: 502, statusText: 'Bad Gateway' })),
    });
    const error = (await new Promise((r) => lw.list({}).subscribe({ error: r }))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(502);
    expect(error.status).toBeUndefined();
    expect(error.message.startsWith('API server answered 502 Bad Gateway: <html> <body>bad gateway')).toBe(true);
    expect(error.message.length).toBeLessThan(260);
  });
});

describe('fetchListWatch list bodies (decoded item by item)', () => {
  const pod = (name: string) => `{"metadata":{"name":"${name}","resourceVersion":"5"}}`;

  it('decodes a list arriving in many chunks, touching the stall watchdog on every chunk', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = manualFetch();
    const pages: unknown[] = [];
    let error: unknown;
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch, stallTimeoutMs: 1000, scheduler })
      .list({})
      .subscribe({ next: (p) => pages.push(p), error: (e: unknown) => (error = e) });
    await settle();
    for (const piece of ['{"kind":"PodList","items":[', pod('a'), `,${pod('b').slice(0, 9)}`, `${pod('b').slice(9)}]`, ',"metadata":{"resourceVersion":"9"}}']) {
      scheduler.schedule(() => undefined, 900);
      scheduler.maxFrames = scheduler.frame + 900;
      scheduler.flush();
      server.push(piece);
      await settle();
    }
    expect(error).toBeUndefined();
    expect(pages).toEqual([]);
    server.close();
    await settle();
    expect(error).toBeUndefined();
    expect(scheduler.frame).toBe(4500);
    expect(pages).toEqual([{ metadata: { resourceVersion: '9' }, items: [JSON.parse(pod('a')), JSON.parse(pod('b'))] }]);
  });

  it('aborts the request and cancels the body when unsubscribed mid-body', async () => {
    const server = manualFetch();
    const pages: unknown[] = [];
    const sub = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch }).list({}).subscribe((p) => pages.push(p));
    await settle();
    server.push(`{"metadata":{"resourceVersion":"9"},"items":[${pod('a')},`);
    await settle();
    expect(server.isCancelled()).toBe(false);
    sub.unsubscribe();
    await settle();
    expect(server.requests[0]?.init.signal.aborted).toBe(true);
    expect(server.isCancelled()).toBe(true);
    expect(pages).toEqual([]);
  });

  it('fails a bad item as soon as it arrives, cancelling the rest of the body', async () => {
    const server = manualFetch();
    let error: unknown;
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: server.fetch }).list({}).subscribe({ error: (e: unknown) => (error = e) });
    await settle();
    server.push(`{"metadata":{"resourceVersion":"9"},"items":[${pod('a')},{"metadata":{"resourceVersion":"1"}},`);
    await settle();
    expect(error).toBeInstanceOf(WatchStreamError);
    expect(error).toMatchObject({ reason: 'InvalidEvent' });
    expect(server.isCancelled()).toBe(true);
  });

  it('errors with Truncated for a body that ends early and MalformedJson for one that is not JSON', async () => {
    const texts = [`{"metadata":{"resourceVersion":"9"},"items":[${pod('a')}`, '<html>proxy error</html>'];
    const reasons: unknown[] = [];
    texts.forEach((text, i) => {
      const fetch: FetchFunction = () => Promise.resolve(new Response(text, { status: 200 }));
      fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch })
        .list({})
        .subscribe({ error: (e: unknown) => (reasons[i] = e instanceof WatchStreamError ? e.reason : e) });
    });
    await settle();
    expect(reasons).toEqual(['Truncated', 'MalformedJson']);
  });
});

describe('fetchListWatch with an async-iterable body (how rxkube/kube hands over Node responses)', () => {
  /** A body the test feeds chunk by chunk, recording whether the consumer called `return()`. */
  function iterableBody() {
    const queue: (Uint8Array | Error | null)[] = [];
    let wake: (() => void) | undefined;
    let returned = false;
    const body: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          while (queue.length === 0) await new Promise<void>((r) => (wake = r));
          const item = queue.shift()!;
          if (item === null) return { done: true, value: undefined };
          if (item instanceof Error) throw item;
          return { done: false, value: item };
        },
        return: async (): Promise<IteratorResult<Uint8Array>> => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const feed = (item: Uint8Array | Error | null) => {
      queue.push(item);
      wake?.();
    };
    return { body, feed, wasReturned: () => returned };
  }

  it('decodes watch events split across chunks, including inside a multi-byte character, and completes at the end', async () => {
    const source = iterableBody();
    const fetch: FetchFunction = () => Promise.resolve({ ok: true, status: 200, statusText: 'OK', headers: new Headers(), body: source.body });
    const events: WatchEvent[] = [];
    let completed = false;
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch })
      .watch({ resourceVersion: '1' })
      .subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    const bytes = encoder.encode('{"type":"ADDED","object":{"metadata":{"name":"ü-1","resourceVersion":"2"}}}\n{"type":"DELETED","object":{"metadata":{"name":"b","resourceVersion":"3"}}}\n');
    source.feed(bytes.subarray(0, 42));
    source.feed(bytes.subarray(42, 90));
    source.feed(bytes.subarray(90));
    source.feed(null);
    await settle();
    expect(events.map((e) => [e.type, (e.object.metadata as { name?: string } | undefined)?.name])).toEqual([
      ['ADDED', 'ü-1'],
      ['DELETED', 'b'],
    ]);
    expect(completed).toBe(true);
  });

  it('calls the iterator’s return() when the subscriber unsubscribes mid-stream', async () => {
    const source = iterableBody();
    const fetch: FetchFunction = () => Promise.resolve({ ok: true, status: 200, statusText: 'OK', headers: new Headers(), body: source.body });
    const sub = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch }).watch({ resourceVersion: '1' }).subscribe();
    source.feed(encoder.encode('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"2"}}}\n'));
    await settle();
    expect(source.wasReturned()).toBe(false);
    sub.unsubscribe();
    expect(source.wasReturned()).toBe(true);
  });

  it('errors with the transport’s own error when the iterator throws', async () => {
    const source = iterableBody();
    const fetch: FetchFunction = () => Promise.resolve({ ok: true, status: 200, statusText: 'OK', headers: new Headers(), body: source.body });
    let error: unknown;
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch })
      .watch({ resourceVersion: '1' })
      .subscribe({ error: (e: unknown) => (error = e) });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    source.feed(reset);
    await settle();
    expect(error).toBe(reset);
  });

  it('reads a list page and an ApiError body from an iterable', async () => {
    const ok = iterableBody();
    const list = encoder.encode('{"metadata":{"resourceVersion":"9"},"items":[]}');
    ok.feed(list.subarray(0, 10));
    ok.feed(list.subarray(10));
    ok.feed(null);
    const failed = iterableBody();
    failed.feed(encoder.encode('{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}'));
    failed.feed(null);
    const responses = [
      { ok: true, status: 200, statusText: 'OK', headers: new Headers(), body: ok.body },
      { ok: false, status: 410, statusText: 'Gone', headers: new Headers(), body: failed.body },
    ];
    const fetch: FetchFunction = () => Promise.resolve(responses.shift()!);
    const lw = fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch });
    const pages: unknown[] = [];
    lw.list({}).subscribe((p) => pages.push(p));
    await settle();
    expect(pages).toEqual([{ metadata: { resourceVersion: '9' }, items: [] }]);
    let error: unknown;
    lw.list({}).subscribe({ error: (e: unknown) => (error = e) });
    await settle();
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

describe('fetchListWatch with a shard', () => {
  // FNV-1a 64 of these uids: 'in' → 677bbb8927e4beb5 (lower half), 'out' → a2d46c974998a17b (upper half).
  const inUid = 'a3897f75-2fb9-4073-b0aa-4c857a342d71';
  const outUid = '0d7566a7-50c8-4dc4-b192-ff7584b4153f';
  const lowerHalf = { field: 'uid' as const, ranges: [{ start: 0n, end: 1n << 63n }] };
  const selector = "shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')";
  const item = (name: string, uid: string) => ({ metadata: { name, uid, resourceVersion: '1' } });
  const listBody = (shardInfo?: unknown) => JSON.stringify({ metadata: { resourceVersion: '5', ...(shardInfo === undefined ? {} : { shardInfo }) }, items: [item('in', inUid), item('out', outUid)] });

  it.each([
    ['no echo (a server without the gate)', undefined, 'client', ['in']],
    ['an echo of another selector', { selector: 'something else' }, 'client', ['in']],
    ['the echo of its selector (trusted as is)', { selector }, 'server', ['in', 'out']],
  ])('a list page with %s is %s-filtered', async (_, shardInfo, by, names) => {
    const m = manualFetch();
    const pages: unknown[] = [];
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: m.fetch, shard: lowerHalf }).list({ limit: 10 }).subscribe((p) => pages.push(p));
    await settle();
    expect(m.requests[0]!.url).toBe('http://k/api/v1/pods?limit=10&shardSelector=shardRange%28object.metadata.uid%2C+%270x0000000000000000%27%2C+%270x8000000000000000%27%29');
    m.push(listBody(shardInfo));
    m.close();
    await settle();
    expect(pages).toMatchObject([{ shardFilter: by, items: names.map((name) => ({ metadata: { name } })) }]);
  });

  it('drops watch events for objects outside the shard, keeps bookmarks', async () => {
    const m = manualFetch();
    const events: WatchEvent[] = [];
    fetchListWatch({ baseUrl: 'http://k', resource: '/api/v1/pods', fetch: m.fetch, shard: lowerHalf }).watch({ resourceVersion: '5' }).subscribe((e) => events.push(e));
    await settle();
    for (const [type, name, uid] of [['ADDED', 'in', inUid], ['ADDED', 'out', outUid], ['MODIFIED', 'out', outUid], ['DELETED', 'in', inUid]] as const) {
      m.push(`${JSON.stringify({ type, object: item(name, uid) })}\n`);
    }
    m.push(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })}\n`);
    m.close();
    await settle();
    expect(events.map((e) => `${e.type} ${e.type === 'ERROR' ? '' : (e.object.metadata?.name ?? '')}`)).toEqual(['ADDED in', 'DELETED in', 'BOOKMARK ']);
  });
});
