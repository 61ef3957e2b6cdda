import type { KubeObject } from './kube-object.ts';

/**
 * The kind of change a {@link Delta} reports:
 * - `added`: the key was absent and is now present;
 * - `updated`: the key was present and its object changed (`previous` holds the old one);
 * - `deleted`: the key is gone (`finalStateUnknown` when inferred from a relist, not seen);
 * - `synced`: nothing changed; a periodic resync replays the object (see {@link resync}).
 */
export type DeltaType = 'added' | 'updated' | 'deleted' | 'synced';

/**
 * One change to one key.
 *
 * @example
 * ```ts
 * import type { Delta, KubeObject } from 'rxkube';
 * const d: Delta<KubeObject> = { type: 'added', key: 'default/web-0', object: { metadata: { name: 'web-0' } } };
 * ```
 */
export interface Delta<T = KubeObject> {
  /** What happened. */
  readonly type: DeltaType;
  /** The store key (`namespace/name`, or `name` for cluster-scoped objects). */
  readonly key: string;
  /** The new object; for `deleted`, the last known state. */
  readonly object: T;
  /** On `updated`: the version it replaced. */
  readonly previous?: T;
  /** On `deleted` inferred from a relist: the delete itself was not observed, `object` may be stale. */
  readonly finalStateUnknown?: true;
}

/**
 * An immutable view of the store at one resourceVersion. Never changes after it is emitted; taking
 * one costs O(1). Reads are O(log₃₂ n).
 *
 * `I` is the union of the index names it answers: {@link informer}'s `indexes` option and
 * {@link withIndex} after {@link reflect} narrow it, so that a misspelt name does not compile;
 * `string` (the default) accepts any name and leaves the check to run time
 * (`UnknownIndexError`).
 *
 * @typeParam T - the object type.
 * @typeParam I - the index names.
 *
 * @example
 * ```ts
 * import type { Snapshot, KubeObject } from 'rxkube';
 * function names(s: Snapshot<KubeObject>): string[] {
 *   return [...s.values()].map((o) => o.metadata?.name ?? '');
 * }
 * ```
 */
export interface Snapshot<T = KubeObject, I extends string = string> {
  /** The resourceVersion of the latest change, list or bookmark applied. */
  readonly resourceVersion: string;
  /** Number of objects. */
  readonly size: number;
  /** The object under `key`, if any. */
  get(key: string): T | undefined;
  /** Whether `key` is present. */
  has(key: string): boolean;
  /** All keys, in no particular order. */
  keys(): IterableIterator<string>;
  /** All objects, in the order of {@link Snapshot.keys}. */
  values(): IterableIterator<T>;
  /** All `[key, object]` pairs. */
  entries(): IterableIterator<[string, T]>;
  /**
   * Objects whose index function for `index` returned `value`, in O(result).
   * Throws `UnknownIndexError` for an index that no {@link withIndex} maintains.
   */
  byIndex(index: I, value: string): readonly T[];
  /** Keys of the objects for `value` in `index`, in O(result). */
  indexKeys(index: I, value: string): readonly string[];
  /** The index values currently present in `index`. */
  indexValues(index: I): readonly string[];
}

/**
 * What {@link reflect} emits: the store after a batch of changes, and the changes.
 *
 * Invariant: applying `deltas` in order to the previous snapshot gives `snapshot`.
 *
 * @typeParam T - the object type.
 * @typeParam I - the index names its snapshot answers (see {@link Snapshot}).
 *
 * @example
 * ```ts
 * import type { Reflection, KubeObject } from 'rxkube';
 * function log(r: Reflection<KubeObject>) {
 *   for (const d of r.deltas) console.log(d.type, d.key, 'now', r.snapshot.size);
 * }
 * ```
 */
export interface Reflection<T = KubeObject, I extends string = string> {
  /** The state after `deltas`. */
  readonly snapshot: Snapshot<T, I>;
  /** The changes, in order. Empty only for the first sync of an empty collection. */
  readonly deltas: readonly Delta<T>[];
}
