import { combineLatest, concat, defer, distinctUntilChanged, map, of, share, Subject, tap, type Observable } from 'rxjs';
import { InvalidShardError } from '../model/errors.ts';
import type { Informer } from '../model/informer.ts';
import type { InformerStatus } from '../model/informer-status.ts';
import type { Reflection, Snapshot } from '../model/reflection.ts';
import { mergeSources } from '../operators/merge-sources.ts';
import { currentState } from './informer.ts';

/**
 * One read-only informer over the shard informers of a collection: the whole collection as one
 * store, for a dashboard backend or an API that answers for every shard, while each shard keeps
 * its own list and watch (and its own replica, process or connection).
 *
 * The data path is {@link mergeSources} over the shards' `reflections$` with their keys kept (an
 * object belongs to exactly one shard, so keys never collide and a change arrives as exactly one
 * delta, from the one shard that holds it). What this adds over that recipe is the informer
 * shape: a non-allocating `getSnapshot()`, one shared subscription however many read, late
 * subscribers starting from the current merged state, and a `status$` that is ready only when
 * every shard is:
 *
 * 1. The merged status is the status of the **least advanced** shard, in the order `idle`,
 *    `backingOff`, `listing` (or `watching` before a first list completed), `relisting`,
 *    `synced`, `watching`; ties go to the first shard in the array. Its fields (`loaded`,
 *    `error`, `delayMs`, `resourceVersion`, `shardFilter`, …) are that shard's.
 * 2. `hasSynced` is true only when every shard has synced.
 * 3. `getStatus()` and `status$` keep the same object while neither of these changes.
 *
 * Emission contract of `reflections$`: cold until the first subscriber, which subscribes every
 * shard's `reflections$` (starting their list/watch if nothing else holds them); nothing is
 * emitted until every shard has delivered its first state, then one Reflection holding every
 * object as `added`, then one Reflection per shard change. Subscribers share one merge; a late
 * subscriber first receives the current merged state. Errors when a shard's `reflections$` errors;
 * unsubscribing the last subscriber unsubscribes every shard and drops the merged state. The
 * snapshot's `resourceVersion` is the one of the shard that caused the emission: do not resume a
 * watch from it. The merged snapshots carry no indexes (pipe `reflections$` through `withIndex`).
 * `status$` does not start anything by itself.
 *
 * Do not rely on the merged view for shards that overlap (two shards holding one key): the last
 * writer wins and deltas may repeat. {@link equalShards} never overlap.
 *
 * @example
 * ```ts
 * import { fetchListWatch, informer } from 'rxkube';
 * import { equalShards, mergeShards } from 'rxkube/shard';
 * const resource = { version: 'v1', plural: 'pods' };
 * const shards = equalShards(3).map((shard) => informer(fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource, shard })));
 * const allPods = mergeShards(shards);
 * allPods.status$.subscribe((s) => console.log(s.phase, s.hasSynced));
 * allPods.snapshot$.subscribe((snapshot) => console.log(snapshot.size, 'pods in all shards'));
 * ```
 *
 * @param shards - the shard informers, at least one.
 * @returns an informer over their union.
 * @throws InvalidShardError when `shards` is empty.
 * @see {@link mergeSources}, {@link equalShards}
 */
export function mergeShards<T>(shards: readonly Informer<T>[]): Informer<T> {
  if (shards.length === 0) throw new InvalidShardError('mergeShards needs at least one shard informer');
  const sources: Record<string, Observable<Reflection<T>>> = {};
  shards.forEach((shard, i) => (sources[String(i)] = shard.reflections$));

  let delivered: Snapshot<T> | undefined;
  const live$ = mergeSources(sources).pipe(
    tap({
      next: (reflection) => {
        delivered = reflection.snapshot;
      },
      finalize: () => {
        delivered = undefined;
      },
    }),
    share({ connector: () => new Subject<Reflection<T>>(), resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
  );
  const reflections$ = defer(() => (delivered === undefined ? live$ : concat(of(currentState(delivered)), live$)));

  const merge = shardStatusMerger();
  return {
    reflections$,
    snapshot$: reflections$.pipe(map((reflection) => reflection.snapshot)),
    status$: combineLatest(shards.map((shard) => shard.status$)).pipe(map(merge), distinctUntilChanged()),
    getSnapshot: () => delivered,
    getStatus: () => merge(shards.map((shard) => shard.getStatus())),
  };
}

const RANK: Readonly<Record<InformerStatus['phase'], number>> = { idle: 0, backingOff: 1, listing: 2, relisting: 3, synced: 4, watching: 5 };

function rank(status: InformerStatus): number {
  // A watch before any list completed (a streaming list in progress) is as far as a first list.
  return status.phase === 'watching' && !status.hasSynced ? RANK.listing : RANK[status.phase];
}

/** The merge of shard statuses (see {@link mergeShards}), returning the previous object when nothing it reports changed. */
function shardStatusMerger(): (statuses: readonly InformerStatus[]) => InformerStatus {
  let lastWorst: InformerStatus | undefined;
  let lastAllSynced = false;
  let last: InformerStatus | undefined;
  return (statuses) => {
    let worst = statuses[0]!;
    let allSynced = true;
    for (const status of statuses) {
      if (rank(status) < rank(worst)) worst = status;
      if (!status.hasSynced) allSynced = false;
    }
    if (last !== undefined && worst === lastWorst && allSynced === lastAllSynced) return last;
    lastWorst = worst;
    lastAllSynced = allSynced;
    // `synced` and synced `watching` are the worst only when every shard has synced.
    last = worst.hasSynced === allSynced ? worst : ({ ...worst, hasSynced: allSynced } as InformerStatus);
    return last;
  };
}
