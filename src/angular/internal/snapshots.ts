/**
 * Not API. Snapshot observables shared per source.
 * @internal
 * @packageDocumentation
 */
import { map, ReplaySubject, share } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Reflection, Snapshot, SnapshotSource } from '../../index.ts';
import { isInformer } from '../../internal/index.ts';

const shared = new WeakMap<object, Observable<Snapshot<unknown>>>();

/**
 * The snapshots of `source` (an informer's `snapshot$`, or the snapshots of an Observable of
 * reflections) through one replaying pipeline per source, so that every signal bound to the same
 * source, in any component, makes one subscription to it. Reset when the last one ends.
 */
export function snapshotsOf<T>(source: SnapshotSource<T>): Observable<Snapshot<T>> {
  let snapshots$ = shared.get(source) as Observable<Snapshot<T>> | undefined;
  if (snapshots$ === undefined) {
    const upstream$ = isInformer<T>(source)
      ? source.snapshot$
      : (source as Observable<Reflection<T>>).pipe(map((reflection) => reflection.snapshot));
    snapshots$ = upstream$.pipe(share({ connector: () => new ReplaySubject<Snapshot<T>>(1) }));
    shared.set(source, snapshots$);
  }
  return snapshots$;
}
