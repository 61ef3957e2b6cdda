import type { Observable } from 'rxjs';
import type { InformerStatus } from './informer-status.ts';
import type { Reflection, Snapshot } from './reflection.ts';

/**
 * A shared, cached view of one collection: one list/watch however many subscribe.
 *
 * - `reflections$`: subscribing starts the list/watch if nothing else holds it; the first value
 *   every subscriber receives is the current snapshot with every object as an `added` delta (once
 *   the first list completed), then one Reflection per change. Unsubscribing the last subscriber
 *   stops the watch.
 * - `snapshot$`: the snapshots alone.
 * - `status$`: the informer's health; replays the current status to late subscribers.
 * - `getSnapshot()`: the latest snapshot, without allocating (`undefined` before the first list
 *   completed or while nothing is subscribed). Its identity changes only when the state changed.
 *
 * @example
 * ```ts
 * import type { Informer, KubeObject } from 'rxkube';
 * declare const pods: Informer<KubeObject>;
 * const sub = pods.reflections$.subscribe(({ snapshot, deltas }) => console.log(snapshot.size, deltas.length));
 * sub.unsubscribe();
 * ```
 */
export interface Informer<T, I extends string = string> {
  /** Reflections, shared; late subscribers start from the current snapshot. */
  readonly reflections$: Observable<Reflection<T, I>>;
  /** Snapshots, shared; late subscribers start from the current one. */
  readonly snapshot$: Observable<Snapshot<T, I>>;
  /** Health of the informer; replays the current status. Does not start the watch by itself. */
  readonly status$: Observable<InformerStatus>;
  /** The latest snapshot, or `undefined` before the first complete list. */
  getSnapshot(): Snapshot<T, I> | undefined;
  /** The latest status. */
  getStatus(): InformerStatus;
}
