import type { Observable, OperatorFunction } from 'rxjs';
import type { Reflection } from '../model/reflection.ts';
import type { Joined, KeyResult } from '../model/derived-views.ts';
import { joinReflections } from './internal/join-engine.ts';

export type { Joined } from '../model/derived-views.ts';

/**
 * What a join key function returns.
 *
 * @deprecated Use {@link KeyResult}, the one name of what group and join key functions return;
 * `JoinKey` goes in the next release.
 *
 * @example
 * ```ts
 * import type { KeyResult } from 'rxkube';
 * const ownerUids = (pod: { metadata?: { ownerReferences?: { uid: string }[] } }): KeyResult =>
 *   pod.metadata?.ownerReferences?.map((ref) => ref.uid);
 * ```
 */
export type JoinKey = KeyResult;

/** Options of {@link joinWith} and {@link join}. */
export interface JoinOptions<L, R> {
  /** The join key(s) of a left object; receives the object and its store key. */
  leftKey: (left: L, key: string) => KeyResult;
  /** The join key(s) of a right object; receives the object and its store key. */
  rightKey: (right: R, key: string) => KeyResult;
  /**
   * An extra condition on a pair that shares a key (for example a full selector match after
   * joining on one label). @defaultValue undefined (sharing a key is enough)
   */
  where?: (left: L, right: R) => boolean;
  /**
   * `left`: every left object has a row, with `right: []` when nothing matches; `inner`: only left
   * objects with at least one match have a row (losing the last match is a `deleted` row).
   * @defaultValue 'left'
   */
  mode?: 'left' | 'inner';
}

/**
 * Joins a collection (the source, "left") with another (`right$`) on key functions: for each left
 * object, the right objects that share a join key. The output is a collection of {@link Joined}
 * rows keyed by the left store key, with its own snapshots and deltas.
 *
 * Typical joins:
 * - pods ⋈ nodes: `leftKey: pod => pod.spec?.nodeName`, `rightKey: node => node.metadata?.name`;
 * - pods ⋈ owners: `leftKey: pod => pod.metadata?.ownerReferences?.map(r => r.uid)`,
 *   `rightKey: rs => rs.metadata?.uid`;
 * - pods ⋈ selecting Services or NetworkPolicies: {@link selectorJoin}.
 *
 * Cost (both sides kept in memory once, with an inverted index per side): a left change costs
 * O(right candidates sharing its keys), i.e. O(matches) without `where`; a right change costs
 * O(left candidates) plus rebuilding each affected row, O(matches of that row) — updating one node
 * costs O(pods on that node). No batch ever scans either collection.
 *
 * Emission contract: nothing until both sides have emitted once; then one Reflection holding
 * every row as `added` (the joined state), then one Reflection per input Reflection of either side
 * that changed a row. A left `synced` delta gives a `synced` row; right resyncs give none. A row is
 * `updated` when its left object or any of its right objects changed. Errors when either side
 * errors or a key function or `where` throws; completes when both sides have completed (or one
 * completed without emitting); unsubscribing unsubscribes both.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { joinWith, type KubeObject, type Reflection } from 'rxkube';
 * interface Pod extends KubeObject { spec?: { nodeName?: string } }
 * interface Node extends KubeObject { spec?: { unschedulable?: boolean } }
 * declare const pods$: Observable<Reflection<Pod>>;
 * declare const nodes$: Observable<Reflection<Node>>;
 * const podsWithNode$ = pods$.pipe(
 *   joinWith(nodes$, { leftKey: (pod) => pod.spec?.nodeName, rightKey: (node) => node.metadata?.name }),
 * );
 * podsWithNode$.subscribe(({ deltas }) => {
 *   for (const { key, object } of deltas) console.log(key, object.right[0]?.spec?.unschedulable ?? false);
 * });
 * ```
 * @param right$ - the right collection's reflections (subscribed once per subscription).
 * @param options - key functions, extra condition and join mode.
 * @returns an operator from left reflections to reflections of joined rows.
 * @see {@link join}
 * @see {@link selectorJoin}
 */
export function joinWith<L, R>(right$: Observable<Reflection<R>>, options: JoinOptions<L, R>): OperatorFunction<Reflection<L>, Reflection<Joined<L, R>>> {
  const spec = { leftKey: options.leftKey, rightKey: options.rightKey, where: options.where, inner: options.mode === 'inner' };
  return (left$) => joinReflections(left$, right$, spec);
}
