/**
 * The worker-mode e2e page: a table of pods per group (per node, or per `app` label in
 * metadata-only mode: `?mode=metadata`), fed by `rxkube/worker` (the informer runs in
 * pods.worker.ts), with what the test reports recorded: the main thread's long tasks, each view
 * frame's work on the page, the animation frames, and the informer's phases.
 */
import type { KubeObject } from 'rxkube';
import { connectInformerWorker } from 'rxkube/worker';

interface Report {
  readonly longTasks: { readonly start: number; readonly duration: number }[];
  /** One per view frame: when it arrived, its rows, and the page's work on it (message → DOM updated). */
  readonly frames: { readonly at: number; readonly rows: number; readonly workMs: number }[];
  readonly phases: { readonly at: number; readonly phase: string }[];
  /** Start time of every animation frame (`requestAnimationFrame`): the page's own frame rate. */
  readonly paints: number[];
}

const report: Report = { longTasks: [], frames: [], phases: [], paints: [] };
const onPaint = (at: number): void => {
  report.paints.push(at);
  requestAnimationFrame(onPaint);
};
requestAnimationFrame(onPaint);
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) report.longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

const mode = new URLSearchParams(location.search).get('mode') === 'metadata' ? 'metadata' : 'full';
const worker = new Worker(new URL('./pods.worker.ts', import.meta.url), { type: 'module', name: mode });
// Registered before the connection's own listener, so it runs first: a frame's work starts here,
// before its data is deserialised, and ends when the table is updated.
let frameStart = 0;
worker.addEventListener('message', (event: MessageEvent) => {
  frameStart = performance.now();
  void (event.data as { kind: string }).kind;
});

const cluster = connectInformerWorker<KubeObject, { groups: number }>(worker);
const groups = cluster.view('groups');
const body = document.querySelector<HTMLElement>('[data-testid="groups"]')!;
const rows = new Map<string, HTMLTableRowElement>();
let total = 0;

groups.status$.subscribe((status) => {
  report.phases.push({ at: performance.now(), phase: status.phase });
  document.querySelector('[data-testid="status"]')!.textContent = status.phase;
});
groups.reflections$.subscribe({
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
        row.dataset['group'] = delta.key;
        row.append(document.createElement('td'), document.createElement('td'));
        row.cells[0]!.textContent = delta.key;
        body.append(row);
        rows.set(delta.key, row);
      }
      row.dataset['count'] = String(delta.object);
      row.cells[1]!.textContent = String(delta.object);
    }
    document.querySelector('[data-testid="total"]')!.textContent = String(total);
    document.querySelector('[data-testid="frames"]')!.textContent = String(report.frames.length + 1);
    const now = performance.now();
    report.frames.push({ at: now, rows: deltas.length, workMs: now - frameStart });
  },
  error: (error: unknown) => {
    document.querySelector('[data-testid="status"]')!.textContent = `failed: ${String(error)}`;
  },
});

Object.assign(globalThis, {
  rxkubeReport: () => report,
  rxkubeGetObject: (key: string) => cluster.getObject(key),
});
