import { useCallback } from 'react';
import type { Snapshot, SnapshotSource } from '../index.ts';
import { useSelector } from './use-selector.ts';

/**
 * The object stored under `key`, re-rendering the component only when that object changed.
 *
 * A snapshot keeps the identity of every object a change did not touch, so this compares with
 * `Object.is`: a change to any other object in the collection does not re-render the component.
 * A MODIFIED event for this key always re-renders it (the object's resourceVersion moved). With
 * the `structuralSharing` option of `reflect`/`informer`, its unchanged subtrees keep their
 * identity: select one (`useSelector(pods, (s) => s.get(key)?.spec)`) or pass it to `memo`
 * children to skip those re-renders too.
 *
 * Re-render contract: as {@link useSelector} with `(s) => s.get(key)`. Shares the source's
 * subscription with every other hook bound to it.
 *
 * @example
 * ```tsx
 * import { useObject } from 'rxkube/react';
 * import type { Informer, KubeObject } from 'rxkube';
 * declare const pods: Informer<KubeObject>;
 * function PodPhase({ name }: { name: string }) {
 *   const pod = useObject(pods, `default/${name}`);
 *   return <span>{pod?.metadata?.resourceVersion ?? 'gone'}</span>;
 * }
 * ```
 *
 * @param source - an informer or an Observable of reflections; keep its identity stable across renders.
 * @param key - the store key: `namespace/name`, or `name` for cluster-scoped objects.
 * @returns the object, or `undefined` when absent or before the first complete list.
 */
export function useObject<T>(source: SnapshotSource<T>, key: string): T | undefined {
  const select = useCallback((snapshot: Snapshot<T>) => snapshot.get(key), [key]);
  return useSelector(source, select);
}
