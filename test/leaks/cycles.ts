import { firstValueFrom, type Subscription } from 'rxjs';
import { expect } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer } from '../../src/testing/index.ts';
import { until } from '../chaos/harness.ts';
import { activeResources, mb, settledHeap } from './gc.ts';

export interface CycleReport {
  readonly cycles: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly samples: readonly number[];
  readonly resourcesBefore: Record<string, number>;
  readonly resourcesAfter: Record<string, number>;
  readonly openWatchesAfter: number;
  readonly line: string;
}

/**
 * Subscribe/unsubscribe cycles of one shared informer over HTTP. With `holder`, one subscriber
 * keeps the informer running, so each cycle joins and leaves a live informer (replay of the
 * current state, share's ref counting). Without, every cycle starts the list/watch and stops it:
 * one cycle in 100 waits for the list and the open watch, the others abort the request in flight.
 * Heap (after full GCs), the server's open watches and the process's handles are measured before
 * and after.
 */
export async function subscribeCycles(cycles: number, holder: boolean): Promise<CycleReport> {
  const server = await createSimulatedApiServer({ bookmarkIntervalMs: 1_000 });
  try {
    for (let i = 0; i < 50; i++) server.create('pods', { metadata: { name: `p${i}`, namespace: `ns${i % 5}` }, spec: { i } });
    const pods = informer<KubeObject>(fetchListWatch({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' } }), {
      backoff: { initialMs: 5, capMs: 20 },
    });
    let held: Subscription | undefined;
    if (holder) {
      held = pods.reflections$.subscribe();
      await firstValueFrom(pods.snapshot$);
    }
    const settle = async (): Promise<void> => {
      const expected = holder ? 1 : 0;
      const { problems } = await until(() => (server.openWatches === expected ? [] : [`${server.openWatches} watches open`]), 10_000);
      expect(problems).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.clearRequests();
    };
    const cycle = async (i: number): Promise<void> => {
      const a = pods.reflections$.subscribe();
      const b = pods.status$.subscribe();
      const c = pods.snapshot$.subscribe();
      if (i % 100 === 0) {
        const snapshot = await firstValueFrom(pods.snapshot$);
        expect(snapshot.size).toBe(50);
        await until(() => (server.openWatches === 1 ? [] : ['watch not open']), 5_000);
      }
      a.unsubscribe();
      b.unsubscribe();
      c.unsubscribe();
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    };

    for (let i = 0; i < 300; i++) await cycle(i);
    await settle();
    const heapBefore = await settledHeap();
    const resourcesBefore = activeResources();
    const samples: number[] = [];
    const every = Math.max(1, Math.floor(cycles / 5));
    for (let i = 0; i < cycles; i++) {
      await cycle(i);
      if ((i + 1) % every === 0) {
        await settle();
        samples.push(await settledHeap());
      }
    }
    await settle();
    const heapAfter = await settledHeap();
    const resourcesAfter = activeResources();
    const openWatchesAfter = server.openWatches;
    held?.unsubscribe();
    const line = `${cycles} ${holder ? 'join/leave cycles on a running informer' : 'start/stop cycles'}: heap ${mb(heapBefore)} MB → ${mb(heapAfter)} MB ` +
      `(samples ${samples.map(mb).join(', ')} MB); handles before ${JSON.stringify(resourcesBefore)}, after ${JSON.stringify(resourcesAfter)}`;
    if (!holder) {
      expect(pods.getStatus().phase).toBe('idle');
      expect(pods.getSnapshot()).toBeUndefined();
    }
    return { cycles, heapBefore, heapAfter, samples, resourcesBefore, resourcesAfter, openWatchesAfter, line };
  } finally {
    await server.close();
  }
}

/** The assertions: flat heap (no trend of 1 KB or more per cycle), no watch or handle left behind. */
export function expectFlat(report: CycleReport, holder: boolean): void {
  expect(report.openWatchesAfter).toBe(holder ? 1 : 0);
  // 1 KB per cycle over the run would exceed this; GC noise stays well under it.
  expect(report.heapAfter - report.heapBefore).toBeLessThan(Math.max(2 * 1024 * 1024, report.cycles * 512));
  for (const kind of ['TCPSocketWrap', 'Timeout']) {
    expect(report.resourcesAfter[kind] ?? 0, kind).toBeLessThanOrEqual((report.resourcesBefore[kind] ?? 0) + 4);
  }
}
