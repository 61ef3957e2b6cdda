import { firstValueFrom, type Subscription } from 'rxjs';
import { informer } from '../../src/informer/informer.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, mulberry32 } from '../../src/testing/index.ts';
import { diffAgainstServer, percentile, until } from '../chaos/harness.ts';
import { mb, settledHeap } from './gc.ts';

export interface LoadOptions {
  readonly objects: number;
  readonly eventsPerSecond: number;
  readonly durationMs: number;
  readonly seed?: number;
}

export interface LoadReport {
  readonly objects: number;
  readonly eventsSent: number;
  readonly eventsDelivered: number;
  readonly lagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Heap after full GCs once synced and at the end; the peak seen during the churn (no forced GC). */
  readonly heap: { readonly synced: number; readonly peak: number; readonly end: number };
  readonly rssEnd: number;
  readonly initialSyncMs: number;
  readonly catchUpMs: number;
  readonly divergences: readonly string[];
  readonly line: string;
}

/**
 * An informer over HTTP holding `objects` small pods, while the server updates random ones at
 * `eventsPerSecond` for `durationMs`. Each update carries the server's `performance.now()` (one
 * process, one clock), so the lag from the server's write to the Reflection is measured exactly.
 * Figures are reported, not asserted; the caller asserts convergence and bounded memory.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const rng = mulberry32(options.seed ?? 1);
  const server = await createSimulatedApiServer({ bookmarkIntervalMs: 5_000 });
  let subscription: Subscription | undefined;
  try {
    const keys: string[] = [];
    for (let i = 0; i < options.objects; i++) {
      const ns = `ns-${i % 20}`;
      const name = `pod-${i}`;
      server.create('pods', { metadata: { name, namespace: ns, labels: { app: `app-${i % 50}` } }, spec: { nodeName: `node-${i % 100}`, t: 0 } });
      keys.push(`${ns}/${name}`);
    }
    server.clearRequests();
    const pods = informer<KubeObject>(fetchListWatch({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' } }), {
      backoff: { initialMs: 10, capMs: 100 },
    });
    const lags = new Float64Array(Math.ceil((options.eventsPerSecond * options.durationMs) / 1000) + 1000);
    let delivered = 0;
    const started = performance.now();
    subscription = pods.reflections$.subscribe((r) => {
      const now = performance.now();
      for (const d of r.deltas) {
        const t = (d.object as { spec?: { t?: number } }).spec?.t;
        if (d.type === 'updated' && t !== undefined && t > 0 && delivered < lags.length) lags[delivered++] = now - t;
      }
    });
    await firstValueFrom(pods.snapshot$);
    const initialSyncMs = performance.now() - started;
    const heapSynced = await settledHeap();

    let sent = 0;
    let heapPeak = 0;
    const churnStart = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - churnStart;
        const due = Math.min(Math.floor((elapsed * options.eventsPerSecond) / 1000), Math.floor((options.durationMs * options.eventsPerSecond) / 1000));
        while (sent < due) {
          const key = keys[Math.floor(rng() * keys.length)]!;
          server.patch('pods', key, { spec: { t: performance.now(), n: sent } });
          sent++;
        }
        if (elapsed >= options.durationMs) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
      // Sampled without forcing a collection, which would stall the very lag being measured.
      const sampler = setInterval(() => {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        if (performance.now() - churnStart >= options.durationMs) clearInterval(sampler);
      }, 250);
    });
    const quiet = performance.now();
    await until(() => (delivered >= sent ? [] : [`${sent - delivered} events not yet delivered`]), 120_000, 5);
    const catchUpMs = performance.now() - quiet;
    const { problems } = await until(() => diffAgainstServer(pods.getSnapshot(), server.list('pods').items).slice(0, 10), 120_000, 50);
    const heapEnd = await settledHeap();
    const sorted = Array.from(lags.subarray(0, delivered)).sort((a, b) => a - b);
    const lagMs = { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
    const rssEnd = process.memoryUsage().rss;
    const line = `${options.objects} objects, ${sent} events in ${options.durationMs / 1000} s (${options.eventsPerSecond}/s), ${delivered} delivered; ` +
      `lag p50 ${lagMs.p50} ms, p99 ${lagMs.p99} ms, max ${lagMs.max} ms; initial sync ${Math.round(initialSyncMs)} ms; caught up ${Math.round(catchUpMs)} ms after the last event; ` +
      `heap ${mb(heapSynced)} MB synced → peak ${mb(heapPeak)} MB during churn (no forced GC) → ${mb(heapEnd)} MB at the end; rss ${mb(rssEnd)} MB`;
    return {
      objects: options.objects,
      eventsSent: sent,
      eventsDelivered: delivered,
      lagMs,
      heap: { synced: heapSynced, peak: heapPeak, end: heapEnd },
      rssEnd,
      initialSyncMs,
      catchUpMs,
      divergences: problems,
      line,
    };
  } finally {
    subscription?.unsubscribe();
    await server.close();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
