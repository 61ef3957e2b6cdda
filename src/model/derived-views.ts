/**
 * The shapes the derived-view operators (groupObjects, groupCount, joinWith, join, selectorJoin) share:
 * what a key function returns, and one row of a join.
 *
 * @packageDocumentation
 */

/**
 * What a group or join key function returns: one key, several (the object is in each group, or
 * matches on any of them), or `undefined`/`null`/`[]` for none.
 *
 * One type for {@link groupObjects}, {@link groupCount} and {@link joinWith}: `GroupKey` and
 * `JoinKey` are deprecated names of it.
 *
 * @example
 * ```ts
 * import type { KeyResult, KubeObject } from 'rxkube';
 * const byTeam = (o: KubeObject): KeyResult => o.metadata?.labels?.['team'];
 * const ownerUids = (o: KubeObject): KeyResult => o.metadata?.ownerReferences?.map((ref) => ref.uid);
 * ```
 */
export type KeyResult = string | readonly string[] | undefined | null;

/**
 * A row of a join: one left object and the right objects it matches, keyed in the output by the
 * left object's store key.
 *
 * @example
 * ```ts
 * import type { Joined, KubeObject } from 'rxkube';
 * const nodeOf = (row: Joined<KubeObject, KubeObject>) => row.right[0]?.metadata?.name ?? '(none)';
 * ```
 */
export interface Joined<L, R> {
  /** The left object. */
  readonly left: L;
  /** The matching right objects, in no particular order; empty in a `left` join without match. */
  readonly right: readonly R[];
  /** The store keys of `right`, in the same order. */
  readonly rightKeys: readonly string[];
}
