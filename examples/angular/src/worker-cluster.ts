/**
 * The worker mode's data, on the page: one Web Worker running the pods informer
 * (pods.worker.ts), and its two views as informers of per-node counts. Created once, at module
 * scope, like cluster.ts: every component binds to the same views, and the worker runs the
 * informer while any view is bound.
 */
import { connectInformerWorker } from 'rxkube/worker';
import type { Pod } from './cluster.ts';

/** The connection: the views by name, and pods by key on demand (`getObject`). */
export const cluster = connectInformerWorker<Pod, { podsPerNode: number; runningPerNode: number }>(
  new Worker(new URL('./pods.worker.ts', import.meta.url), { type: 'module' }),
);

/** Pods per node: an `Informer<number>` keyed by node name. Its `status$` is the worker informer's. */
export const podsPerNode = cluster.view('podsPerNode');

/** Running pods per node (nodes without one are absent). */
export const runningPerNode = cluster.view('runningPerNode');
