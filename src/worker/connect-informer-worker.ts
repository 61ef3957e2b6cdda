import { BehaviorSubject, map, Observable } from 'rxjs';
import type { Subscriber } from 'rxjs';
import type { Delta, Informer, InformerStatus, Reflection, Snapshot } from '../index.ts';
import { idleStatus } from '../internal/index.ts';
import { rowSnapshot } from './internal/row-snapshot.ts';
import type { MessageEndpoint, PageMessage, WorkerMessage } from './protocol.ts';
import { WorkerError } from './worker-error.ts';

/**
 * The page side of a worker started with `serveInformerInWorker`: each view as an
 * {@link Informer} of its rows (so `useSnapshot`, `useSelector` and the Angular signals bind to it
 * unchanged), the informer's objects on demand, and `close`.
 *
 * @typeParam T - the informer's object type.
 * @typeParam V - the row type of each view, by view name.
 *
 * @example
 * ```ts
 * import type { InformerWorker } from 'rxkube/worker';
 * import type { KubeObject } from 'rxkube';
 * declare const pods: InformerWorker<KubeObject, { byNode: number }>;
 * const byNode = pods.view('byNode'); // Informer<number>: keys are nodes, values are pod counts
 * ```
 */
export interface InformerWorker<T, V extends Readonly<Record<string, unknown>>> {
  /**
   * The view named `name`, as an informer whose snapshot holds the view's rows by key. The same
   * object for the same name. Subscribing starts the view in the worker; the last unsubscribe
   * stops it. Its `status$` is the worker informer's status.
   */
  view<K extends keyof V & string>(name: K): Informer<V[K]>;
  /**
   * The object under `key` in the worker informer's current snapshot, `undefined` if absent or while
   * no view is subscribed (the informer runs only then). Rejects with a {@link WorkerError}.
   */
  getObject(key: string): Promise<T | undefined>;
  /** Stops every view in the worker, terminates it (when it is a `Worker`), and fails pending `getObject`s. */
  close(): void;
}

interface ViewState {
  readonly informer: Informer<unknown>;
}

/**
 * Connects to a worker that runs `serveInformerInWorker`, returning its views as informers.
 *
 * Only view changes cross: the worker sends, at most once per frame, the rows whose value changed
 * and the keys removed; the page applies them to a copy of the view's rows (copy-on-write, so
 * every snapshot stays immutable and keeps its identity until the next frame) and emits one
 * reflection per frame with `added`/`updated`/`deleted` deltas. Objects cross only when asked for
 * with `getObject`. Errors of the worker arrive as {@link WorkerError}s on the failing view.
 *
 * @example
 * ```ts
 * import { connectInformerWorker } from 'rxkube/worker';
 * import type { KubeObject } from 'rxkube';
 * const pods = connectInformerWorker<KubeObject, { byNode: number }>(
 *   new Worker(new URL('./pods.worker.ts', import.meta.url), { type: 'module' }),
 * );
 * const stop = pods.view('byNode').snapshot$.subscribe((s) => console.log(s.size, 'nodes'));
 * // …later
 * stop.unsubscribe();
 * pods.close();
 * ```
 *
 * @param worker - a `Worker` (or one end of a `MessageChannel`); `terminate()` is called on `close`.
 * @returns the connection.
 */
