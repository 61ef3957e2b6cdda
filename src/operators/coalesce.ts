import {
  animationFrameScheduler,
  asyncScheduler,
  Observable,
  type MonoTypeOperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Delta, Reflection, Snapshot } from '../model/reflection.ts';

/**
 * How long {@link coalesce} gathers Reflections: a number of milliseconds, or `'animationFrame'`
 * (until the next `requestAnimationFrame` callback).
 *
 * @example
 * ```ts
 * import type { CoalesceWindow } from 'rxkube';
 * const perFrame: CoalesceWindow = 'animationFrame';
 * ```
 */
export type CoalesceWindow = number | 'animationFrame';

interface KeyFold<T> {
  /** The last `deleted` delta seen for the key in the window. */
  deleted: Delta<T> | undefined;
  /** Whether a `synced` delta was seen for the key. */
  synced: boolean;
}

/**
 * Merges the Reflections that arrive within a window into one, for consumers that only need the
 * latest state and the net changes: a UI that renders once per frame, a controller that reconciles
 * in batches.
 *
 * The first Reflection passes at once (a UI wants the first sync without delay). Each later one
 * opens a window, or joins the open one; when the window ends, one Reflection is emitted with the
 * last snapshot and one net delta per key touched, in order of first appearance. The net delta of
 * a key compares its object before the window (`o`) with its object in the last snapshot (`n`):
 *
 * - absent → present: `added` (added + updated → added with the latest object);
 * - present → absent: `deleted`, the last `deleted` delta seen (updated + deleted → deleted);
 * - absent → absent: nothing (added + deleted cancel out);
 * - present → present, a `deleted` seen in between: `deleted` then `added`: the object was
 *   recreated (its UID changed), which a single `updated` would hide;
 * - present → present otherwise: `updated` with `previous` = `o`, the first previous
 *   (updated + updated → one updated; a `synced` folds into it);
 * - the same object: `synced` if the key was resynced, else nothing.
 *
 * If every change cancels out, nothing is emitted. Applying the emitted deltas to the previously
 * emitted snapshot gives the emitted snapshot.
 *
 * Emission contract: the first Reflection immediately, then at most one per window. On complete,
 * the open window is flushed, then the output completes. On error, the open window is dropped and
 * the error forwarded. Unsubscribing cancels the window and unsubscribes from the source.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { reflect, coalesce, type KubeObject, type ListWatchEvent } from 'rxkube';
 * declare const events$: Observable<ListWatchEvent<KubeObject>>;
 * events$.pipe(reflect(), coalesce('animationFrame')).subscribe(({ snapshot }) => console.log(snapshot.size));
 * ```
 *
 * @param window - milliseconds, or `'animationFrame'`. Defaults to `'animationFrame'` where
 * `requestAnimationFrame` exists (browsers), 16 ms elsewhere.
 * @param scheduler - the scheduler that ends windows. Defaults to `animationFrameScheduler` for
 * `'animationFrame'` (the window then ends after a delay of 0 on it), `asyncScheduler` otherwise.
 * @returns an operator that batches Reflections.
 */
export function coalesce<T>(window?: CoalesceWindow, scheduler?: SchedulerLike): MonoTypeOperatorFunction<Reflection<T>> {
  return (source) =>
    new Observable<Reflection<T>>((subscriber) => {
      const w = window ?? (typeof globalThis.requestAnimationFrame === 'function' ? 'animationFrame' : 16);
      const delay = w === 'animationFrame' ? 0 : w;
      const sched = scheduler ?? (w === 'animationFrame' ? animationFrameScheduler : asyncScheduler);

      let first = true;
      let base: Snapshot<T> | undefined;
      let latest: Reflection<T> | undefined;
      let pending: Map<string, KeyFold<T>> | undefined;
      let action: Subscription | undefined;

      const flush = (): void => {
        action?.unsubscribe();
        action = undefined;
        const folds = pending;
        const last = latest;
        pending = undefined;
        latest = undefined;
        if (folds === undefined || last === undefined || base === undefined) return;
        const deltas = netDeltas(base, last.snapshot, folds);
        base = last.snapshot;
        if (deltas.length === 0) return;
        const out = { snapshot: last.snapshot, deltas };
        if (Object.isFrozen(last)) {
          for (const d of deltas) Object.freeze(d);
          Object.freeze(deltas);
          Object.freeze(out);
        }
        subscriber.next(out);
      };

      const subscription = source.subscribe({
        next: (r) => {
          if (first) {
            first = false;
            base = r.snapshot;
            subscriber.next(r);
            return;
          }
          pending ??= new Map();
          for (const d of r.deltas) {
            let fold = pending.get(d.key);
            if (fold === undefined) {
              fold = { deleted: undefined, synced: false };
              pending.set(d.key, fold);
            }
            if (d.type === 'deleted') fold.deleted = d;
            else if (d.type === 'synced') fold.synced = true;
          }
          latest = r;
          action ??= sched.schedule(flush, delay);
        },
        error: (err: unknown) => {
          action?.unsubscribe();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        action?.unsubscribe();
      };
    });
}

function netDeltas<T>(base: Snapshot<T>, last: Snapshot<T>, folds: Map<string, KeyFold<T>>): Delta<T>[] {
  const out: Delta<T>[] = [];
  for (const [key, fold] of folds) {
    const o = base.get(key);
    const n = last.get(key);
    if (o === n) {
      if (n !== undefined && fold.synced) out.push({ type: 'synced', key, object: n });
    } else if (o === undefined) {
      out.push({ type: 'added', key, object: n! });
    } else if (n === undefined) {
      out.push(fold.deleted ?? { type: 'deleted', key, object: o });
    } else if (fold.deleted !== undefined) {
      out.push(fold.deleted, { type: 'added', key, object: n });
    } else {
      out.push({ type: 'updated', key, object: n, previous: o });
    }
  }
  return out;
}
