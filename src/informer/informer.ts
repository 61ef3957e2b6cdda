import {
  asyncScheduler,
  BehaviorSubject,
  concat,
  defer,
  map,
  of,
  share,
  Subject,
  tap,
  timer,
  type Observable,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
import type { ObjectCallbackError } from '../model/errors.ts';
import type { Informer } from '../model/informer.ts';
import type { InformerStatus } from '../model/informer-status.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import type { Delta, Reflection, Snapshot } from '../model/reflection.ts';
import type { ListWatch } from '../model/wire.ts';
import { reflect, type ReflectOptions } from '../operators/reflect.ts';
import { resync } from '../operators/resync.ts';
import { withIndex, type IndexFunction } from '../operators/with-index.ts';
import { listWatch, type ListWatchOptions } from '../sources/list-watch.ts';
import { hookReporter, type InformerHooks } from './informer-hooks.ts';
import { idleStatus, nextStatus } from './informer-status.ts';
import { reportAfter } from './report-after.ts';

/**
 * Options of {@link informer}: the loop's, `reflect`'s, plus indexes, resync, sharing and the
 * observation hooks (`name`, `onEvent`, `onError`; see {@link InformerHooks}).
 */
export interface InformerOptions<T extends KubeObject, I extends string = string> extends ListWatchOptions, ReflectOptions<T>, InformerHooks<T> {
  /**
   * Indexes to maintain, by name (see {@link withIndex}). Their names type the snapshots'
   * `byIndex`: a name not given here does not compile.
   * @defaultValue none
   */
  indexes?: Readonly<Record<I, IndexFunction<T>>>;
  /** Emit a Reflection of `synced` deltas for every object this often (see {@link resync}). @defaultValue never */
  resyncPeriodMs?: number;
  /**
   * Keep the list/watch running this long after the last subscriber left, so a quick
   * resubscribe (React StrictMode, route changes) does not relist.
   * @defaultValue 0
   */
  keepAliveMs?: number;
  /**
   * Receives the error of each object that `keyOf`, `transform` or an index function threw on.
   * An informer never fails for one bad object: the object is skipped (the store keeps what it had
   * for that key; an index leaves the object out) and the informer goes on for every other
   * object and every subscriber. If this hook throws, the informer stops with that error.
   * @defaultValue reports the error with `console.warn` (as client-go's `HandleError` logs)
   */
  onObjectError?: (error: ObjectCallbackError) => void;
}

function warnObjectError(error: ObjectCallbackError): void {
  console.warn(`rxkube informer: ${error.message}; the object was skipped`);
}

/**
 * Builds a shared informer: {@link listWatch} → {@link reflect} → indexes → resync, run once
 * however many subscribe, with a status stream.
 *
 * Emission contract of `reflections$`: cold until the first subscriber, which starts the
 * list/watch; every subscriber first receives the current state (all objects as `added` deltas,
 * as soon as the first list completed), then one Reflection per change. The loop retries every
 * server and network failure with backoff, and an object that `keyOf`, `transform` or an index
 * function throws on is skipped and reported to `onObjectError`, so `reflections$` only errors
 * when the `onObjectError` hook itself throws; `status$` then turns `idle` with that `error`. When the last subscriber unsubscribes (and
 * `keepAliveMs` passed), the watch is aborted and the state dropped; the next subscriber lists
 * again, at the resourceVersion of the last snapshot shown (client-go's "not older than" relist),
 * so it never sees an older state than the previous subscribers saw.
 *
 * @example
 * ```ts
 * import { fetchListWatch, informer, type KubeObject } from 'rxkube';
 * interface Pod extends KubeObject { spec?: { nodeName?: string } }
 * const pods = informer(fetchListWatch<Pod>({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: 'pods' } }), {
 *   indexes: { node: (pod) => pod.spec?.nodeName },
 * });
 * pods.status$.subscribe((s) => console.log(s.phase));
 * pods.reflections$.subscribe(({ snapshot }) => console.log(snapshot.byIndex('node', 'node-1').length, 'pods on node-1'));
 * ```
 * @param source - the list and watch requests.
 * @param options - loop, store, index, resync and sharing options.
 * @returns the informer.
 */
export function informer<T extends KubeObject, I extends string = string>(source: ListWatch<T>, options: InformerOptions<T, I> = {}): Informer<T, I> {
  const scheduler: SchedulerLike = options.scheduler ?? asyncScheduler;
  const status = new BehaviorSubject<InformerStatus>(idleStatus);
  // The resourceVersion of the last state shown, kept when the state is dropped so that the next
  // subscription lists at it (not older than it) instead of going back in time.
  let shownResourceVersion = options.lastSyncResourceVersion;

  const onObjectError = options.onObjectError ?? warnObjectError;
  const reflectOptions: ReflectOptions<T> = { ...options, onObjectError };
  const stages: OperatorFunction<Reflection<T>, Reflection<T>>[] = [];
  for (const [name, indexFn] of Object.entries<IndexFunction<T>>(options.indexes ?? {})) stages.push(withIndex(name, indexFn, { onObjectError }));
  if (options.resyncPeriodMs !== undefined) stages.push(resync<T>(options.resyncPeriodMs, scheduler));

  const updateStatus = (event: ListWatchEvent<T>): void => {
    const current = status.getValue();
    const updated = nextStatus(current, event);
    if (updated !== current) status.next(updated);
  };

  // `stored` is what getSnapshot() answers: set as soon as the pipeline produced it, before
  // status$ reports the event. `delivered` is what subscribers have received: the state a late
  // subscriber starts from, so that one joining from a status$ callback gets each delta once.
  let stored: Snapshot<T> | undefined;
  let delivered: Snapshot<T> | undefined;
  let failure: { readonly error: unknown } | undefined;

  const live$ = defer(() => {
    const loopOptions = shownResourceVersion ? { ...options, lastSyncResourceVersion: shownResourceVersion } : options;
    const report = hookReporter(options);
    const pipeline = (events: Observable<ListWatchEvent<T>>): Observable<Reflection<T>> => {
      let reflections = events.pipe(reflect<T>(reflectOptions));
      for (const stage of stages) reflections = reflections.pipe(stage);
      return reflections.pipe(
        tap((reflection) => {
          stored = reflection.snapshot;
        }),
      );
    };
    let events = listWatch(source, loopOptions);
    if (report !== undefined) events = events.pipe(tap(report.event));
    const reflections = events.pipe(reportAfter(pipeline, updateStatus));
    return report === undefined ? reflections : reflections.pipe(tap({ error: report.pipelineError }));
  }).pipe(
    tap({
      next: (reflection) => {
        delivered = reflection.snapshot;
      },
      error: (error: unknown) => {
        failure = { error };
      },
      finalize: () => {
        if (delivered?.resourceVersion) shownResourceVersion = delivered.resourceVersion;
        stored = undefined;
        delivered = undefined;
        status.next(failure === undefined ? { phase: 'idle', hasSynced: false } : { phase: 'idle', hasSynced: false, error: failure.error });
        failure = undefined;
      },
    }),
    share({
      connector: () => new Subject<Reflection<T>>(),
      resetOnError: true,
      resetOnComplete: true,
      resetOnRefCountZero: options.keepAliveMs ? () => timer(options.keepAliveMs ?? 0, scheduler) : true,
    }),
  );

  const reflections$ = defer(() => {
    const current = delivered;
    return current === undefined ? live$ : concat(of(currentState(current)), live$);
  });

  return {
    reflections$,
    snapshot$: reflections$.pipe(map((reflection) => reflection.snapshot)),
    status$: status.asObservable(),
    getSnapshot: () => stored,
    getStatus: () => status.getValue(),
  };
}

/**
 * A Reflection of a whole snapshot, every object as an `added` delta: what a late subscriber
 * receives first. The deltas are built on first access.
 *
 * @example
 * ```ts
 * import type { Snapshot } from 'rxkube';
 * import { currentState } from './informer.ts';
 * declare const snapshot: Snapshot;
 * currentState(snapshot).deltas.every((d) => d.type === 'added'); // true
 * ```
 */
export function currentState<T>(snapshot: Snapshot<T>): Reflection<T> {
  let deltas: readonly Delta<T>[] | undefined;
  return {
    snapshot,
    get deltas(): readonly Delta<T>[] {
      if (deltas === undefined) {
        const built: Delta<T>[] = [];
        for (const [key, object] of snapshot.entries()) built.push({ type: 'added', key, object });
        deltas = built;
      }
      return deltas;
    },
  };
}
