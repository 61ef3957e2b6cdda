/**
 * One measurement in a fresh process: `node --expose-gc benchmarks/child.ts '<json Task>'`.
 * Prints one line `RESULT <json Measurement>` on stdout and exits.
 *
 * Every contender is timed the same way:
 * - `syncMs`: from just before the informer starts to the moment its store holds the full list;
 * - `syncCpuMs`, `watchCpuMs`, `eventsPerCpuSec`: the same phases in CPU time of the process (all
 *   threads, user + system), which a machine shared with other work disturbs far less;
 * - `watchMs`: from that moment until the M-th change has been applied (the replayer sends the M
 *   events right after the list; each changes the store);
 * - `maxRssMB`: `process.resourceUsage().maxRSS` right after the sync: the peak of the process so far;
 * - `heapMB`: after sync and watch, the store still referenced, `global.gc()` three times, then
 *   `process.memoryUsage().heapUsed`;
 * - `relistMs` (scenario `relist`): from the relist's first list request after a 410 to the new
 *   state swapped in (any backoff before the relist is excluded).
 *
 * Scenario `sharding` is `watch` for one replica of a sharded informer (`task.shard`): the
 * replayer sends only its shard (gate on) or everything (gate off, rxkube filters), and `m` is the
 * number of the shard's own changes, so `eventsPerSec` counts the replica's changes per second of
 * its watch phase whatever it had to read to find them. `shardFilter` is what `status$` said.
 *
 * Scenario `bigsync` is `watch` with M = 0: the child ends once synced. A contender that cannot
 * sync fails with the reason on one line: rxkube at its first backoff before the first sync (it
 * would otherwise relist forever), client-node at its informer's first error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Task, Measurement } from './protocol.ts';

const task = JSON.parse(process.argv[2] ?? '{}') as Task;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc');
  collect();
}

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(10);
  }
  return process.memoryUsage().heapUsed / 1048576;
}

function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

let baselineHeapMB = 0;

/**
 * Before the clock starts: loads Node's fetch (lazily loaded on first use), then records the heap
 * after GC with every module loaded, so that `storeHeapMB` = heap − this baseline.
 */
async function prelude(): Promise<void> {
  if (task.baseUrl) await (await fetch(new URL('/healthz', task.baseUrl))).text();
  baselineHeapMB = await heapAfterGc();
}

async function finalHeap(result: Measurement): Promise<void> {
  result.heapMB = await heapAfterGc();
  result.storeHeapMB = result.heapMB - baselineHeapMB;
}

/** A recorder for the timings every contender reports. */
function timeline(n: number, m: number) {
  // BENCH_MARKS=1 prints the phase boundaries in CLOCK_MONOTONIC µs, the clock of --cpu-prof.
  const mark = (name: string): void => {
    if (process.env['BENCH_MARKS']) process.stderr.write(`MARK ${name} ${process.hrtime.bigint() / 1000n}\n`);
  };
  mark('start');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let cpuSync = cpu0;
  let synced = -1;
  let rss = 0;
  let count = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  return {
    done,
    get synced() {
      return synced >= 0;
    },
    sync(): void {
      if (synced >= 0) return;
      synced = performance.now();
      mark('synced');
      cpuSync = process.cpuUsage();
      rss = maxRssMB();
      if (m === 0) resolveDone();
    },
    event(k = 1): void {
      count += k;
      if (count === m) {
        resolveDone();
      }
    },
    result(extra: Partial<Measurement> = {}): Measurement {
      const end = performance.now();
      mark('end');
      const cpuEnd = process.cpuUsage();
      const ms = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user + b.system - a.user - a.system) / 1000;
      const watchCpuMs = ms(cpuSync, cpuEnd);
      return {
        syncMs: synced - t0,
        watchMs: end - synced,
        eventsPerSec: m / ((end - synced) / 1000),
        syncCpuMs: ms(cpu0, cpuSync),
        watchCpuMs,
        eventsPerCpuSec: m / (watchCpuMs / 1000),
        maxRssMB: rss,
        n,
        events: count,
        ...extra,
      };
    },
  };
}

type KubeObj = import('../src/model/kube-object.ts').KubeObject;

