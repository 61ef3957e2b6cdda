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
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';
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
import { idleStatus, nextStatus } from './informer-status.ts';

/**
 * Options of {@link informer}: the loop's, `reflect`'s, plus indexes, resync and sharing.
 */
export interface InformerOptions<T extends KubeObject, I extends string = string> extends ListWatchOptions, ReflectOptions<T> {
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
}

/**
 * Builds a shared informer: {@link listWatch} → {@link reflect} → indexes → resync, run once
 * however many subscribe, with a status stream.
 *
 * Emission contract of `reflections$`: cold until the first subscriber, which starts the
 * list/watch; every subscriber first receives the current state (all objects as `added` deltas,
 * as soon as the first list completed), then one Reflection per change. The loop retries every
 * server and network failure with backoff, so `reflections$` only errors on a bug in a user
 * callback (`keyOf`, `transform`, an index function). When the last subscriber unsubscribes (and
 * `keepAliveMs` passed), the watch is aborted and the state dropped; the next subscriber lists
 * again.
 *
 * @example
 * ```ts
 * import { fetchListWatch, informer } from 'rxkube';
 * const pods = informer(fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: 'pods' } }), {
 *   indexes: { node: (pod: any) => pod.spec?.nodeName },
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
  let latest: Snapshot<T> | undefined;

  const stages: OperatorFunction<Reflection<T>, Reflection<T>>[] = [];
  for (const [name, indexFn] of Object.entries<IndexFunction<T>>(options.indexes ?? {})) stages.push(withIndex(name, indexFn));
  if (options.resyncPeriodMs !== undefined) stages.push(resync<T>(options.resyncPeriodMs, scheduler));

  const updateStatus = (event: ListWatchEvent<T>): void => {
    const current = status.getValue();
    const updated = nextStatus(current, event);
    if (updated !== current) status.next(updated);
  };

  const live$ = defer(() => {
    let reflections = listWatch(source, options).pipe(tap(updateStatus), reflect<T>(options));
    for (const stage of stages) reflections = reflections.pipe(stage);
    return reflections;
  }).pipe(
    tap({
      next: (reflection) => {
        latest = reflection.snapshot;
      },
      finalize: () => {
        latest = undefined;
        status.next({ phase: 'idle', hasSynced: false });
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
    const current = latest;
    return current === undefined ? live$ : concat(of(currentState(current)), live$);
  });

  return {
    reflections$,
    snapshot$: reflections$.pipe(map((reflection) => reflection.snapshot)),
    status$: status.asObservable(),
    getSnapshot: () => latest,
    getStatus: () => status.getValue(),
  };
}

/**
 * A Reflection of a whole snapshot, every object as an `added` delta: what a late subscriber
 * receives first. The deltas are built on first access.
 *
 * @example
 * ```ts
 * import { currentState, type Snapshot } from 'rxkube';
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
