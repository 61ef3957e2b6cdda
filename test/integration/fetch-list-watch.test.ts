import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, WatchStalledError, WatchStreamError } from '../../src/model/errors.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { WatchEvent } from '../../src/model/wire.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import type { FetchListWatchOptions } from '../../src/sources/fetch-list-watch.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface TestServer {
  readonly baseUrl: string;
  /** `path?query` of every request, in order. */
  readonly urls: string[];
  readonly requests: http.IncomingMessage[];
  readonly openSockets: Set<Socket>;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

async function startServer(handler: Handler): Promise<TestServer> {
  const urls: string[] = [];
  const requests: http.IncomingMessage[] = [];
  const openSockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    urls.push(req.url ?? '');
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const result: TestServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    urls,
    requests,
    openSockets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(result);
  return result;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const pod = (name: string, rv: string) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: 'default', resourceVersion: rv } });
const nameOf = (e: WatchEvent) => (e.type === 'ERROR' ? undefined : e.object.metadata?.name);
const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const json = (res: http.ServerResponse, code: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const startWatch = (res: http.ServerResponse) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
};

function lw(server: TestServer, options: Partial<FetchListWatchOptions> = {}) {
  return fetchListWatch({ baseUrl: server.baseUrl, resource: { version: 'v1', plural: 'pods', namespace: 'default' }, ...options });
}

function errorOf(observable: { subscribe(o: { error(e: unknown): void }): unknown }): Promise<unknown> {
  return new Promise((resolve) => observable.subscribe({ error: resolve }));
}

