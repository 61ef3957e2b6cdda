import { useSyncExternalStore } from 'react';
import type { Snapshot, SnapshotSource } from '../index.ts';
import { snapshotStoreOf } from './internal/stores.ts';

/**
 * The current snapshot of an informer (or of an Observable of reflections), re-rendering the
 * component whenever the state changes.
 *
 * One `useSyncExternalStore` over a store kept per source: every component bound to the same
 * source shares one subscription (one list/watch). The first component to mount subscribes; the
 * subscription is released a microtask after the last one unmounts, so StrictMode's
 * mount/unmount/mount does not restart the watch.
 *
 * Re-render contract: the returned snapshot keeps its identity until the state changes, so it can
 * go straight into `useMemo` dependencies or `memo` props. A snapshot is immutable; reading it is
 * safe during render. If the source fails, the hook throws its error during render (to the nearest
 * error boundary); an informer never fails (see `useInformerStatus` for its backoffs).
 *
 * @example
 * ```tsx
 * import { useSnapshot } from 'rxkube/react';
 * import type { Informer, KubeObject } from 'rxkube';
 * declare const pods: Informer<KubeObject>;
 * function PodCount() {
 *   const snapshot = useSnapshot(pods);
 *   return snapshot ? <span>{snapshot.size} pods</span> : <span>loading…</span>;
 * }
 * ```
 *
 * @param source - an informer or an Observable of reflections; keep its identity stable across renders.
 * @returns the latest snapshot, or `undefined` before the first complete list.
 * @see {@link useSelector} to re-render only when a derived value changes.
 */
export function useSnapshot<T, I extends string = string>(source: SnapshotSource<T, I>): Snapshot<T, I> | undefined {
  const store = snapshotStoreOf(source);
  return useSyncExternalStore(store.subscribe, store.read, store.read);
}