export function connectInformerWorker<T, V extends Readonly<Record<string, unknown>>>(
  worker: MessageEndpoint & { terminate?(): void },
): InformerWorker<T, V> {
  const post = (message: PageMessage): void => worker.postMessage(message);
  const status$ = new BehaviorSubject<InformerStatus>(idleStatus);
  const views = new Map<string, ViewState>();
  const pending = new Map<number, { resolve: (object: T | undefined) => void; reject: (error: unknown) => void }>();
  const frameHandlers = new Map<string, (message: WorkerMessage) => void>();
  let nextId = 0;
  let closed = false;

  const viewInformer = (name: string): Informer<unknown> => {
    const subscribers = new Set<Subscriber<Reflection<unknown>>>();
    let rows = new Map<string, unknown>();
    let snapshot: Snapshot<unknown> | undefined;
    let frames = 0;

    const onMessage = (message: WorkerMessage): void => {
      if (message.kind === 'error') {
        const error = new WorkerError(message.error, name);
        const failing = [...subscribers];
        subscribers.clear();
        snapshot = undefined;
        for (const s of failing) s.error(error);
        return;
      }
      if (message.kind !== 'view') return;
      const next = message.reset ? new Map<string, unknown>() : new Map(rows);
      const deltas: Delta<unknown>[] = [];
      for (const key of message.removals) {
        const object = next.get(key);
        if (next.delete(key)) deltas.push({ type: 'deleted', key, object });
      }
      for (const [key, object] of message.upserts) {
        const previous = next.get(key);
        deltas.push(next.has(key) ? { type: 'updated', key, object, previous } : { type: 'added', key, object });
        next.set(key, object);
      }
      if (message.reset) for (const [key, object] of rows) if (!next.has(key)) deltas.push({ type: 'deleted', key, object });
      rows = next;
      frames += 1;
      snapshot = rowSnapshot(rows, String(frames));
      const reflection: Reflection<unknown> = Object.freeze({ snapshot, deltas: Object.freeze(deltas) });
      for (const s of [...subscribers]) s.next(reflection);
    };

    const reflections$ = new Observable<Reflection<unknown>>((subscriber) => {
      if (closed) {
        subscriber.error(new WorkerError({ name: 'Error', message: 'the worker connection is closed' }, name));
        return;
      }
      subscribers.add(subscriber);
      if (subscribers.size === 1) {
        frameHandlers.set(name, onMessage);
        rows = new Map();
        snapshot = undefined;
        post({ kind: 'subscribe', view: name });
      } else if (snapshot !== undefined) {
        const current = snapshot;
        const deltas = [...rows].map(([key, object]): Delta<unknown> => ({ type: 'synced', key, object }));
        subscriber.next(Object.freeze({ snapshot: current, deltas: Object.freeze(deltas) }));
      }
      return () => {
        if (!subscribers.delete(subscriber) || subscribers.size > 0) return;
        frameHandlers.delete(name);
        snapshot = undefined;
        if (!closed) post({ kind: 'unsubscribe', view: name });
      };
    });

    return Object.freeze({
      reflections$,
      snapshot$: reflections$.pipe(map((r) => r.snapshot)),
      status$: status$.asObservable(),
      getSnapshot: () => snapshot,
      getStatus: () => status$.value,
    });
  };

  const onMessage = (event: MessageEvent): void => {
    const message = event.data as WorkerMessage;
    if (message.kind === 'status') {
      status$.next(message.status);
    } else if (message.kind === 'object' || (message.kind === 'error' && message.id !== undefined)) {
      const id = message.id ?? -1;
      const request = pending.get(id);
      pending.delete(id);
      if (message.kind === 'object') request?.resolve(message.object as T | undefined);
      else request?.reject(new WorkerError(message.error));
    } else if (message.view !== undefined) {
      frameHandlers.get(message.view)?.(message);
    } else {
      // A worker-wide error: every view fails with it.
      for (const handler of [...frameHandlers.values()]) handler(message);
    }
  };
  worker.addEventListener('message', onMessage);
  worker.start?.();

  return Object.freeze({
    view: <K extends keyof V & string>(name: K): Informer<V[K]> => {
      let state = views.get(name);
      if (state === undefined) {
        state = { informer: viewInformer(name) };
        views.set(name, state);
      }
      return state.informer as Informer<V[K]>;
    },
    getObject: (key: string): Promise<T | undefined> => {
      if (closed) return Promise.reject(new WorkerError({ name: 'Error', message: 'the worker connection is closed' }));
      const id = nextId++;
      return new Promise<T | undefined>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ kind: 'get', id, key });
      });
    },
    close: (): void => {
      if (closed) return;
      closed = true;
      post({ kind: 'close' });
      worker.removeEventListener('message', onMessage);
      worker.terminate?.();
      const error = new WorkerError({ name: 'Error', message: 'the worker connection is closed' });
      for (const request of pending.values()) request.reject(error);
      pending.clear();
      for (const handler of [...frameHandlers.values()]) handler({ kind: 'error', error: { name: 'Error', message: 'the worker connection is closed' } });
      status$.complete();
    },
  });
}
