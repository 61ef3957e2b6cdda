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
 * - modes `shard-on` and `shard-off` (scenario `sharding`): mode `watch` for one replica of a
 *   sharded informer, with the `ShardedListAndWatch` feature gate on or off. Gate on: a
 *   `shardSelector` restricts the list (items, pages, `remainingItemCount`) and the M events to the
 *   objects whose FNV-1a hash of `metadata.uid` is in range (src/sources/shard.ts, the same code
 *   the simulated server uses), and the list echoes it in `metadata.shardInfo.selector`. Gate
 *   off: the parameter is ignored, everything is sent. Every response body byte written for such
 *   a session is counted: `GET /bytes?session=<session>` answers `{"bytes":…}`.
 *   `GET /shard-counts?n=&m=&count=K` answers the listed items, the events and the items after
 *   the events of each of `equalShards(K)`.
 * - `Accept: …;as=PartialObjectMetadataList` / `as=PartialObjectMetadata` selects the metadata form.
 * - `GET /prepare?n=&m=&form=` builds (and caches) a data set before the timed runs;
 *   `&big=1` prepares a `bigsync` one (the templates only).
 *
 * Prints `listening <port>` on stdout once ready. Bytes are generated once per (n, m, form) and
 * kept in memory for the life of the process; `bigsync` keeps only its templates.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { clonedItems, clonedItemsBytes, generateDataset, itemTemplates, type Dataset, type Form, type ItemTemplate } from './data.ts';
import { equalShards, parseShardSelector, shardMembership, shardSelector } from '../src/sources/shard.ts';
import type { KubeObject } from '../src/model/kube-object.ts';

const datasets = new Map<string, Dataset>();
const pageCache = new Map<string, Buffer[]>();
const sessions = new Map<string, Session>();

interface Session {
  relisted: boolean;
  watches: number;
  /** Response body bytes written (modes `shard-on` and `shard-off` only). */
  bytes: number;
}

/** The uid of every listed item and of every event's object, parsed once per data set. */
const uidCache = new WeakMap<Dataset, { items: string[]; events: string[]; finalItems: string[] }>();
/** The restriction of a data set to one shard selector (sharing the item and event buffers). */
const shardCache = new WeakMap<Dataset, Map<string, Dataset>>();
/** Shard data sets build their pages per request instead of caching them (they would double the memory). */
const shardDatasets = new WeakSet<Dataset>();

function uids(d: Dataset): { items: string[]; events: string[]; finalItems: string[] } {
  let cached = uidCache.get(d);
  if (cached === undefined) {
    const uid = (o: KubeObject): string => o.metadata?.uid ?? '';
    cached = {
      items: d.items.map((b) => uid(JSON.parse(b.toString()) as KubeObject)),
      events: d.events.map((b) => uid((JSON.parse(b.toString()) as { object: KubeObject }).object)),
      finalItems: d.finalItems.map((b) => uid(JSON.parse(b.toString()) as KubeObject)),
    };
    uidCache.set(d, cached);
  }
  return cached;
}

/** The data set as a server with `ShardedListAndWatch` serves it to `shardSelector=<text>`. */
function shardOf(d: Dataset, text: string): { dataset: Dataset; selector: string } {
  const shard = parseShardSelector(text);
  const selector = shardSelector(shard);
  let bySelector = shardCache.get(d);
  if (bySelector === undefined) shardCache.set(d, (bySelector = new Map()));
  let restricted = bySelector.get(selector);
  if (restricted === undefined) {
    const member = shardMembership(shard);
    const inShard = (uid: string): boolean => member({ metadata: { uid } });
    const u = uids(d);
    restricted = {
      ...d,
      items: d.items.filter((_, i) => inShard(u.items[i]!)),
      events: d.events.filter((_, i) => inShard(u.events[i]!)),
      // Not served in these modes (no relist): the unrestricted state, unused.
      finalItems: d.finalItems,
    };
    shardDatasets.add(restricted);
    bySelector.set(selector, restricted);
  }
  return { dataset: restricted, selector };
}

