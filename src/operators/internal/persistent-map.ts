/**
 * Internal, not API: the persistent map behind every derived view.
 *
 * Derived views (filterObjects, mapObjects, groupCount, groupBy, joinWith, mergeSources) emit
 * immutable maps whose cost per batch must be O(change), never O(collection). This file is the
 * one place that knows which persistent map implementation backs them.
 *
 * @internal
 * @packageDocumentation
 */
import { HamtMap, type TransientHamt } from '../../store/hamt.ts';

/** A read-only, immutable map from string keys: the store's HAMT. @internal */
export type PersistentMap<V> = HamtMap<V>;

/** A batch of edits to a {@link PersistentMap}; `commit` seals it. @internal */
export interface MapEditor<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): void;
  delete(key: string): void;
  /** The edited map; the editor must not be used afterwards. Returns `base` when nothing changed. */
  commit(): PersistentMap<V>;
}

const EMPTY: HamtMap<never> = HamtMap.empty<never>();

/** The empty map (shared). @internal */
export function emptyMap<V>(): PersistentMap<V> {
  return EMPTY;
}

/** Starts a batch of edits on `base`, in place on a transient trie: O(log₃₂ n) per edit. @internal */
export function editMap<V>(base: PersistentMap<V>): MapEditor<V> {
  const root = base;
  let draft: TransientHamt<V> | undefined;
  const read = (): PersistentMap<V> | TransientHamt<V> => draft ?? root;
  return {
    get: (key) => read().get(key),
    has: (key) => read().has(key),
    set: (key, value) => {
      const current = read();
      if (current.get(key) === value && current.has(key)) return;
      (draft ??= root.asTransient()).set(key, value);
    },
    delete: (key) => {
      if (read().has(key)) (draft ??= root.asTransient()).delete(key);
    },
    commit: () => (draft ? draft.persistent() : root),
  };
}
