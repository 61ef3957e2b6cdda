import { asapScheduler, Subscription } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { Snapshot } from '../model/reflection.ts';
import { isInformer } from './is-informer.ts';

/**
 * A framework-free view of an observable's latest value, in the shape UI libraries bind to:
 * React's `useSyncExternalStore`, zustand-style `subscribe`/`getState`, Svelte stores, Vue refs.
 *
 * Every member is a bound function, safe to pass around detached (`useSyncExternalStore(store.subscribe, store.getSnapshot)`).
 *
 * @typeParam V - the value type.
 *
 * @example
 * ```ts
 * import { toExternalStore } from 'rxkube';
 * import { BehaviorSubject } from 'rxjs';
 * const store = toExternalStore(new BehaviorSubject(1));
 * const stop = store.subscribe(() => console.log(store.getSnapshot()));
 * stop();
 * ```
 */
export interface ExternalStore<V> {
  /**
   * Registers `listener`, called (without arguments) after every change of
   * {@link ExternalStore.getSnapshot}'s value or of {@link ExternalStore.getError}. The first
   * listener subscribes to the source; the source subscription outlives the last listener by the
   * release delay. Returns a function that removes this registration; calling it twice is harmless.
   */
  readonly subscribe: (listener: () => void) => () => void;
  /**
   * The latest value: the source's last emission while subscribed, otherwise what the `current`
   * option reads (for an informer, its own `getSnapshot()`), otherwise `undefined`. Never
   * allocates; two calls with no change in between return the same value.
   */
  readonly getSnapshot: () => V | undefined;
  /**
   * The error the source failed with, or `undefined` while it has not failed. The store keeps its
   * last value after a failure and subscribes afresh the next time a listener arrives after it was
   * released. (A source failing with `undefined` as its error cannot be told apart: don't.)
   */
  readonly getError: () => unknown;
}

/**
 * Options of {@link toExternalStore}.
 *
 * @typeParam V - the value type.
 *
 * @example
 * ```ts
 * import type { ExternalStoreOptions } from 'rxkube';
 * import { asyncScheduler } from 'rxjs';
 * const keepForAMoment: ExternalStoreOptions<number> = { keepAliveMs: 1_000, scheduler: asyncScheduler };
 * ```
 */
export interface ExternalStoreOptions<V> {
  /**
   * Reads the current value while the store holds none: before the source's first emission and
   * while no listener is subscribed. Must not allocate (return a cached value).
   *
   * @defaultValue for an {@link Informer}, its `getSnapshot`; otherwise none (`undefined`).
   */
  readonly current?: () => V | undefined;
  /**
   * How long, in milliseconds of `scheduler` time, the source subscription outlives the last
   * listener. A new listener within that time keeps the same subscription, so a React StrictMode
   * unmount/remount (synchronous) or a route change does not restart a watch.
   *
   * The same duration as {@link InformerOptions.keepAliveMs}, one step further out: the informer
   * keeps its watch after its last subscriber, the store keeps its subscription after its last
   * listener.
   *
   * @defaultValue `0`: with the default scheduler, released in a microtask.
   */
  readonly keepAliveMs?: number;
  /**
   * The former name of {@link ExternalStoreOptions.keepAliveMs}, used when that is not given.
   *
   * @deprecated Use `keepAliveMs`; `releaseDelay` goes in the next release.
   */
  readonly releaseDelay?: number;
  /**
   * Schedules the release.
   *
   * @defaultValue `asapScheduler`
   */
  readonly scheduler?: SchedulerLike;
}

/**
 * Turns an {@link Informer} or any Observable into an {@link ExternalStore}: a ref-counted
 * subscription plus a non-allocating getter of the latest value.
 *
 * This is the framework-free core of the React hooks in `rxkube/react` (one
 * `useSyncExternalStore(store.subscribe, store.getSnapshot)`), and works as is for any library that
 * binds to a subscribe/get pair.
 *
 * 1. The first listener subscribes to the source (for an informer, to `snapshot$`, which starts the
 *    list/watch if nothing else holds it). Later listeners share that subscription.
 * 2. Each emission that differs (`Object.is`) from the previous one is stored and every listener
 *    is called; an emission identical to the previous one notifies no one. The first emission
 *    after subscribing always notifies. A failure is recorded
 *    for {@link ExternalStore.getError} and notifies every listener; completion keeps the last value.
 * 3. When the last listener leaves, the release is scheduled after `keepAliveMs`; a listener
 *    arriving before that cancels it. The release unsubscribes from the source and forgets the
 *    value and error, so an unobserved store holds no snapshot in memory.
 *
 * Emission contract: the store itself is not an Observable. `getSnapshot` never allocates, and its
 * result keeps its identity until the source emits a different value. A listener that throws does
 * not stop the others; its error is reported as an unhandled rxjs error after all were called.
 * Do not rely on listeners being called in registration order.
 *
 * @example
 * ```ts
 * import { toExternalStore } from 'rxkube';
 * import type { Informer, KubeObject } from 'rxkube';
 * declare const pods: Informer<KubeObject>;
 * const store = toExternalStore(pods);
 * const stop = store.subscribe(() => console.log('pods:', store.getSnapshot()?.size));
 * // …later: the watch stops a microtask after the last listener left.
 * stop();
 * ```
 *
 * @param informer - an informer; the store's value is its snapshot.
 * @param options - see {@link ExternalStoreOptions}.
 * @returns a store of the informer's snapshots, `undefined` before the first complete list.
 * @see {@link Informer}
 */
