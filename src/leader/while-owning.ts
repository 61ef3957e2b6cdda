import { distinctUntilChanged, EMPTY, from, map, type ObservableInput, type OperatorFunction, switchMap } from 'rxjs';
import type { Shard } from '../sources/shard.ts';
import { sameShard } from './ring-assignment.ts';
import type { RingAssignment } from './shard-ring.ts';

/**
 * Runs work on the keys this replica may reconcile: subscribes to `work(ready)` for the `ready`
 * range of each {@link RingAssignment} from {@link shardRing}, and unsubscribes from it, before
 * anything else happens, as soon as `ready` changes (a `switchMap` on `ready`, like
 * `whileLeading` on leadership). Nothing runs while `ready` is empty.
 *
 * This is the enforcing half of the ring's handover rule: `ready` shrinks the moment a replica
 * sees a new view, and grows only once the previous owners acknowledged it or expired, so work
 * started here for a range never overlaps another live replica's work on the same keys. A change
 * of `ready` restarts the work: an informer built inside lists its new shard (the "one relist" of
 * the bound) and a `reconcile` loop built inside reconciles every key of it once, as at startup.
 *
 * Emission contract: emits what the work emits; completes when the ring completes (it does not by
 * itself); errors when the ring or the work errors. Requests already sent by the work are not
 * recalled by the unsubscribe: pass `reconcile`'s `signal` to them.
 *
 * @example
 * ```ts
 * import { fetchListWatch, informer, reconcile } from 'rxkube';
 * import { fetchLeaseClient } from 'rxkube/leader';
 * import { shardRing, whileOwning } from 'rxkube/shard';
 * const baseUrl = 'http://127.0.0.1:8001';
 * shardRing(fetchLeaseClient({ baseUrl }), { namespace: 'default', ring: 'pods', identity: 'replica-1' })
 *   .pipe(whileOwning((shard) => informer(fetchListWatch({ baseUrl, resource: '/api/v1/pods', shard })).reflections$.pipe(reconcile(async (key) => console.log(key)))))
 *   .subscribe();
 * ```
 *
 * @param work - builds the pipeline for a `ready` range; called on every change of it.
 * @returns an operator from ring assignments to the work's values.
 * @see {@link shardRing}
 */
export function whileOwning<T>(work: (ready: Shard) => ObservableInput<T>): OperatorFunction<RingAssignment, T> {
  return (assignment$) =>
    assignment$.pipe(
      map((assignment) => assignment.ready),
      distinctUntilChanged(sameShard),
      switchMap((ready) => (ready === undefined ? EMPTY : from(work(ready)))),
    );
}