/**
 * rxkube's transport as a Node.js program uses it: `kubeListWatch` with a KubeConfig (node:http,
 * the body read as Node chunks), like the client-node contender; `rxkube-fetch` is the
 * WHATWG-`fetch` transport a browser uses (`fetchListWatch` over Node's built-in fetch).
 */
async function rxkubeSource(variant: Task['contender']): Promise<import('../src/model/wire.ts').ListWatch<KubeObj>> {
  const metadataOnly = variant === 'rxkube-meta' || variant === 'rxkube-meta-lean';
  const omitManagedFields = variant === 'rxkube-lean' || variant === 'rxkube-meta-lean';
  if (variant === 'rxkube-fetch') {
    const { fetchListWatch } = await import('../src/sources/fetch-list-watch.ts');
    return fetchListWatch<KubeObj>({ baseUrl: task.baseUrl, resource: { version: 'v1', plural: 'pods' }, metadataOnly });
  }
  const { kubeListWatch } = await import('../src/kube/kube-list-watch.ts');
  return kubeListWatch<KubeObj>(await benchKubeConfig(), { version: 'v1', plural: 'pods' }, { metadataOnly, omitManagedFields });
}

/** One line: the error, and its cause (a WatchStreamError wraps the RangeError of a too-long string). */
function describe(error: unknown): string {
  const line = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0]!;
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? line(error) : `${line(error)} (cause: ${line(cause)})`;
}

/** A KubeConfig for the replayer over plain http: the same for client-node and rxkube/kube. */
async function benchKubeConfig(): Promise<import('@kubernetes/client-node').KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: task.baseUrl, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  return kc;
}

async function rxkube(variant: Task['contender']): Promise<Measurement> {
  const { informer } = await import('../src/informer/informer.ts');
  type Obj = KubeObj;
  const source = await rxkubeSource(variant);
  const options: Parameters<typeof informer<Obj>>[1] = {};
  // Production defaults: what NODE_ENV=production gives.
  if (variant === 'rxkube-unfrozen' || variant === 'rxkube-lean' || variant === 'rxkube-meta-lean') options.freeze = false;
  if (variant === 'rxkube-stream') options.initialList = 'stream';
  // For experiments only (not a contender): BENCH_PAGE_SIZE=0 lists unpaginated.
  if (process.env['BENCH_PAGE_SIZE'] !== undefined) options.pageSize = Number(process.env['BENCH_PAGE_SIZE']);
  return timeInformer(source, options);
}

/**
 * Scenario `sharding`: one replica, `kubeListWatch` with the shard `task.shard` (equal ranges
 * over uid), production defaults (`freeze: false`); timed like {@link rxkube}.
 */
async function rxkubeShard(): Promise<Measurement> {
  const { kubeListWatch } = await import('../src/kube/kube-list-watch.ts');
  const { equalShards } = await import('../src/sources/shard.ts');
  if (task.shard === undefined) throw new Error('scenario sharding needs task.shard');
  const shard = equalShards(task.shard.count)[task.shard.index]!;
  const source = kubeListWatch<KubeObj>(await benchKubeConfig(), { version: 'v1', plural: 'pods' }, { shard });
  let shardFilter: Measurement['shardFilter'];
  const result = await timeInformer(source, { freeze: false }, (s) => {
    if (s.phase === 'synced' && shardFilter === undefined) shardFilter = s.shardFilter;
  });
  if (shardFilter !== undefined) result.shardFilter = shardFilter;
  return result;
}

/**
 * Times `informer(source, options)` from the prelude to the timeline's last event, then reads its
 * retained heap and final size. A failure before the first sync (which would be retried forever)
 * is the result. `onStatus` sees every status.
 */
async function timeInformer(
  source: import('../src/model/wire.ts').ListWatch<KubeObj>,
  options: import('../src/informer/informer.ts').InformerOptions<KubeObj>,
  onStatus?: (status: import('../src/model/informer-status.ts').InformerStatus) => void,
): Promise<Measurement> {
  const { informer } = await import('../src/informer/informer.ts');
  await prelude();
  const tl = timeline(task.n, task.m);
  const inf = informer(source, options);
  let latest: unknown;
  const statuses = inf.status$.subscribe((s) => {
    onStatus?.(s);
    if (s.phase === 'backingOff' && !s.hasSynced) failed(`did not sync: ${describe(s.error)}`);
  });
  const sub = inf.reflections$.subscribe({
    next: (r) => {
      latest = r.snapshot;
      if (!tl.synced) tl.sync();
      else tl.event(r.deltas.length);
    },
    error: (e: unknown) => fatal(e),
  });
  await tl.done;
  const result = tl.result();
  statuses.unsubscribe();
  sub.unsubscribe();
  await finalHeap(result);
  result.size = (latest as { size: number }).size;
  return result;
}

