import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';
import type { ListWatchEvent, ReconcileOptions, WorkQueueEvent } from '../index.ts';

/**
 * Options of {@link prometheusMetrics}.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import type { PrometheusMetricsOptions } from 'rxkube/metrics';
 * const options: PrometheusMetricsOptions = { registry: new Registry() };
 * ```
 */
export interface PrometheusMetricsOptions {
  /** Where the metrics are registered. @defaultValue prom-client's global `register` */
  registry?: Registry;
  /** Wall clock in milliseconds, read for ages and running work at scrape time. @defaultValue Date.now */
  now?: () => number;
}

/** What {@link PrometheusMetrics.informer} returns: spread it into `informer()`'s options. */
export interface InformerMetricsHooks {
  /** The informer's name, the `name` label of its series. */
  readonly name: string;
  /** Counts the loop's events. */
  readonly onEvent: (event: ListWatchEvent) => void;
}

/** What {@link PrometheusMetrics.reconcile} returns: spread it into `reconcile()`'s options. */
export interface ReconcileMetricsHooks {
  /** The controller's name, the `name`/`controller` label of its series. */
  readonly name: string;
  /** The concurrency, reported as `controller_runtime_max_concurrent_reconciles`. */
  readonly concurrency: number;
  /** Counts the work queue's changes. */
  readonly onQueueEvent: (event: WorkQueueEvent) => void;
}

/**
 * The metric set of one registry: hands out hooks per informer and per reconcile loop.
 *
 * @example
 * ```ts
 * import { prometheusMetrics } from 'rxkube/metrics';
 * const metrics = prometheusMetrics();
 * const hooks = metrics.informer('pods'); // { name: 'pods', onEvent }
 * ```
 */
export interface PrometheusMetrics {
  /**
   * Hooks that count one informer's list/watch loop under `name`.
   * @param name - the `name` label; one informer per name.
   */
  informer(name: string): InformerMetricsHooks;
  /**
   * Hooks that count one reconcile loop's work queue and runs under `name`.
   * @param name - the workqueue's `name` and the controller's `controller` label.
   * @param options - the loop's `concurrency` (default 1), reported and passed on.
   */
  reconcile(name: string, options?: Pick<ReconcileOptions, 'concurrency'>): ReconcileMetricsHooks;
}

// client-go's workqueue buckets: 10 ns to 1000 s, ×10 per bucket.
const WORKQUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);
// controller-runtime's reconcile_time_seconds buckets.
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5,
  5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

interface InformerState {
  lastSyncMs: number | undefined;
  listing: boolean;
}