describe('fetchListWatch over HTTP: requests', () => {
  it('sends a list with selectors, limit and resourceVersion exactly as client-go does, and emits the page', async () => {
    const server = await startServer((_req, res) =>
      json(res, 200, { kind: 'PodList', metadata: { resourceVersion: '48213', continue: 'next-page' }, items: [pod('a', '1')] }),
    );
    const page = await lastValueFrom(
      lw(server, { labelSelector: 'app=web', fieldSelector: 'status.phase=Running' }).list({ limit: 500, resourceVersion: '0' }).pipe(toArray()),
    );
    expect(server.urls).toEqual(['/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning&labelSelector=app%3Dweb&limit=500&resourceVersion=0']);
    expect(server.requests[0]?.method).toBe('GET');
    expect(server.requests[0]?.headers.accept).toBe('application/json');
    expect(page).toEqual([{ metadata: { resourceVersion: '48213', continue: 'next-page' }, items: [pod('a', '1')] }]);
  });

  it('sends a continuation without resourceVersion and an Exact list with resourceVersionMatch', async () => {
    const server = await startServer((_req, res) => json(res, 200, { metadata: { resourceVersion: '7' }, items: [] }));
    const pods = lw(server, { resource: { group: 'apps', version: 'v1', plural: 'deployments' } });
    await lastValueFrom(pods.list({ continue: 'eyJ2Ijo=', limit: 500 }));
    await lastValueFrom(pods.list({ resourceVersion: '48213', resourceVersionMatch: 'Exact' }));
    await lastValueFrom(pods.list({}));
    expect(server.urls).toEqual([
      '/apis/apps/v1/deployments?continue=eyJ2Ijo%3D&limit=500',
      '/apis/apps/v1/deployments?resourceVersion=48213&resourceVersionMatch=Exact',
      '/apis/apps/v1/deployments',
    ]);
  });

  it('sends watches with the selectors too, with bookmarks, timeout and streaming-list parameters', async () => {
    const server = await startServer((_req, res) => {
      startWatch(res);
      res.end();
    });
    const pods = lw(server, { resource: '/api/v1/pods', labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1' });
    await lastValueFrom(pods.watch({ resourceVersion: '48213', allowWatchBookmarks: true, timeoutSeconds: 437 }), { defaultValue: undefined });
    await lastValueFrom(pods.watch({ allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan', sendInitialEvents: true, timeoutSeconds: 512 }), {
      defaultValue: undefined,
    });
    expect(server.urls).toEqual([
      '/api/v1/pods?allowWatchBookmarks=true&fieldSelector=spec.nodeName%3Dn1&labelSelector=app%3Dweb&resourceVersion=48213&timeoutSeconds=437&watch=true',
      '/api/v1/pods?allowWatchBookmarks=true&fieldSelector=spec.nodeName%3Dn1&labelSelector=app%3Dweb&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=512&watch=true',
    ]);
  });

  it('keeps a base URL path prefix', async () => {
    const server = await startServer((_req, res) => json(res, 200, { metadata: { resourceVersion: '1' }, items: [] }));
    await lastValueFrom(fetchListWatch({ baseUrl: `${server.baseUrl}/k8s/clusters/c-1/`, resource: { version: 'v1', plural: 'nodes' } }).list({}));
    expect(server.urls).toEqual(['/k8s/clusters/c-1/api/v1/nodes']);
  });

  it('asks for PartialObjectMetadata with a JSON fallback when metadataOnly is set', async () => {
    const server = await startServer((req, res) => {
      if (req.url?.includes('watch=true')) {
        startWatch(res);
        res.end(line({ type: 'ADDED', object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'a', resourceVersion: '2' } } }));
      } else {
        json(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '1' }, items: [] });
      }
    });
    const pods = lw(server, { metadataOnly: true });
    await lastValueFrom(pods.list({}));
    const events = await lastValueFrom(pods.watch({ resourceVersion: '1' }).pipe(toArray()));
    expect(server.requests.map((r) => r.headers.accept)).toEqual([
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
      'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
    ]);
    expect(events.map((e) => nameOf(e))).toEqual(['a']);
  });

  it('sends the caller\'s headers, computed per request', async () => {
    const server = await startServer((_req, res) => json(res, 200, { metadata: { resourceVersion: '1' }, items: [] }));
    let n = 0;
    const pods = lw(server, { headers: () => ({ Authorization: `Bearer token-${++n}` }) });
    await lastValueFrom(pods.list({}));
    await lastValueFrom(pods.list({}));
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});

describe('fetchListWatch over HTTP: watch streams', () => {
  it('emits each event as soon as its line arrives, with lines and characters split across chunks', async () => {
    const received: WatchEvent[] = [];
    let nextEvent!: () => void;
    const server = await startServer((_req, res) => {
      startWatch(res);
      const first = Buffer.from(line({ type: 'ADDED', object: { ...pod('日本-😀', '2') } }));
      const cut = first.indexOf(Buffer.from('😀')) + 2; // inside the emoji's four bytes
      res.write(first.subarray(0, cut));
      setTimeout(() => res.write(first.subarray(cut)), 20);
      // The second event is only written once the client has seen the first: a client that
      // buffers the body would wait forever.
      nextEvent = () => {
        res.write(line({ type: 'MODIFIED', object: pod('日本-😀', '3') }).slice(0, 10));
        setTimeout(() => {
          res.write(line({ type: 'MODIFIED', object: pod('日本-😀', '3') }).slice(10));
          res.end(line({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '9' } } }));
        }, 20);
      };
    });
    await new Promise<void>((resolve, reject) =>
      lw(server)
        .watch({ resourceVersion: '1' })
        .subscribe({
          next: (e) => {
            received.push(e);
            if (received.length === 1) nextEvent();
          },
          error: reject,
          complete: resolve,
        }),
    );
    expect(received).toEqual([
      { type: 'ADDED', object: pod('日本-😀', '2') },
      { type: 'MODIFIED', object: pod('日本-😀', '3') },
      { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '9' } } },
    ]);
  }, 10_000);

  it('emits an ERROR event in a 200 stream as an event and completes', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 };
    const server = await startServer((_req, res) => {
      startWatch(res);
      res.end(line({ type: 'ERROR', object: status }));
    });
    expect(await lastValueFrom(lw(server).watch({ resourceVersion: '1' }).pipe(toArray()))).toEqual([{ type: 'ERROR', object: status }]);
  });

  it('errors with Truncated when the body ends mid-line, after emitting the complete events', async () => {
    const server = await startServer((_req, res) => {
      startWatch(res);
      res.write(line({ type: 'ADDED', object: pod('a', '2') }));
      res.end(line({ type: 'ADDED', object: pod('b', '3') }).slice(0, 25));
    });
    const received: WatchEvent[] = [];
    const error = await new Promise((resolve) => lw(server).watch({}).subscribe({ next: (e) => received.push(e), error: resolve }));
    expect(received.map((e) => nameOf(e))).toEqual(['a']);
    expect(error).toBeInstanceOf(WatchStreamError);
    expect((error as WatchStreamError).reason).toBe('Truncated');
  });

  it('errors with Truncated when the body ends in the middle of a multi-byte character', async () => {
    const server = await startServer((_req, res) => {
      startWatch(res);
      const bytes = Buffer.from(line({ type: 'ADDED', object: pod('ü😀', '2') }));
      res.end(bytes.subarray(0, bytes.indexOf(Buffer.from('😀')) + 1));
    });
    expect(await errorOf(lw(server).watch({}))).toMatchObject({ name: 'WatchStreamError', reason: 'Truncated' });
  });

  it('errors with the transport error, not a stream error, when the connection drops mid-stream', async () => {
    const server = await startServer((req, res) => {
      startWatch(res);
      res.write(line({ type: 'ADDED', object: pod('a', '2') }));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const error = await errorOf(lw(server).watch({}));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WatchStreamError);
    expect(typeof (error as { code?: unknown }).code).not.toBe('number');
  });

  it.each([
    ['MalformedJson', '{"type":"ADDED",\n'],
    ['UnknownEventType', line({ type: 'SURPRISE', object: pod('a', '1') })],
    ['InvalidEvent', line({ type: 'ADDED', object: { metadata: { resourceVersion: '1' } } })],
    ['LineTooLong', line({ type: 'ADDED', object: { ...pod('a', '1'), data: 'x'.repeat(2000) } })],
  ])('errors with %s and closes the connection', async (reason, body) => {
    const server = await startServer((_req, res) => {
      startWatch(res);
      res.write(body);
      // Keep the stream open: the client must close it.
    });
    const error = await errorOf(lw(server, { maxLineBytes: 1024 }).watch({}));
    expect(error).toMatchObject({ name: 'WatchStreamError', reason });
    await vi.waitFor(() => expect(server.openSockets.size).toBe(0));
  });

  it('errors with WatchStalledError when the server goes silent, and closes the connection', async () => {
    const server = await startServer((_req, res) => {
      startWatch(res);
      res.write(line({ type: 'ADDED', object: pod('a', '2') }));
    });
    const received: WatchEvent[] = [];
    const error = await new Promise((resolve) =>
      lw(server, { stallTimeoutMs: 200 })
        .watch({ timeoutSeconds: 300 })
        .subscribe({ next: (e) => received.push(e), error: resolve }),
    );
    expect(received).toHaveLength(1);
    expect(error).toBeInstanceOf(WatchStalledError);
    await vi.waitFor(() => expect(server.openSockets.size).toBe(0));
  });

  it('errors with WatchStalledError when the response headers never come', async () => {
    const server = await startServer(() => undefined);
    expect(await errorOf(lw(server, { stallTimeoutMs: 200 }).list({}))).toBeInstanceOf(WatchStalledError);
    await vi.waitFor(() => expect(server.openSockets.size).toBe(0));
  });

  it('aborts the request when the subscriber unsubscribes: the server sees the connection close', async () => {
    let requestClosed = false;
    const server = await startServer((req, res) => {
      req.on('close', () => (requestClosed = true));
      startWatch(res);
      res.write(line({ type: 'ADDED', object: pod('a', '2') }));
    });
    const first = await firstValueFrom(lw(server).watch({}));
    expect(nameOf(first)).toBe('a');
    await vi.waitFor(() => {
      expect(requestClosed).toBe(true);
      expect(server.openSockets.size).toBe(0);
    });
  });

  it('aborts a list that is still waiting for its response when unsubscribed', async () => {
    const server = await startServer(() => undefined);
    const sub = lw(server).list({}).subscribe();
    await vi.waitFor(() => expect(server.urls).toHaveLength(1));
    sub.unsubscribe();
    await vi.waitFor(() => expect(server.openSockets.size).toBe(0));
  });
});

