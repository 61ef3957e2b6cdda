import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { Snapshot, SnapshotSource } from '../index.ts';
import { snapshotStoreOf } from './internal/stores.ts';

/**
 * A value derived from the current snapshot, re-rendering the component only when that value
 * changed according to `isEqual`.
 *
 * Works like React's `useSyncExternalStoreWithSelector`: `selector` runs once per new snapshot
 * (not once per render), and when `isEqual(previous, next)` holds the previous value is returned,
 * identity included, so the component does not re-render. The selector may be an inline function;
 * a stable one (module scope or `useCallback`) saves a call per render.
 *
 * Re-render contract: re-renders when a new snapshot yields a value not equal to the last one;
 * returns `undefined`, without calling `selector`, before the first complete list. The subscription
 * is shared with every other hook bound to the same source. Errors thrown by `selector` or by the
 * source surface during render.
 *
 * @example
 * ```tsx
 * import { useSelector } from 'rxkube/react';
 * import type { Informer, KubeObject, Snapshot } from 'rxkube';
 * declare const pods: Informer<KubeObject>;
 * // Module scope: one stable selector, called once per new snapshot.
 * const countFailing = (s: Snapshot<KubeObject>) =>
 *   [...s.values()].filter((p) => p.metadata?.labels?.['health'] === 'failing').length;
 * function FailingBadge() {
 *   const failing = useSelector(pods, countFailing) ?? 0;
 *   return failing > 0 ? <b>{failing} failing</b> : null;
 * }
 * ```
 *
 * @param source - an informer or an Observable of reflections; keep its identity stable across renders.
 * @param selector - derives the value from a snapshot; must be pure.
 * @param isEqual - whether two selected values are the same. Defaults to `Object.is`.
 * @returns the selected value, or `undefined` before the first complete list.
 */
export function useSelector<T, S, I extends string = string>(
  source: SnapshotSource<T, I>,
  selector: (snapshot: Snapshot<T, I>) => S,
  isEqual: (a: S, b: S) => boolean = Object.is,
): S | undefined {
  const store = snapshotStoreOf(source);
  // The selection React last committed: a new selector that selects an equal value must return it.
  const committed = useRef<{ readonly selection: S | undefined } | null>(null);

  const getSelection = useMemo(() => {
    const same = (a: S | undefined, b: S | undefined): boolean =>
      a === undefined || b === undefined ? a === b : isEqual(a, b);
    let memo: { readonly snapshot: Snapshot<T> | undefined; readonly selection: S | undefined } | undefined;
    return (): S | undefined => {
      const snapshot = store.read();
      if (memo !== undefined && Object.is(memo.snapshot, snapshot)) return memo.selection;
      const next = snapshot === undefined ? undefined : selector(snapshot);
      const previous = memo ?? committed.current;
      const selection = previous !== null && same(previous.selection, next) ? previous.selection : next;
      memo = { snapshot, selection };
      return selection;
    };
  }, [store, selector, isEqual]);

  const selection = useSyncExternalStore(store.subscribe, getSelection, getSelection);
  useEffect(() => {
    committed.current = { selection };
  }, [selection]);
  return selection;
}
