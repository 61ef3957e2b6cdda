import { distinctUntilChanged, EMPTY, from, map, type ObservableInput, type OperatorFunction, switchMap } from 'rxjs';
import type { LeaderElectionStatus } from './leader-election.ts';

/**
 * Runs a pipeline only while this candidate leads: subscribes to `work()` when
 * {@link leaderElection} reports `leading: true`, and unsubscribes from it when it reports
 * `leading: false` (a `switchMap` on leadership), before anything else happens.
 *
 * Emission contract: emits what `work()` emits while leading; completes when the election
 * completes (it does not by itself); errors when the election or the work errors — which ends the
 * election too, and releases the Lease. Unsubscribing stops the work first and then the election,
 * so the release request goes out after the work's teardown ran. Work that continues outside
 * its subscription (a request already sent) is not stopped by this: pass the `signal` that
 * `reconcile` gives your reconciler to your requests.
 *
 * @example
 * ```ts
 * import { informer, reconcile, fetchListWatch } from 'rxkube';
 * import { leaderElection, whileLeading, fetchLeaseClient } from 'rxkube/leader';
 * const baseUrl = 'http://127.0.0.1:8001';
 * const pods = informer(fetchListWatch({ baseUrl, resource: '/api/v1/pods' }));
 * leaderElection(fetchLeaseClient({ baseUrl }), { namespace: 'default', name: 'pod-controller', identity: crypto.randomUUID() })
 *   .pipe(whileLeading(() => pods.reflections$.pipe(reconcile(async (key) => console.log('reconcile', key)))))
 *   .subscribe();
 * ```
 *
 * @param work - builds the pipeline to run while leading; called on every acquisition.
 * @returns an operator from leadership to the work's values.
 * @see {@link leaderElection}
 */
export function whileLeading<T>(work: () => ObservableInput<T>): OperatorFunction<LeaderElectionStatus, T> {
  return (status$) =>
    status$.pipe(
      map((status) => status.leading),
      distinctUntilChanged(),
      switchMap((leading) => (leading ? from(work()) : EMPTY)),
    );
}
