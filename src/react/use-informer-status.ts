import { useSyncExternalStore } from 'react';
import type { Informer, InformerStatus } from '../index.ts';
import { statusStoreOf } from './internal/stores.ts';

/**
 * The informer's health, for spinners, progress bars and error banners, re-rendering the
 * component when the status changes.
 *
 * Binding to the status alone does not start the list/watch (an informer's `status$` does not);
 * pair it with {@link useSnapshot}, {@link useSelector} or {@link useObject} on the same informer,
 * here or in any other mounted component. The status subscription is shared per informer, like the
 * snapshot one.
 *
 * @example
 * ```tsx
 * import { useInformerStatus, useSnapshot } from 'rxkube/react';
 * import type { Informer, KubeObject } from 'rxkube';
 * declare const pods: Informer<KubeObject>;
 * function Pods() {
 *   const snapshot = useSnapshot(pods);
 *   const status = useInformerStatus(pods);
 *   if (status.phase === 'backingOff') return <p>Reconnecting in {status.delayMs} ms…</p>;
 *   if (!status.hasSynced) return <p>Loading…</p>;
 *   return <p>{snapshot?.size} pods</p>;
 * }
 * ```
 *
 * @param informer - the informer to watch.
 * @returns the latest status; its identity changes only when the informer reports a new one.
 */
export function useInformerStatus(informer: Informer<unknown>): InformerStatus {
  const store = statusStoreOf(informer);
  return useSyncExternalStore(store.subscribe, store.read, store.read);
}
