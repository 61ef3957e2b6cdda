import { asyncScheduler, auditTime, distinctUntilChanged, Subscription } from 'rxjs';
import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { GroupMap, Informer, Reflection } from '../index.ts';
import { toWireError, toWireStatus } from './protocol.ts';
import type { MessageEndpoint, PageMessage, WorkerMessage } from './protocol.ts';

/**
 * A view served by {@link serveInformerInWorker}: an operator from the informer's reflections to
 * a keyed map of rows, the map's identity and each row's identity changing only on change (what
 * `groupCount(...)` + `map((c) => c.counts)` and `groupObjects(...)` + `map((g) => g.groups)` give).
 * Rows must be structured-clone safe. Keep views to what the UI renders: each frame diffs the
 * latest map against the one last sent, in O(rows).
 *
 * @typeParam T - the informer's object type.
 * @typeParam R - the row type.
 *
 * @example
 * ```ts
 * import { map } from 'rxjs';
 * import { groupCount, type KubeObject } from 'rxkube';
 * import type { WorkerView } from 'rxkube/worker';
 * const podsPerNode: WorkerView<KubeObject, number> = (reflections$) =>
 *   reflections$.pipe(groupCount((pod) => (pod as { spec?: { nodeName?: string } }).spec?.nodeName), map((c) => c.counts));
 * ```
 */
export type WorkerView<T, R = unknown> = OperatorFunction<Reflection<T>, GroupMap<R>>;

/**
 * Options of {@link serveInformerInWorker}.
 *
 * @typeParam T - the informer's object type.
 *
 * @example
 * ```ts
 * import type { ServeInformerOptions } from 'rxkube/worker';
 * import type { KubeObject } from 'rxkube';
 * const options: ServeInformerOptions<KubeObject> = { views: {}, frameMs: 50 };
 * ```
 */
export interface ServeInformerOptions<T> {
  /** The views the page can subscribe to, by name. */
  readonly views: Readonly<Record<string, WorkerView<T, unknown>>>;
  /**
   * How long changes of a view gather before one frame is sent: the first change after a frame
   * schedules the next one `frameMs` later, with every change up to then.
   *
   * @defaultValue `16` (one frame at 60 Hz)
   */
  readonly frameMs?: number;
  /**
   * Schedules the frames.
   *
   * @defaultValue `asyncScheduler`
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Runs an informer and derived views inside a Web Worker, serving the page that connected with
 * `connectInformerWorker`. Call it once in the worker script.
 *
 * 1. `createInformer` is called once, at once. If it throws, every `subscribe` and `get` from the
 *    page is answered with that error.
 * 2. A `subscribe` for a view subscribes the view's operator to the informer's reflections (which
 *    starts the list/watch if nothing else holds it). The first frame sends every row with
 *    `reset`; later frames send only the rows whose identity changed and the keys removed, at most
 *    one frame per `frameMs`. The view's and the informer's status changes are sent as they happen.
 * 3. An `unsubscribe` stops that view; with no view left, the informer's watch is released.
 *    A view that fails sends its error and stops; the page may subscribe again.
 * 4. A `get` answers with the object under the key in the informer's current snapshot, or
 *    `undefined` (also while no view is subscribed, since then the informer is not running).
 * 5. `close`, or calling the returned function, stops every view and stops listening.
 *
 * @example
 * ```ts
 * // pods.worker.ts
 * import { map } from 'rxjs';
 * import { fetchListWatch, groupCount, informer, type KubeObject } from 'rxkube';
 * import { serveInformerInWorker } from 'rxkube/worker';
 * declare const self: import('rxkube/worker').MessageEndpoint;
 * serveInformerInWorker(self, () => informer(fetchListWatch<KubeObject>({ baseUrl: '/k8s', resource: 'pods' })), {
 *   views: {
 *     byNode: (r$) => r$.pipe(groupCount((p) => (p as { spec?: { nodeName?: string } }).spec?.nodeName), map((c) => c.counts)),
 *   },
 * });
 * ```
 *
 * @param scope - the worker's global scope (`self`), or one end of a `MessageChannel`.
 * @param createInformer - builds the informer; called once.
 * @param options - the views and the frame timing, see {@link ServeInformerOptions}.
 * @returns stops serving (what a `close` message does).
 */
export function serveInformerInWorker<T>(scope: MessageEndpoint, createInformer: () => Informer<T>, options: ServeInformerOptions<T>): () => void {
  const frameMs = options.frameMs ?? 16;
  const scheduler = options.scheduler ?? asyncScheduler;
  const post = (message: WorkerMessage): void => scope.postMessage(message);
  const running = new Map<string, Subscription>();
  let source: Informer<T> | undefined;
  let failure: unknown;
  let failed = false;
  try {
    source = createInformer();
  } catch (error) {
    failed = true;
    failure = error;
  }
  let status: Subscription | undefined;

  const stopView = (view: string): void => {
    running.get(view)?.unsubscribe();
    running.delete(view);
    if (running.size === 0) {
      status?.unsubscribe();
      status = undefined;
    }
  };

  const startView = (view: string): void => {
    if (running.has(view)) return;
    const operator = Object.hasOwn(options.views, view) ? options.views[view] : undefined;
    if (failed || source === undefined || operator === undefined) {
      const error = failed ? failure : new RangeError(`no view named "${view}"`);
      post({ kind: 'error', view, error: toWireError(error) });
      return;
    }
    const informer = source;
    status ??= informer.status$.subscribe((s) => post({ kind: 'status', status: toWireStatus(s) }));
    let sent: GroupMap<unknown> | undefined;
    const subscription = new Subscription();
    running.set(view, subscription);
    subscription.add(
      informer.reflections$
        .pipe(operator, distinctUntilChanged(), auditTime(frameMs, scheduler))
        .subscribe({
          next: (rows) => {
            const upserts: (readonly [string, unknown])[] = [];
            const removals: string[] = [];
            for (const [key, row] of rows.entries()) {
              if (sent === undefined || sent.get(key) !== row || !sent.has(key)) upserts.push([key, row]);
            }
            if (sent !== undefined) for (const key of sent.keys()) if (!rows.has(key)) removals.push(key);
            const reset = sent === undefined;
            sent = rows;
            if (!reset && upserts.length === 0 && removals.length === 0) return;
            post({ kind: 'view', view, reset, upserts, removals });
          },
          error: (error: unknown) => {
            post({ kind: 'error', view, error: toWireError(error) });
            stopView(view);
          },
        }),
    );
  };

  const answer = (id: number, key: string): void => {
    if (failed || source === undefined) {
      post({ kind: 'error', id, error: toWireError(failure) });
      return;
    }
    post({ kind: 'object', id, object: source.getSnapshot()?.get(key) });
  };

  const stop = (): void => {
    scope.removeEventListener('message', onMessage);
    for (const view of [...running.keys()]) stopView(view);
  };

  function onMessage(event: MessageEvent): void {
    const message = event.data as PageMessage;
    switch (message.kind) {
      case 'subscribe':
        startView(message.view);
        break;
      case 'unsubscribe':
        stopView(message.view);
        break;
      case 'get':
        answer(message.id, message.key);
        break;
      case 'close':
        stop();
        break;
    }
  }

  scope.addEventListener('message', onMessage);
  scope.start?.();
  return stop;
}
