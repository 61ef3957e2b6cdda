import { extname } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { Observable, type Subscription } from 'rxjs';
import { kubeFetch } from '../../kube/kube-fetch.ts';
import { fetchListWatch, listWatch, reflect, withIndex, type KubeObject, type ListWatchEvent, type Reflection } from '../../index.ts';
import { loadPeer } from '../../internal/index.ts';
import type { BenchPipeline } from './load-pipeline.ts';
import type { ReplayWorkerData, ReplayWorkerReady } from './replay-worker.ts';
import { enterStage, StageClock, timedFetch, type Stage } from './stage-clock.ts';

/** The stages reported, in pipeline order. @internal */
export const reportedStages = ['transport', 'reflect', 'indexes', 'user', 'subscriber'] as const satisfies readonly Stage[];

/** Milliseconds per reported stage; `null` for a stage the pipeline does not have (no indexes, no operators). @internal */
export type StageTimes = Readonly<Record<(typeof reportedStages)[number], number | null>>;

/** Everything `rxkube bench` measured. @internal */
export interface BenchReport {
  readonly recording: { readonly path: string; readonly resource: string; readonly objects: number; readonly changes: number; readonly recordedSeconds: number };
  readonly pipeline: string;
  /** Replay pace: a factor, or `max` (as fast as the pipeline takes it). */
  readonly speed: number | 'max';
  /** From the first request to the initial list through the subscriber. */
  readonly syncMs: number;
  /** From then to the last recorded change through the pipeline. */
  readonly watchMs: number;
  /** Watch events received (changes, not bookmarks). */
  readonly events: number;
  readonly eventsPerSecond: number;
  /** Milliseconds of exclusive time per stage: until synced (`sync`), and after (`watch`). */
  readonly stageMs: { readonly sync: StageTimes; readonly watch: StageTimes };
  /** From the bytes' arrival to the subscriber, per value the subscriber received while watching. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly samples: number };
  /** Heap after GC at the end, pipeline still subscribed, minus the heap after GC before the start. */
  readonly retainedHeapMB: number;
  readonly gc: { readonly ms: number; readonly count: number };
  /** Watch events per 100 ms bucket, from the sync on. */
  readonly timeline: readonly number[];
}

/** Progress while a bench runs. @internal */
export interface BenchProgress {
  readonly phase: 'starting' | 'listing' | 'watching' | 'done';
  readonly events: number;
  readonly total: number;
}

/** Options of {@link runBench}. @internal */
export interface BenchOptions {
  readonly path: string;
  readonly pipeline: BenchPipeline;
  /** A factor, or Infinity. */
  readonly speed: number;
  readonly onProgress?: (progress: BenchProgress) => void;
  /** Gives up after this long without progress. @defaultValue 60000 */
  readonly stallMs?: number;
}

const BUCKET_MS = 100;