async function rxkubeRelist(variant: Task['contender']): Promise<Measurement> {
  const { listWatch } = await import('../src/sources/list-watch.ts');
  const { reflect } = await import('../src/operators/reflect.ts');
  const { Observable } = await import('rxjs');
  type Obj = import('../src/model/kube-object.ts').KubeObject;
  type Ev = import('../src/model/list-watch-event.ts').ListWatchEvent<Obj>;
  const source = await rxkubeSource(variant);
  await prelude();
  const t0 = performance.now();
  let syncMs = 0;
  let relistStart = -1;
  let relistMs = -1;
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  // Marks when reflect has handled LIST_DONE: next() returns after the whole chain below ran.
  const marker = (events: import('rxjs').Observable<Ev>) =>
    new Observable<Ev>((out) =>
      events.subscribe({
        next: (e) => {
          if (e.type === 'LIST_START' && e.reason !== 'initial') relistStart = performance.now();
          out.next(e);
          if (e.type === 'LIST_DONE') {
            if (relistStart < 0) syncMs = performance.now() - t0;
            else {
              relistMs = performance.now() - relistStart;
              resolve();
            }
          }
        },
        error: (e: unknown) => out.error(e),
      }),
    );
  let latest: unknown;
  const sub = listWatch(source)
    .pipe(marker, reflect<Obj>(variant === 'rxkube-unfrozen' ? { freeze: false } : {}))
    .subscribe({ next: (r) => (latest = r.snapshot), error: (e: unknown) => fatal(e) });
  await done;
  sub.unsubscribe();
  return { syncMs, relistMs, n: task.n, events: 0, size: (latest as { size: number }).size };
}

async function clientNode(): Promise<Measurement> {
  const k8s = await import('@kubernetes/client-node');
  const kc = await benchKubeConfig();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  let lists = 0;
  let relistStart = -1;
  let relistMs = -1;
  let resolveRelist!: () => void;
  const relisted = new Promise<void>((r) => (resolveRelist = r));
  const listFn = () => {
    lists++;
    if (lists === 2) relistStart = performance.now();
    return api.listPodForAllNamespaces();
  };
  await prelude();
  const tl = timeline(task.n, task.scenario === 'relist' ? 0 : task.m);
  const inf = k8s.makeInformer(kc, '/api/v1/pods', listFn);
  // The watch that follows a list is opened right after the list was applied to the cache.
  const watch = (inf as unknown as { watch: { watch: (...args: unknown[]) => Promise<unknown> } }).watch;
  const openWatch = watch.watch.bind(watch);
  watch.watch = (...args: unknown[]) => {
    if (lists === 2 && relistMs < 0) {
      relistMs = performance.now() - relistStart;
      resolveRelist();
    }
    return openWatch(...args);
  };
  let adds = 0;
  inf.on('add', () => {
    if (!tl.synced) {
      if (++adds === task.n) tl.sync();
    } else tl.event();
  });
  inf.on('update', () => tl.event());
  inf.on('delete', () => tl.event());
  let stopping = false;
  inf.on('error', (e: unknown) => {
    // stop() aborts the open watch, which the informer reports as an error.
    if (!stopping) failed(`${tl.synced ? 'failed' : 'did not sync'}: ${describe(e)}`);
  });
  try {
    await inf.start();
  } catch (e) {
    failed(`did not sync: ${describe(e)}`);
  }
  if (task.scenario === 'relist') {
    await relisted;
    const r = tl.result({ relistMs });
    stopping = true;
    await inf.stop();
    return r;
  }
  await tl.done;
  const result = tl.result();
  stopping = true;
  await inf.stop();
  await finalHeap(result);
  result.size = inf.list().length;
  return result;
}