describe('fetchListWatch over HTTP: errors', () => {
  it('turns 410 with a Status body into an ApiError with code, reason and message', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'The provided continue parameter is too old', reason: 'Expired', code: 410 };
    const server = await startServer((_req, res) => json(res, 410, status));
    const error = (await errorOf(lw(server).list({ continue: 'x' }))) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 410, reason: 'Expired', message: status.message, status });
  });

  it('takes retryAfterSeconds from the Retry-After header of a 429', async () => {
    const status = { kind: 'Status', status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds: 1 }, code: 429 };
    const server = await startServer((_req, res) => json(res, 429, status, { 'Retry-After': '3' }));
    expect(await errorOf(lw(server).watch({}))).toMatchObject({ name: 'ApiError', code: 429, reason: 'TooManyRequests', retryAfterSeconds: 3 });
  });

  it('accepts an HTTP-date Retry-After on a 503 without a Status body', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(503, { 'Retry-After': new Date(Date.now() + 3_600_000).toUTCString(), 'Content-Type': 'text/plain' });
      res.end('upstream unavailable');
    });
    const error = (await errorOf(lw(server).list({}))) as ApiError;
    expect(error.code).toBe(503);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('upstream unavailable');
    expect(error.retryAfterSeconds).toBeGreaterThan(3500);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(3600);
  });

  it('takes retryAfterSeconds and causes from the Status details of a 504 (resourceVersion too large)', async () => {
    const status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Timeout: Too large resource version: 900, current: 850', reason: 'Timeout',
      details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }, code: 504,
    };
    const server = await startServer((_req, res) => json(res, 504, status));
    const error = (await errorOf(lw(server).list({ resourceVersion: '900' }))) as ApiError;
    expect(error).toMatchObject({ code: 504, reason: 'Timeout', retryAfterSeconds: 1 });
    expect(error.status?.details?.causes?.[0]?.reason).toBe('ResourceVersionTooLarge');
  });

  it('turns a 500 InternalError into an ApiError', async () => {
    const server = await startServer((_req, res) => json(res, 500, { kind: 'Status', status: 'Failure', message: 'etcdserver: no leader', reason: 'InternalError', code: 500 }));
    expect(await errorOf(lw(server).watch({}))).toMatchObject({ name: 'ApiError', code: 500, reason: 'InternalError', message: 'etcdserver: no leader' });
  });

  it('never puts the Authorization header into an error', async () => {
    const server = await startServer((_req, res) => json(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
    const error = (await errorOf(lw(server, { headers: { Authorization: 'Bearer s3cr3t-token' } }).list({}))) as ApiError;
    expect(error.code).toBe(401);
    expect(JSON.stringify({ message: error.message, status: error.status, stack: error.stack })).not.toContain('s3cr3t-token');
  });

  it('errors with MalformedJson for a list body that is not JSON and InvalidEvent for one that is not a list', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(req.url?.includes('nodes') ? '<html>' : JSON.stringify({ kind: 'Pod', metadata: { name: 'a', resourceVersion: '1' } }));
    });
    expect(await errorOf(lw(server, { resource: '/api/v1/nodes' }).list({}))).toMatchObject({ reason: 'MalformedJson' });
    expect(await errorOf(lw(server).list({}))).toMatchObject({ reason: 'InvalidEvent' });
  });

  it('errors with the network error when nothing listens', async () => {
    const server = await startServer(() => undefined);
    await server.close();
    const error = await errorOf(fetchListWatch<KubeObject>({ baseUrl: server.baseUrl, resource: '/api/v1/pods' }).list({}));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBeDefined();
  });
});