/** Items, events and objects after the events of each of `equalShards(count)`: what each replica must see. */
function shardCounts(d: Dataset, count: number): { items: number[]; events: number[]; final: number[] } {
  const members = equalShards(count).map(shardMembership);
  const u = uids(d);
  const tally = (list: readonly string[]): number[] => {
    const counts = members.map(() => 0);
    for (const uid of list) counts[members.findIndex((m) => m({ metadata: { uid } }))]!++;
    return counts;
  };
  return { items: tally(u.items), events: tally(u.events), final: tally(u.finalItems) };
}

/** Counts the body bytes of one response into its session. */
function countBytes(res: ServerResponse, session: Session): void {
  const size = (chunk: unknown): number => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.length : 0);
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    session.bytes += size(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') session.bytes += size(chunk);
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}
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
  let cached = shardDatasets.has(d) ? undefined : pageCache.get(id);
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
    if (!shardDatasets.has(d)) pageCache.set(id, cached);
  }
  return cached;
}

/** Page `index` of `items` in pages of `limit`, built now (a shard data set's pages are not cached). */
function onePage(items: readonly Buffer[], limit: number, index: number): Buffer {
  const parts: Buffer[] = [];
  const comma = Buffer.from(',');
  for (let i = index * limit; i < Math.min(items.length, (index + 1) * limit); i++) {
    if (parts.length > 0) parts.push(comma);
    parts.push(items[i]!);
  }
  return Buffer.concat(parts);
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

async function handleList(res: ServerResponse, d: Dataset, session: { relisted: boolean }, query: URLSearchParams, shardInfo = ''): Promise<void> {
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
    const body = shardDatasets.has(d) ? onePage(items, limit, page) : pages(d, state, limit)[page] ?? Buffer.alloc(0);
    const remaining = items.length - Math.min(items.length, (page + 1) * limit);
    const meta = remaining > 0
      ? `{"resourceVersion":"${rv}","continue":"${Buffer.from(JSON.stringify({ s: state, p: page + 1 })).toString('base64url')}","remainingItemCount":${remaining}${shardInfo}}`
      : `{"resourceVersion":"${rv}"${shardInfo}}`;
    await send(res, [Buffer.from(`{${kind},"metadata":${meta},"items":[`), body, Buffer.from(']}')]);
  } else {
    const all = pages(d, state, 500);
    const comma = Buffer.from(',');
    const parts: Buffer[] = [Buffer.from(`{${kind},"metadata":{"resourceVersion":"${rv}"${shardInfo}},"items":[`)];
    all.forEach((p, i) => {
      if (i > 0) parts.push(comma);
      parts.push(p);
    });
    parts.push(Buffer.from(']}'));
    await send(res, sliced(parts));
  }
  res.end();
}

async function handleWatch(req: IncomingMessage, res: ServerResponse, d: Dataset, mode: string, session: Session, query: URLSearchParams): Promise<void> {
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
  if (url.pathname === '/bytes') {
    const session = sessions.get(url.searchParams.get('session') ?? '');
    if (session === undefined) {
      fail(404, 'no such session');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ bytes: session.bytes }));
    return;
  }
  if (url.pathname === '/shard-counts') {
    const d = dataset(Number(url.searchParams.get('n')), Number(url.searchParams.get('m')), 'full');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(shardCounts(d, Number(url.searchParams.get('count')))));
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
  const match = /^\/s\/(\d+)-(\d+)\/(watch|relist|bigsync|shard-on|shard-off)\/([\w-]+)\/api\/v1\/pods$/.exec(url.pathname);
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
  let d = dataset(Number(n), Number(m), form);
  let session = sessions.get(`${sessionId}`);
  if (session === undefined) sessions.set(`${sessionId}`, (session = { relisted: false, watches: 0, bytes: 0 }));
  let shardInfo = '';
  if (mode === 'shard-on' || mode === 'shard-off') {
    countBytes(res, session);
    const text = url.searchParams.get('shardSelector');
    if (mode === 'shard-on' && text !== null) {
      let sharded: { dataset: Dataset; selector: string };
      try {
        sharded = shardOf(d, text);
      } catch (e) {
        fail(500, `invalid shard selector: ${(e as Error).message}`);
        return;
      }
      d = sharded.dataset;
      shardInfo = `,"shardInfo":{"selector":${JSON.stringify(sharded.selector)}}`;
    }
  }
  const work = watching
    ? handleWatch(req, res, d, mode === 'relist' ? 'relist' : 'watch', session, url.searchParams)
    : handleList(res, d, session, url.searchParams, shardInfo);
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
