/**
 * rxkube/worker — runs an informer (transport, parsing, store, indexes) and views derived from it
 * inside a Web Worker, and binds the page to the views only: at most one small delta per view per
 * frame crosses, and objects cross on demand by key. Browser-safe; imports only the core.
 *
 * In the worker script: {@link serveInformerInWorker}. On the page: {@link connectInformerWorker},
 * whose views are informers that `rxkube/react` and `rxkube/angular` bind to unchanged. The
 * messages are described in {@link PageMessage} and {@link WorkerMessage}.
 *
 * @packageDocumentation
 */

export { serveInformerInWorker } from './serve-informer-in-worker.ts';
export type { ServeInformerOptions, WorkerView } from './serve-informer-in-worker.ts';
export { connectInformerWorker } from './connect-informer-worker.ts';
export type { InformerWorker } from './connect-informer-worker.ts';
export { WorkerError } from './worker-error.ts';
export type { MessageEndpoint, PageMessage, ViewFrame, WireError, WireStatus, WorkerMessage } from './protocol.ts';
