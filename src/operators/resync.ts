import { asyncScheduler, interval, Observable, Subscription, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { Delta, Reflection, Snapshot } from '../model/reflection.ts';

/**
 * Replays the whole store every `periodMs`: emits the latest snapshot with a `synced` delta for
 * every object, between the Reflections it passes through (client-go's resync period).
 *
 * A resync never talks to the server: it hands the cached objects to the handler again, so a
 * controller can re-check state it acts on (client-go pitfall: resync ≠ relist). The timer is a
 * fixed period that starts at the first Reflection, whatever arrives in between, like client-go's.
 *
 * Emission contract: every Reflection of the source, unchanged; plus, every `periodMs` after the
 * first one, `{ snapshot: latest, deltas: synced × size }` — nothing when the store is empty,
 * nothing before the first Reflection. Completes and errors with the source (the timer stops).
 * Unsubscribing stops the timer and unsubscribes from the source. A `periodMs` of 0 or less turns
 * resync off (the Reflections pass through).
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { reflect, resync, type KubeObject, type ListWatchEvent } from 'rxkube';
 * declare const events$: Observable<ListWatchEvent<KubeObject>>;
 * events$.pipe(reflect(), resync(10 * 60_000)).subscribe(({ deltas }) => {
 *   for (const d of deltas) if (d.type === 'synced') console.log('recheck', d.key);
 * });
 * ```
 *
 * @param periodMs - the resync period in milliseconds.
 * @param scheduler - the scheduler for the timer. Defaults to `asyncScheduler`.
 * @returns an operator that adds periodic `synced` Reflections.
 */
export function resync<T>(periodMs: number, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<Reflection<T>> {
  return (source) =>
    new Observable<Reflection<T>>((subscriber) => {
      const subscription = new Subscription();
      let latest: Snapshot<T> | undefined;
      let frozen = false;
      let timerStarted = false;

      const tick = (): void => {
        const snapshot = latest;
        if (snapshot === undefined || snapshot.size === 0) return;
        const deltas: Delta<T>[] = [];
        for (const [key, object] of snapshot.entries()) {
          const d: Delta<T> = { type: 'synced', key, object };
          deltas.push(frozen ? Object.freeze(d) : d);
        }
        const r = { snapshot, deltas };
        if (frozen) {
          Object.freeze(deltas);
          Object.freeze(r);
        }
        subscriber.next(r);
      };

      subscription.add(
        source.subscribe({
          next: (r) => {
            latest = r.snapshot;
            frozen = Object.isFrozen(r);
            if (!timerStarted && periodMs > 0) {
              timerStarted = true;
              subscription.add(interval(periodMs, scheduler).subscribe(tick));
            }
            subscriber.next(r);
          },
          error: (err: unknown) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
      return subscription;
    });
}