/** The floor with I/O: fetch, split lines, JSON.parse, a Map. Lists in pages of 500, like client-go. */
async function floor(): Promise<Measurement> {
  await prelude();
  const tl = timeline(task.n, task.m);
  const store = new Map<string, unknown>();
  type Obj = { metadata: { name: string; namespace?: string; resourceVersion: string } };
  const keyOf = (o: Obj): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
  const url = `${task.baseUrl}/api/v1/pods`;
  let token: string | undefined;
  let rv = '';
  do {
    const res = await fetch(`${url}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : '&resourceVersion=0'}`);
    const page = JSON.parse(await res.text()) as { metadata: { resourceVersion: string; continue?: string }; items: Obj[] };
    for (const item of page.items) store.set(keyOf(item), item);
    rv = page.metadata.resourceVersion;
    token = page.metadata.continue;
  } while (token);
  tl.sync();
  const controller = new AbortController();
  const res = await fetch(`${url}?watch=true&resourceVersion=${rv}`, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  const apply = (line: string): void => {
    const e = JSON.parse(line) as { type: string; object: Obj };
    if (e.type === 'DELETED') store.delete(keyOf(e.object));
    else store.set(keyOf(e.object), e.object);
    tl.event();
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = rest + decoder.decode(value, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl > start) apply(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  await tl.done;
  const result = tl.result();
  controller.abort();
  await finalHeap(result);
  result.size = store.size;
  return result;
}

/** JSON.parse of the same bytes, fetched beforehand (untimed): line split + parse + a Map. */
async function parseOnly(): Promise<Measurement> {
  const url = `${task.baseUrl}/api/v1/pods`;
  let pages: Uint8Array[] = [];
  let token: string | undefined;
  do {
    const res = await fetch(`${url}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : '&resourceVersion=0'}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    pages.push(bytes);
    token = (JSON.parse(new TextDecoder().decode(bytes)) as { metadata: { continue?: string } }).metadata.continue;
  } while (token);
  const res = await fetch(`${url}?watch=true&resourceVersion=0`);
  let events: Buffer | undefined = Buffer.from(await res.arrayBuffer());
  baselineHeapMB = await heapAfterGc();
  type Obj = { metadata: { name: string; namespace?: string } };
  const keyOf = (o: Obj): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
  const store = new Map<string, unknown>();
  const decoder = new TextDecoder();
  const tl = timeline(task.n, task.m);
  for (const page of pages) {
    for (const item of (JSON.parse(decoder.decode(page)) as { items: Obj[] }).items) store.set(keyOf(item), item);
  }
  tl.sync();
  let start = 0;
  for (let nl = events.indexOf(10); nl >= 0; nl = events.indexOf(10, start)) {
    const e = JSON.parse(decoder.decode(events.subarray(start, nl))) as { type: string; object: Obj };
    if (e.type === 'DELETED') store.delete(keyOf(e.object));
    else store.set(keyOf(e.object), e.object);
    tl.event();
    start = nl + 1;
  }
  const result = tl.result();
  pages = [];
  events = undefined;
  await finalHeap(result);
  result.size = store.size;
  // RSS is the process peak, which holds all the bytes at once: not comparable, not reported.
  delete result.maxRssMB;
  return result;
}

function fatal(error: unknown): never {
  process.stdout.write(`ERROR ${JSON.stringify(String((error as Error)?.stack ?? error))}\n`);
  process.exit(2);
}

/** Ends the child with `why` (one line) as its answer: a measured failure, not a crash. */
function failed(why: string): never {
  // stdout is a pipe, written synchronously on Linux (as fatal relies on too).
  process.stdout.write(`ERROR ${JSON.stringify(why)}\n`);
  process.exit(2);
}

async function main(): Promise<Measurement> {
  if (task.scenario === 'relist') {
    return task.contender === 'client-node' ? clientNode() : rxkubeRelist(task.contender);
  }
  if (task.scenario === 'inproc') {
    const { runInProcess } = await import('./inproc.ts');
    return runInProcess(task);
  }
  if (task.scenario === 'sharding') return rxkubeShard();
  switch (task.contender) {
    case 'client-node':
      return clientNode();
    case 'floor':
      return floor();
    case 'parse-only':
      return parseOnly();
    default:
      return rxkube(task.contender);
  }
}

main().then(
  (result) => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
  },
  (error: unknown) => fatal(error),
);