function collectGarbage(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing !== undefined) return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function stageTimes(absent: ReadonlySet<Stage>, totals: Readonly<Record<Stage, number>>, minus?: Readonly<Record<Stage, number>>): StageTimes {
  const t = (stage: (typeof reportedStages)[number]): number | null => (absent.has(stage) ? null : round(totals[stage] - (minus?.[stage] ?? 0)));
  return { transport: t('transport'), reflect: t('reflect'), indexes: t('indexes'), user: t('user'), subscriber: t('subscriber') };
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

function startWorker(data: ReplayWorkerData): { worker: Worker; ready: Promise<ReplayWorkerReady>; failed: Promise<never> } {
  const here = fileURLToPath(import.meta.url);
  const worker = new Worker(new URL(`./replay-worker${extname(here)}`, import.meta.url), { workerData: data });
  let fail: (e: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);
  const ready = new Promise<ReplayWorkerReady>((resolve, reject) => {
    worker.on('message', (m: ReplayWorkerReady | { type: 'error'; message: string }) => {
      if (m.type === 'ready') resolve(m);
      else {
        reject(new Error(m.message));
        fail(new Error(m.message));
      }
    });
    worker.on('error', (e) => {
      reject(e);
      fail(e);
    });
  });
  return { worker, ready, failed };
}

/**
 * Replays a recording through rxkube — the default informer's stages, or the user's pipeline
 * after them — and measures it. The recording is served by a simulated API server on a worker
 * thread; the pipeline runs on this thread over rxkube/kube's Node transport, composed stage by
 * stage with marks between the stages (see {@link StageClock}). That transport needs
 * `@kubernetes/client-node`, loaded when the bench starts (the rest of the CLI runs without it).
 * @throws {@link MissingPeerDependencyError} when `@kubernetes/client-node` is not installed.
 * @internal
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  // Loaded here, not imported above: the rest of the CLI runs without this optional peer.
  const { KubeConfig } = await loadPeer(() => import('@kubernetes/client-node'), '@kubernetes/client-node', 'rxkube bench');
  const gc = collectGarbage();
  options.onProgress?.({ phase: 'starting', events: 0, total: 0 });
  const { worker, ready, failed } = startWorker({ path: options.path, speed: options.speed });
  try {
    const served = await ready;
    const clock = new StageClock();
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser({ name: 'replay', server: served.url, skipTLSVerify: true }, { name: 'bench' });
    const source = fetchListWatch({ baseUrl: served.url, resource: served.path, fetch: timedFetch(kubeFetch(kc), clock) });

    gc();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let gcMs = 0;
    let gcCount = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        gcMs += entry.duration;
        gcCount += 1;
      }
    });
    observer.observe({ entryTypes: ['gc'] });

    const started = performance.now();
    let syncedAt: number | undefined;
    let finishedAt: number | undefined;
    let events = 0;
    let atSync: Record<Stage, number> = { ...clock.totals };
    let lastProgressAt = started;
    const latencies: number[] = [];
    const buckets: number[] = [];
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });

    // The marks that delimit phases, around reflect: after the initial list (and the final
    // change) went through everything downstream.
    const phases = (source$: Observable<ListWatchEvent<KubeObject>>): Observable<ListWatchEvent<KubeObject>> => new Observable((subscriber) => source$.subscribe({
      next: (event) => {
        const change = syncedAt !== undefined && (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED');
        if (change) {
          events += 1;
          const bucket = Math.floor((performance.now() - syncedAt!) / BUCKET_MS);
          buckets[bucket] = (buckets[bucket] ?? 0) + 1;
          lastProgressAt = performance.now();
        }
        subscriber.next(event);
        if (event.type === 'LIST_DONE' && syncedAt === undefined) {
          syncedAt = performance.now();
          clock.enter(clock.current);
          atSync = { ...clock.totals };
          lastProgressAt = syncedAt;
        }
        const rv = 'object' in event ? event.object.metadata?.resourceVersion : event.type === 'LIST_DONE' ? event.resourceVersion : undefined;
        if (syncedAt !== undefined && finishedAt === undefined && rv === served.finalResourceVersion && event.type !== 'BOOKMARK') {
          finishedAt = performance.now();
          finish();
        }
      },
      error: (error: unknown) => subscriber.error(error),
    }));

    let stream = listWatch(source).pipe(phases, enterStage(clock, 'reflect'), reflect<KubeObject>()) as Observable<Reflection<KubeObject>>;
    // A mark only before stages that exist: an empty stage would only collect the marks' own cost.
    const indexes = Object.entries(options.pipeline.indexes);
    if (indexes.length > 0) stream = stream.pipe(enterStage(clock, 'indexes'));
    for (const [name, fn] of indexes) stream = stream.pipe(withIndex(name, fn));
    let out: Observable<unknown> = stream;
    if (options.pipeline.operator !== undefined) out = options.pipeline.operator(stream.pipe(enterStage(clock, 'user')));
    const absent = new Set<Stage>([...(indexes.length > 0 ? [] : ['indexes' as const]), ...(options.pipeline.operator !== undefined ? [] : ['user' as const])]);
    let abort: (e: Error) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      abort = reject;
    });
    const userSubscriber = options.pipeline.subscriber;
    const subscription: Subscription = out.pipe(enterStage(clock, 'subscriber')).subscribe({
      next: (value) => {
        if (syncedAt !== undefined) latencies.push(clock.now() - clock.lastBytesAt);
        userSubscriber?.(value);
      },
      error: (error: unknown) => abort(new Error(`the pipeline errored: ${error instanceof Error ? error.message : String(error)}`, { cause: error })),
      complete: () => abort(new Error(`the pipeline completed after ${events} of ${served.changes} changes`)),
    });

    // No progress for stallMs ends the run; at a finite speed, quiet stretches of the recording are expected.
    const stallMs = options.stallMs ?? 60_000;
    const progress = setInterval(() => {
      options.onProgress?.({ phase: syncedAt === undefined ? 'listing' : 'watching', events, total: served.changes });
      const now = performance.now();
      const late = options.speed === Infinity || syncedAt === undefined
        ? now - lastProgressAt > stallMs
        : now - syncedAt > served.recordedMs / options.speed + stallMs;
      if (late) abort(new Error(`no progress for ${stallMs / 1000} s (${events} of ${served.changes} changes received)`));
    }, 250);
    try {
      await Promise.race([finished, failed, aborted]);
    } catch (error) {
      subscription.unsubscribe();
      observer.disconnect();
      throw error;
    } finally {
      clearInterval(progress);
    }
    await new Promise((r) => setImmediate(r));
    observer.disconnect();
    gc();
    gc();
    const retained = process.memoryUsage().heapUsed - heapBefore;
    subscription.unsubscribe();
    options.onProgress?.({ phase: 'done', events, total: served.changes });

    const sorted = latencies.sort((a, b) => a - b);
    const watchMs = (finishedAt ?? performance.now()) - (syncedAt ?? started);
    return {
      recording: { path: options.path, resource: served.resource, objects: served.objects, changes: served.changes, recordedSeconds: round(served.recordedMs / 1000) },
      pipeline: options.pipeline.name,
      speed: options.speed === Infinity ? 'max' : options.speed,
      syncMs: round((syncedAt ?? started) - started),
      watchMs: round(watchMs),
      events,
      eventsPerSecond: round(watchMs > 0 ? (events * 1000) / watchMs : 0, 1),
      stageMs: { sync: stageTimes(absent, atSync), watch: stageTimes(absent, clock.totals, atSync) },
      latencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0), samples: sorted.length },
      retainedHeapMB: round(retained / 2 ** 20, 2),
      gc: { ms: round(gcMs), count: gcCount },
      timeline: Array.from({ length: buckets.length }, (_, i) => buckets[i] ?? 0),
    };
  } finally {
    await worker.terminate();
  }
}
