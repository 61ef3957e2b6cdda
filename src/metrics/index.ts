/**
 * rxkube/metrics — Prometheus metrics for informers and reconcile loops, through `prom-client`
 * (an optional peer dependency: `npm install prom-client`). Node-only.
 *
 * The work queue and controller series keep client-go's and controller-runtime's names
 * (`workqueue_depth`, `controller_runtime_reconcile_total`, …), so existing dashboards work.
 * See the observability guide for the series, the logging hook and a scrape endpoint.
 *
 * @packageDocumentation
 */

export { prometheusMetrics } from './prometheus-metrics.ts';
export type { PrometheusMetrics, PrometheusMetricsOptions, InformerMetricsHooks, ReconcileMetricsHooks } from './prometheus-metrics.ts';
