/**
 * The worker-mode e2e page: a table of pods per node, fed by `rxkube/worker` (the informer runs in
 * pods.worker.ts), with the main thread's long tasks recorded for the test to report.
 */
import type { KubeObject } from 'rxkube';
import { connectInformerWorker } from 'rxkube/worker';

interface Report {
  readonly longTasks: { readonly start: number; readonly duration: number }[];
  readonly frames: { readonly at: number; readonly rows: number }[];
}

const report: Report = { longTasks: [], frames: [] };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) report.longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

const cluster = connectInformerWorker<KubeObject, { perNode: number }>(new Worker(new URL('./pods.worker.ts', import.meta.url), { type: 'module' }));
const perNode = cluster.view('perNode');
const body = document.querySelector<HTMLElement>('[data-testid="nodes"]')!;
const rows = new Map<string, HTMLTableRowElement>();
let total = 0;

perNode.status$.subscribe((status) => {
  document.querySelector('[data-testid="status"]')!.textContent = status.phase;
});
perNode.reflections$.subscribe({
  next: ({ deltas }) => {
    // Only the rows that changed are touched.
    for (const delta of deltas) {
      let row = rows.get(delta.key);
      if (delta.type === 'deleted') {
        total -= delta.object;
        row?.remove();
        rows.delete(delta.key);
        continue;
      }
      total += delta.object - (delta.type === 'updated' ? (delta.previous ?? 0) : 0);
      if (row === undefined) {
        row = document.createElement('tr');
        row.dataset['node'] = delta.key;
        row.append(document.createElement('td'), document.createElement('td'));
        row.cells[0]!.textContent = delta.key;
        body.append(row);
        rows.set(delta.key, row);
      }
      row.dataset['count'] = String(delta.object);
      row.cells[1]!.textContent = String(delta.object);
    }
    document.querySelector('[data-testid="total"]')!.textContent = String(total);
    report.frames.push({ at: performance.now(), rows: deltas.length });
    document.querySelector('[data-testid="frames"]')!.textContent = String(report.frames.length);
  },
  error: (error: unknown) => {
    document.querySelector('[data-testid="status"]')!.textContent = `failed: ${String(error)}`;
  },
});

Object.assign(globalThis, {
  rxkubeReport: () => report,
  rxkubeGetObject: (key: string) => cluster.getObject(key),
});