/**
 * Prometheus metrics for informers and reconcile loops, through `prom-client` (an optional peer
 * dependency: `npm install prom-client`). The work queue and controller series use client-go's and
 * controller-runtime's names and labels, so existing controller dashboards and alerts work as
 * they are; the informer series are rxkube's own, prefixed `rxkube_informer_`.
 *
 * Series, per informer (`name`):
 * - `rxkube_informer_lists_total{name,reason}`: lists started, by `RelistReason`
 *   (`initial`, then relists: `expired`, `error`, …);
 * - `rxkube_informer_watches_total{name}`: watch requests opened;
 * - `rxkube_informer_watch_events_total{name,type}`: `ADDED`/`MODIFIED`/`DELETED`/`BOOKMARK`
 *   events from open watches (a streaming list's initial events count as the list, not here);
 * - `rxkube_informer_errors_total{name,operation}`: failed `list`/`watch` requests, each
 *   followed by a backoff;
 * - `rxkube_informer_synced{name}`: 1 once the first list completed;
 * - `rxkube_informer_last_sync_timestamp_seconds{name}` and
 *   `rxkube_informer_last_sync_age_seconds{name}`: when the cache was last confirmed current (a
 *   list completed, or the watch delivered an event or bookmark). The age grows while the informer
 *   backs off, and on a quiet watch between bookmarks (about a minute on a real API server).
 *
 * Per reconcile loop (workqueue `name`, controller `controller`): `workqueue_depth`,
 * `workqueue_adds_total`, `workqueue_queue_duration_seconds`, `workqueue_work_duration_seconds`,
 * `workqueue_retries_total` (one per failed run), `workqueue_unfinished_work_seconds`,
 * `workqueue_longest_running_processor_seconds`, `controller_runtime_reconcile_total{result}`
 * (`success`, `error`, `requeue_after`), `controller_runtime_reconcile_errors_total`,
 * `controller_runtime_reconcile_time_seconds`, `controller_runtime_active_workers` and
 * `controller_runtime_max_concurrent_reconciles`. Durations come from the loop's scheduler.
 *
 * Create it once per registry (prom-client refuses a second registration of a name).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { Registry } from 'prom-client';
 * import { fetchListWatch, informer, reconcile } from 'rxkube';
 * import { prometheusMetrics } from 'rxkube/metrics';
 * const registry = new Registry();
 * const metrics = prometheusMetrics({ registry });
 * const configMaps = informer(fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: 'configmaps' } }), {
 *   ...metrics.informer('configmaps'),
 *   onError: (f) => console.warn(f.message),
 * });
 * configMaps.reflections$
 *   .pipe(reconcile(async (key) => console.log('ensure', key), { ...metrics.reconcile('mirror', { concurrency: 4 }) }))
 *   .subscribe();
 * createServer(async (_req, res) => {
 *   res.writeHead(200, { 'Content-Type': registry.contentType }).end(await registry.metrics());
 * }).listen(9090);
 * ```
 * @param options - the registry and clock.
 * @returns the metric set, to bind informers and reconcile loops to.
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registers = [options.registry ?? register];
  const now = options.now ?? Date.now;
  const informers = new Map<string, InformerState>();
  const running = new Map<string, Map<string, number>>();

  const lists = new Counter({ name: 'rxkube_informer_lists_total', help: 'Lists started by the informer, by why it listed', labelNames: ['name', 'reason'], registers });
  const watches = new Counter({ name: 'rxkube_informer_watches_total', help: 'Watch requests opened by the informer', labelNames: ['name'], registers });
  const watchEvents = new Counter({ name: 'rxkube_informer_watch_events_total', help: 'Events received from open watches, by type', labelNames: ['name', 'type'], registers });
  const errors = new Counter({ name: 'rxkube_informer_errors_total', help: 'Failed list and watch requests, each followed by a backoff', labelNames: ['name', 'operation'], registers });
  const synced = new Gauge({ name: 'rxkube_informer_synced', help: '1 once the first list of the informer completed', labelNames: ['name'], registers });
  const lastSync = new Gauge({
    name: 'rxkube_informer_last_sync_timestamp_seconds',
    help: 'When the cache was last confirmed current: a list completed, or the watch delivered an event or bookmark',
    labelNames: ['name'],
    registers,
  });
  new Gauge({
    name: 'rxkube_informer_last_sync_age_seconds',
    help: 'Seconds since the cache was last confirmed current',
    labelNames: ['name'],
    registers,
    collect() {
      const at = now();
      for (const [name, state] of informers) if (state.lastSyncMs !== undefined) this.set({ name }, (at - state.lastSyncMs) / 1000);
    },
  });

  const depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
  const queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'],
    buckets: WORKQUEUE_BUCKETS,
    registers,
  });
  const workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes',
    labelNames: ['name'],
    buckets: WORKQUEUE_BUCKETS,
    registers,
  });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
    labelNames: ['name'],
    registers,
    collect() {
      const at = now();
      for (const [name, starts] of running) {
        let total = 0;
        for (const start of starts.values()) total += at - start;
        this.set({ name }, total / 1000);
      }
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running',
    labelNames: ['name'],
    registers,
    collect() {
      const at = now();
      for (const [name, starts] of running) {
        let oldest = at;
        for (const start of starts.values()) oldest = Math.min(oldest, start);
        this.set({ name }, (at - oldest) / 1000);
      }
    },
  });
  const reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
  const reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'],
    buckets: RECONCILE_BUCKETS,
    registers,
  });
  const activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });
  const maxConcurrent = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers });

  return {
    informer(name) {
      const state: InformerState = { lastSyncMs: undefined, listing: false };
      informers.set(name, state);
      synced.set({ name }, 0);
      const confirm = (): void => {
        state.lastSyncMs = now();
        lastSync.set({ name }, state.lastSyncMs / 1000);
      };
      return {
        name,
        onEvent: (event) => {
          switch (event.type) {
            case 'LIST_START':
              state.listing = true;
              lists.inc({ name, reason: event.reason });
              break;
            case 'LIST_DONE':
              state.listing = false;
              synced.set({ name }, 1);
              confirm();
              break;
            case 'WATCH_START':
              state.listing = false;
              watches.inc({ name });
              break;
            case 'BACKOFF':
              errors.inc({ name, operation: state.listing ? 'list' : 'watch' });
              break;
            case 'ADDED':
            case 'MODIFIED':
            case 'DELETED':
            case 'BOOKMARK':
              if (state.listing) break;
              watchEvents.inc({ name, type: event.type });
              confirm();
              break;
            case 'LIST_PAGE':
              break;
          }
        },
      };
    },

    reconcile(name, reconcileOptions = {}) {
      const concurrency = reconcileOptions.concurrency ?? 1;
      const starts = new Map<string, number>();
      running.set(name, starts);
      const controller = name;
      maxConcurrent.set({ controller }, concurrency);
      activeWorkers.set({ controller }, 0);
      depth.set({ name }, 0);
      for (const result of ['success', 'error', 'requeue_after']) reconcileTotal.inc({ controller, result }, 0);
      reconcileErrors.inc({ controller }, 0);
      return {
        name,
        concurrency,
        onQueueEvent: (event) => {
          if (event.type === 'queued') {
            adds.inc({ name });
            depth.set({ name }, event.depth);
          } else if (event.type === 'started') {
            starts.set(event.key, now());
            depth.set({ name }, event.depth);
            queueDuration.observe({ name }, event.waitedMs / 1000);
            activeWorkers.set({ controller }, event.running);
          } else if (event.type === 'stopped') {
            starts.clear();
            depth.set({ name }, 0);
            activeWorkers.set({ controller }, 0);
          } else {
            const { outcome } = event;
            starts.delete(outcome.key);
            activeWorkers.set({ controller }, event.running);
            workDuration.observe({ name }, outcome.durationMs / 1000);
            reconcileTime.observe({ controller }, outcome.durationMs / 1000);
            if (outcome.type === 'failed') {
              retries.inc({ name });
              reconcileErrors.inc({ controller });
              reconcileTotal.inc({ controller, result: 'error' });
            } else {
              reconcileTotal.inc({ controller, result: outcome.requeueAfter === undefined ? 'success' : 'requeue_after' });
            }
          }
        },
      };
    },
  };
}
