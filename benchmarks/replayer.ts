/**
 * A lean API-server replayer for the benchmarks, run as its own process: it serves pre-serialised
 * list pages and watch events for `/api/v1/pods` as fast as the socket takes them.
 *
 * URL: `/s/<n>-<m>/<mode>/<session>/api/v1/pods?…` — the prefix selects the data set, the
 * scenario and a per-client session:
 * - list (no `watch`): honours `limit` and `continue`; unpaginated when `limit` is absent. A
 *   session lists its initial state until it was sent a 410, then the state after the M events.
 * - the session's first watch: mode `watch` sends the M events and ends the stream; mode `relist`
 *   sends one `ERROR` 410 event and ends it. Later watches stay open and silent until the client
 *   leaves.
 * - a watch with `sendInitialEvents=true` (streaming list): N `ADDED` events, the
 *   initial-events-end bookmark, the M events, end.
 * - mode `bigsync` (`/s/<n>-0/bigsync/…`): a list is ONE unpaginated response of the N objects
 *   whatever `limit` says — as a real API server answers a `resourceVersion=0` list from its watch
 *   cache — streamed item by item with backpressure: the items are cloned from a few thousand
 *   templates while the body is written (data.ts `clonedItems`), so neither the data set nor the
 *   body (≈ 1.5 GB for 300,000 pods) is ever held whole. Watches stay open and silent.
 * - `Accept: …;as=PartialObjectMetadataList` / `as=PartialObjectMetadata` selects the metadata form.
 * - `GET /prepare?n=&m=&form=` builds (and caches) a data set before the timed runs;
 *   `&big=1` prepares a `bigsync` one (the templates only).
 *
 * Prints `listening <port>` on stdout once ready. Bytes are generated once per (n, m, form) and
 * kept in memory for the life of the process; `bigsync` keeps only its templates.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { clonedItems, clonedItemsBytes, generateDataset, itemTemplates, type Dataset, type Form, type ItemTemplate } from './data.ts';

const datasets = new Map<string, Dataset>();
const pageCache = new Map<string, Buffer[]>();
const sessions = new Map<string, { relisted: boolean; watches: number }>();
const templateCache = new Map<Form, ItemTemplate[]>();

function templates(form: Form): ItemTemplate[] {
  let t = templateCache.get(form);
  if (t === undefined) {
    const started = performance.now();
    templateCache.set(form, (t = itemTemplates(form)));
    process.stderr.write(`replayer: ${t.length} ${form} templates for bigsync in ${Math.round(performance.now() - started)} ms\n`);
  }
  return t;
}

/** Scenario `bigsync`: N objects as one list response, cloned item by item as the socket takes them. */
async function handleBigList(res: ServerResponse, n: number, form: Form): Promise<void> {
  const kind = form === 'metadata' ? '"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1"' : '"kind":"PodList","apiVersion":"v1"';
  res.writeHead(200, {
    'Content-Type': form === 'metadata' ? 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' : 'application/json',
  });
  const body = function* (): Generator<Buffer> {
    yield Buffer.from(`{${kind},"metadata":{"resourceVersion":"${n}"},"items":[`);
    yield* clonedItems(templates(form), n);
    yield Buffer.from(']}');
  };
  await send(res, body());
  res.end();
}

function dataset(n: number, m: number, form: Form): Dataset {
  const id = `${n}-${m}-${form}`;
  let d = datasets.get(id);
  if (d === undefined) {
    const started = performance.now();
    d = generateDataset(n, m, form);
    datasets.set(id, d);
    const bytes = (list: readonly Buffer[]): number => list.reduce((sum, b) => sum + b.length, 0);
    process.stderr.write(`replayer: generated ${id} in ${Math.round(performance.now() - started)} ms: list ${bytes(d.items)} B, events ${bytes(d.events)} B\n`);
  }
  return d;
}

/** The items of `[0, n)` joined with commas, cut into pages of `limit` (one Buffer per page). */
function pages(d: Dataset, state: 'initial' | 'final', limit: number): Buffer[] {
  const id = `${d.n}-${d.m}-${d.form}-${state}-${limit}`;
  let cached = pageCache.get(id);
  if (cached === undefined) {
    const items = state === 'initial' ? d.items : d.finalItems;
    cached = [];
    const comma = Buffer.from(',');
    for (let start = 0; start < items.length; start += limit) {
      const parts: Buffer[] = [];
      for (let i = start; i < Math.min(items.length, start + limit); i++) {
        if (i > start) parts.push(comma);
        parts.push(items[i]!);
      }
      cached.push(Buffer.concat(parts));
    }
    pageCache.set(id, cached);
  }
  return cached;
}

