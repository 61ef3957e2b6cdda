import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';
import { getJson, pod, readWatch } from './simulated-server/helpers.ts';

let server: SimulatedApiServer;
beforeEach(async () => {
  server = await createSimulatedApiServer({ historySize: 100 });
});
afterEach(async () => {
  await server.close();
});

async function openWatch(query = ''): Promise<{ reader: ReadableStreamDefaultReader<Uint8Array>; abort: () => void }> {
  const ac = new AbortController();
  const res = await fetch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.resourceVersion}${query}`, { signal: ac.signal });
  return { reader: res.body!.getReader(), abort: () => ac.abort() };
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ bytes: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = [];
  let error: unknown;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  } catch (e) {
    error = e;
  }
  return { bytes: Buffer.concat(parts), error };
}

async function untilWatches(n: number): Promise<void> {
  while (server.openWatches < n) await new Promise((r) => setTimeout(r, 5));
}

describe('simulated server: faults', () => {
  it('dropWatches resets every open watch connection', async () => {
    const a = await openWatch();
    const b = await openWatch();
    await untilWatches(2);
    expect(server.faults.dropWatches()).toBe(2);
    const [ra, rb] = await Promise.all([drain(a.reader), drain(b.reader)]);
    expect(ra.error).toBeDefined();
    expect(rb.error).toBeDefined();
    expect(server.openWatches).toBe(0);
  });

  it('dropWatches({ graceful: true }) ends streams normally', async () => {
    const a = await openWatch();
    await untilWatches(1);
    server.faults.dropWatches({ graceful: true });
    expect((await drain(a.reader)).error).toBeUndefined();
  });

  it('cutWatches("midLine") writes part of the next event then resets', async () => {
    const a = await openWatch();
    await untilWatches(1);
    server.faults.cutWatches('midLine');
    server.create('pods', pod('a'));
    const { bytes, error } = await drain(a.reader);
    const text = Buffer.from(bytes).toString('utf8');
    expect(text.startsWith('{"type":"ADDED"')).toBe(true);
    expect(text.includes('\n')).toBe(false);
    expect(error).toBeDefined();
  });

  it('cutWatches("midChar") stops inside a multi-byte character', async () => {
    const a = await openWatch();
    await untilWatches(1);
    server.faults.cutWatches('midChar');
    server.create('pods', pod('a', 'default', {}, { metadata: { name: 'a', namespace: 'default', annotations: { note: 'café ☕' } } }));
    const { bytes } = await drain(a.reader);
    const last = bytes[bytes.length - 1]!;
    expect(last).toBeGreaterThanOrEqual(0xc0);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  });

  it('splitNextEvent splits a chunk inside a character and the stream goes on intact', async () => {
    const read = readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.resourceVersion}`, { until: (ev) => ev.length >= 2 });
    await untilWatches(1);
    server.faults.splitNextEvent({ delayMs: 20 });
    server.create('pods', { metadata: { name: 'a', namespace: 'default', annotations: { note: 'naïve' } } });
    server.create('pods', pod('b'));
    const { events } = await read;
    expect(events.map((e) => e.object.metadata?.name)).toEqual(['a', 'b']);
    expect(events[0]!.object.metadata?.annotations).toEqual({ note: 'naïve' });
  });

  it('stallWatches keeps connections open but silent', async () => {
    const read = readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.resourceVersion}&allowWatchBookmarks=true`, { maxMs: 300 });
    await untilWatches(1);
    server.faults.stallWatches();
    server.create('pods', pod('a'));
    const r = await read;
    expect(r.events).toEqual([]);
    expect(r.ended).toBe(false);
    expect(server.openWatches).toBe(1);
  });

  it.each([
    [429, 'TooManyRequests', '2'],
    [500, 'InternalError', null],
    [503, 'ServiceUnavailable', '2'],
    [504, 'Timeout', '2'],
    [410, 'Expired', null],
  ] as const)('failNext(%i) answers the next matching request, then normal service resumes', async (code, reason, retryAfter) => {
    server.faults.failNext(code, { match: { verb: 'list', resource: 'pods' }, retryAfterSeconds: 2 });
    const other = await getJson(`${server.url}/api/v1/nodes`);
    expect(other.status).toBe(200);
    const failed = await getJson(`${server.url}/api/v1/pods`);
    expect(failed.status).toBe(code);
    expect(failed.body).toMatchObject({ kind: 'Status', reason, code });
    expect(failed.headers.get('retry-after')).toBe(retryAfter);
    if (code === 504) expect(failed.body.details.causes[0].reason).toBe('ResourceVersionTooLarge');
    expect((await getJson(`${server.url}/api/v1/pods`)).status).toBe(200);
  });

  it('failNext with a count and a predicate', async () => {
    server.faults.failNext(503, { count: 2, match: (r) => r.verb === 'watch' });
    expect((await getJson(`${server.url}/api/v1/pods?watch=true&timeoutSeconds=1`)).status).toBe(503);
    expect((await getJson(`${server.url}/api/v1/pods?watch=true&timeoutSeconds=1`)).status).toBe(503);
    expect((await fetch(`${server.url}/api/v1/pods?watch=true&timeoutSeconds=1`)).status).toBe(200);
  });

  it('failNext rejects a misspelt option (times for count) or a bad count instead of failing one request', () => {
    const faults = server.faults as unknown as { failNext(code: number, o: Record<string, unknown>): void };
    expect(() => faults.failNext(503, { times: 3 })).toThrow(new TypeError('failNext: unknown option "times"; the options are count, match and retryAfterSeconds'));
    expect(() => faults.failNext(503, { count: 0 })).toThrow(TypeError);
    expect(() => faults.failNext(503, { count: 1.5 })).toThrow(TypeError);
  });

  it('sendErrorEvent writes an ERROR event and ends the stream', async () => {
    const read = readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.resourceVersion}`);
    await untilWatches(1);
    server.faults.sendErrorEvent({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'InternalError', code: 500, message: 'boom' });
    const r = await read;
    expect(r.ended).toBe(true);
    expect(r.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ code: 500, message: 'boom' }) }]);
  });

  it('malformed line, unknown event type and oversized line are written as such', async () => {
    const a = await openWatch();
    await untilWatches(1);
    server.faults.sendMalformedLine();
    server.faults.sendUnknownEventType({ type: 'SURPRISE' });
    server.faults.sendOversizedLine(100_000);
    server.faults.dropWatches({ graceful: true });
    const lines = Buffer.from((await drain(a.reader)).bytes).toString('utf8').split('\n');
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(JSON.parse(lines[1]!).type).toBe('SURPRISE');
    expect(lines[2]!.length).toBeGreaterThanOrEqual(99_000);
    expect(JSON.parse(lines[2]!).type).toBe('MODIFIED');
  });

  it('compact(rv) expires watches from before rv but not after', async () => {
    server.create('pods', pod('a'));
    const early = server.resourceVersion;
    server.create('pods', pod('b'));
    const mid = server.resourceVersion;
    server.create('pods', pod('c'));
    server.faults.compact(mid);
    const old = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${early}`);
    expect(old.events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, message: `too old resource version: ${early} (${mid})` } });
    const ok = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${mid}`, { until: (ev) => ev.length >= 1 });
    expect(ok.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'c' } } });
  });

  it('restart drops watches and history but keeps objects and the revision counter', async () => {
    server.create('pods', pod('a'));
    const before = server.resourceVersion;
    const a = await openWatch();
    await untilWatches(1);
    server.faults.restart();
    expect((await drain(a.reader)).error).toBeDefined();
    expect(server.resourceVersion).toBe(before);
    expect(server.list('pods').items).toHaveLength(1);
    const r = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${Number(before) - 1}`);
    expect(r.events[0]!.object.code).toBe(410);
    server.create('pods', pod('b'));
    expect(Number(server.resourceVersion)).toBe(Number(before) + 1);
  });
});

describe('simulated server: requests, auth, close', () => {
  it('records method, path, query and headers without Authorization', async () => {
    const authed = await createSimulatedApiServer({ token: 's3cret' });
    try {
      await fetch(`${authed.url}/api/v1/pods?limit=500&resourceVersion=0`, { headers: { authorization: 'Bearer s3cret', 'user-agent': 'rxkube-test' } });
      const r = authed.requests[0]!;
      expect(r.method).toBe('GET');
      expect(r.path).toBe('/api/v1/pods');
      expect(r.params).toEqual({ limit: '500', resourceVersion: '0' });
      expect(r.query.get('limit')).toBe('500');
      expect(r.verb).toBe('list');
      expect(r.resource).toBe('pods');
      expect(r.headers['user-agent']).toBe('rxkube-test');
      expect(r.headers.authorization).toBeUndefined();
      authed.clearRequests();
      expect(authed.requests).toHaveLength(0);
    } finally {
      await authed.close();
    }
  });

  it('with a token: 401 Unauthorized when missing or wrong; health stays open', async () => {
    const authed = await createSimulatedApiServer({ token: 's3cret' });
    try {
      const missing = await getJson(`${authed.url}/api/v1/pods`);
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
      expect((await getJson(`${authed.url}/api/v1/pods`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await getJson(`${authed.url}/api/v1/pods`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect((await fetch(`${authed.url}/readyz`)).status).toBe(200);
    } finally {
      await authed.close();
    }
  });

  it('close() destroys open watches and leaves no socket behind', async () => {
    const s = await createSimulatedApiServer();
    const ac = new AbortController();
    const res = await fetch(`${s.url}/api/v1/pods?watch=true`, { signal: ac.signal });
    const reader = res.body!.getReader();
    while (s.openWatches < 1) await new Promise((r) => setTimeout(r, 5));
    await s.close();
    await expect(reader.read()).rejects.toBeDefined();
    expect(s.openWatches).toBe(0);
    await expect(fetch(`${s.url}/healthz`)).rejects.toBeDefined();
  });
});
