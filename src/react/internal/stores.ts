/**
 * Not API. One store per source, shared by every component that binds to it.
 * @internal
 * @packageDocumentation
 */
import { map } from 'rxjs';
import type { Observable } from 'rxjs';
import { toExternalStore, type ExternalStore, type Informer, type InformerStatus, type Reflection, type Snapshot, type SnapshotSource } from '../../index.ts';
import { isInformer } from '../../internal/index.ts';

/** The pair handed to `useSyncExternalStore`; both functions keep their identity per source. */
export interface BoundStore<V> {
  readonly subscribe: (listener: () => void) => () => void;
  /** The value, or throws the source's error so that the nearest error boundary shows it. */
  readonly read: () => V;
}

function bind<V>(store: ExternalStore<V>): BoundStore<V | undefined> {
  return Object.freeze({
    subscribe: store.subscribe,
    read: () => {
      const error = store.getError();
      if (error !== undefined) throw error;
      return store.getSnapshot();
    },
  });
}

const snapshotStores = new WeakMap<object, BoundStore<Snapshot<unknown> | undefined>>();
const statusStores = new WeakMap<object, BoundStore<InformerStatus>>();

/** The shared snapshot store of `source`, created on first use. */
export function snapshotStoreOf<T>(source: SnapshotSource<T>): BoundStore<Snapshot<T> | undefined> {
  let bound = snapshotStores.get(source) as BoundStore<Snapshot<T> | undefined> | undefined;
  if (bound === undefined) {
    const store = isInformer<T>(source)
      ? toExternalStore(source)
      : toExternalStore((source as Observable<Reflection<T>>).pipe(map((reflection) => reflection.snapshot)));
    bound = bind(store);
    snapshotStores.set(source, bound);
  }
  return bound;
}

/** The shared status store of `informer`, created on first use. */
export function statusStoreOf(informer: Informer<unknown>): BoundStore<InformerStatus> {
  let bound = statusStores.get(informer);
  if (bound === undefined) {
    const current = (): InformerStatus => informer.getStatus();
    const store = bind(toExternalStore(informer.status$, { current }));
    bound = Object.freeze({ subscribe: store.subscribe, read: () => store.read() ?? current() });
    statusStores.set(informer, bound);
  }
  return bound;
}