export function toExternalStore<T, I extends string = string>(informer: Informer<T, I>, options?: ExternalStoreOptions<Snapshot<T, I>>): ExternalStore<Snapshot<T, I>>;
/**
 * Turns any Observable into an {@link ExternalStore} (see the informer overload for the algorithm).
 *
 * @example
 * ```ts
 * import { toExternalStore } from 'rxkube';
 * import { interval } from 'rxjs';
 * const ticks = toExternalStore(interval(1_000));
 * const stop = ticks.subscribe(() => console.log(ticks.getSnapshot()));
 * stop();
 * ```
 *
 * @param source$ - any Observable; subscribed while the store has listeners.
 * @param options - see {@link ExternalStoreOptions}.
 * @returns a store of the source's latest value, `undefined` before its first emission.
 */
export function toExternalStore<V>(source$: Observable<V>, options?: ExternalStoreOptions<V>): ExternalStore<V>;
export function toExternalStore<V>(source: Observable<V> | Informer<unknown>, options: ExternalStoreOptions<V> = {}): ExternalStore<V> {
  let source$: Observable<V>;
  let current = options.current;
  if (isInformer<unknown>(source)) {
    source$ = source.snapshot$ as Observable<V>;
    current ??= () => source.getSnapshot() as V | undefined;
  } else {
    source$ = source;
  }
  const keepAliveMs = options.keepAliveMs ?? options.releaseDelay ?? 0;
  const scheduler = options.scheduler ?? asapScheduler;

  // One entry per registration, so the same function registered twice counts twice.
  const listeners = new Set<{ readonly listener: () => void }>();
  let connection: Subscription | undefined;
  let pendingRelease: Subscription | undefined;
  let hasValue = false;
  let value: V | undefined;
  let error: unknown;

  const getSnapshot = (): V | undefined => (hasValue ? value : current?.());
  const getError = (): unknown => error;

  const notify = (): void => {
    let failed = false;
    let firstError: unknown;
    for (const entry of listeners) {
      try {
        entry.listener();
      } catch (e) {
        if (!failed) {
          failed = true;
          firstError = e;
        }
      }
    }
    // Thrown from inside the observer, so rxjs reports it as unhandled and the subscription lives on.
    if (failed) throw firstError;
  };

  const connect = (): void => {
    const subscription = new Subscription();
    connection = subscription;
    // Added to `subscription` (not assigned) so a release during a synchronous emission still tears down.
    subscription.add(
      source$.subscribe({
        next: (next) => {
          if (connection !== subscription) return;
          // The first emission always notifies: `current()` may already have moved with it.
          if (hasValue && Object.is(value, next)) return;
          hasValue = true;
          value = next;
          notify();
        },
        error: (e: unknown) => {
          if (connection !== subscription) return;
          error = e;
          notify();
        },
      }),
    );
  };

  const release = (): void => {
    pendingRelease = undefined;
    if (listeners.size > 0) return;
    const subscription = connection;
    connection = undefined;
    hasValue = false;
    value = undefined;
    error = undefined;
    subscription?.unsubscribe();
  };

  const subscribe = (listener: () => void): (() => void) => {
    const entry = { listener };
    listeners.add(entry);
    pendingRelease?.unsubscribe();
    pendingRelease = undefined;
    if (connection === undefined) connect();
    return () => {
      if (!listeners.delete(entry) || listeners.size > 0) return;
      pendingRelease = scheduler.schedule(release, keepAliveMs);
    };
  };

  return Object.freeze({ subscribe, getSnapshot, getError });
}