async function send(res: ServerResponse, chunks: Iterable<Buffer>): Promise<boolean> {
  for (const chunk of chunks) {
    if (res.destroyed) return false;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  return !res.destroyed;
}

/** Slices big buffers so that one write never holds more than a few MB. */
function* sliced(chunks: Iterable<Buffer>, size = 1 << 20): Generator<Buffer> {
  let batch: Buffer[] = [];
  let batchBytes = 0;
  for (const chunk of chunks) {
    batch.push(chunk);
    batchBytes += chunk.length;
    if (batchBytes >= size) {
      yield batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batchBytes > 0) yield batch.length === 1 ? batch[0]! : Buffer.concat(batch, batchBytes);
}

function metadataForm(accept: string | undefined): boolean {
  return accept !== undefined && /as=PartialObjectMetadata/.test(accept);
}

async function handleList(res: ServerResponse, d: Dataset, session: { relisted: boolean }, query: URLSearchParams): Promise<void> {
  const limit = Number(query.get('limit') ?? '0');
  const token = query.get('continue');
  let state: 'initial' | 'final' = session.relisted ? 'final' : 'initial';
  let page = 0;
  if (token) {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { s: 'initial' | 'final'; p: number };
    state = parsed.s;
    page = parsed.p;
  }
  const items = state === 'initial' ? d.items : d.finalItems;
  const rv = state === 'initial' ? d.listRv : d.finalRv;
  const kind = d.form === 'metadata' ? '"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1"' : '"kind":"PodList","apiVersion":"v1"';
  res.writeHead(200, {
    'Content-Type': d.form === 'metadata' ? 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' : 'application/json',
  });
  if (limit > 0 && limit < items.length) {
    const all = pages(d, state, limit);
    const body = all[page] ?? Buffer.alloc(0);
    const remaining = items.length - Math.min(items.length, (page + 1) * limit);
    const meta = remaining > 0
      ? `{"resourceVersion":"${rv}","continue":"${Buffer.from(JSON.stringify({ s: state, p: page + 1 })).toString('base64url')}","remainingItemCount":${remaining}}`
      : `{"resourceVersion":"${rv}"}`;
    await send(res, [Buffer.from(`{${kind},"metadata":${meta},"items":[`), body, Buffer.from(']}')]);
  } else {
    const all = pages(d, state, 500);
    const comma = Buffer.from(',');
    const parts: Buffer[] = [Buffer.from(`{${kind},"metadata":{"resourceVersion":"${rv}"},"items":[`)];
    all.forEach((p, i) => {
      if (i > 0) parts.push(comma);
      parts.push(p);
    });
    parts.push(Buffer.from(']}'));
    await send(res, sliced(parts));
  }
  res.end();
}

async function handleWatch(req: IncomingMessage, res: ServerResponse, d: Dataset, mode: string, session: { relisted: boolean; watches: number }, query: URLSearchParams): Promise<void> {
  res.writeHead(200, {
    'Content-Type': d.form === 'metadata' ? 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' : 'application/json',
  });
  res.flushHeaders();
  const first = session.watches === 0;
  session.watches++;
  if (query.get('sendInitialEvents') === 'true') {
    const initial = function* (): Generator<Buffer> {
      const head = Buffer.from('{"type":"ADDED","object":');
      const tail = Buffer.from('}\n');
      for (const item of d.items) {
        yield head;
        yield item;
        yield tail;
      }
      yield Buffer.from(`{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"${d.listRv}","annotations":{"k8s.io/initial-events-end":"true"}}}}\n`);
    };
    if (await send(res, sliced(initial()))) await send(res, sliced(d.events));
    res.end();
    return;
  }
  if (first && mode === 'relist') {
    session.relisted = true;
    res.end('{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version","reason":"Expired","code":410}}\n');
    return;
  }
  if (first) {
    await send(res, sliced(d.events));
    res.end();
    return;
  }
  // Later watches: open and silent, as a quiet collection is, until the client leaves.
  await new Promise<void>((resolve) => req.on('close', resolve));
}

/** A watch that stays open and silent until the client leaves (after a `bigsync` list). */
async function silentWatch(req: IncomingMessage, res: ServerResponse, form: Form): Promise<void> {
  res.writeHead(200, {
    'Content-Type': form === 'metadata' ? 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' : 'application/json',
  });
  res.flushHeaders();
  await new Promise<void>((resolve) => req.on('close', resolve));
}

const server = createServer((req, res) => {
  res.socket?.setNoDelay(true);
  const url = new URL(req.url ?? '/', 'http://replayer');
  const fail = (code: number, message: string): void => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
  };
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (url.pathname === '/prepare' && url.searchParams.get('big') === '1') {
    const form = (url.searchParams.get('form') ?? 'full') as Form;
    const listBytes = clonedItemsBytes(templates(form), Number(url.searchParams.get('n')));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ listBytes, eventBytes: 0, mix: { templates: templates(form).length } }));
    return;
  }
  if (url.pathname === '/prepare') {
    const d = dataset(Number(url.searchParams.get('n')), Number(url.searchParams.get('m')), (url.searchParams.get('form') ?? 'full') as Form);
    pages(d, 'initial', 500);
    pages(d, 'final', 500);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ listBytes: d.items.reduce((s, b) => s + b.length, 0), eventBytes: d.events.reduce((s, b) => s + b.length, 0), mix: d.mix }));
    return;
  }
  const match = /^\/s\/(\d+)-(\d+)\/(watch|relist|bigsync)\/([\w-]+)\/api\/v1\/pods$/.exec(url.pathname);
  if (match === null) {
    fail(404, `no route for ${url.pathname}`);
    return;
  }
  const [, n, m, mode, sessionId] = match;
  const form: Form = metadataForm(req.headers.accept) ? 'metadata' : 'full';
  const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  if (mode === 'bigsync') {
    const work = watching ? silentWatch(req, res, form) : handleBigList(res, Number(n), form);
    work.catch((error: unknown) => {
      process.stderr.write(`replayer: ${String(error)}\n`);
      res.destroy();
    });
    return;
  }
  const d = dataset(Number(n), Number(m), form);
  let session = sessions.get(`${sessionId}`);
  if (session === undefined) sessions.set(`${sessionId}`, (session = { relisted: false, watches: 0 }));
  const work = watching
    ? handleWatch(req, res, d, mode!, session, url.searchParams)
    : handleList(res, d, session, url.searchParams);
  work.catch((error: unknown) => {
    process.stderr.write(`replayer: ${String(error)}\n`);
    res.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
