/**
 * Internal, not API: the persistent map behind every derived view.
 *
 * Derived views (filterObjects, mapObjects, groupCount, groupObjects, joinWith, mergeSources) emit
 * immutable maps whose cost per batch must be O(change), never O(collection). This file is the
 * one place that knows which persistent map implementation backs them.
 *
 * @internal
 * @packageDocumentation
 */
import { HamtMap, type TransientHamt } from './hamt.ts';

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

// The first few edits of a batch copy paths persistently; a batch that goes on switches to a
// transient, which copies each node once. Most batches are one watch event: one or two edits.
const PERSISTENT_EDITS = 4;

/**
 * A batch of edits that also takes precomputed hashes ({@link HamtMap.hashOf}), for callers that
 * touch one key several times. @internal
 */
export class HamtEditor<V> implements MapEditor<V> {
  private map: PersistentMap<V>;
  private draft: TransientHamt<V> | undefined = undefined;
  private edits = 0;

  constructor(base: PersistentMap<V>) {
    this.map = base;
  }

  hashOf(key: string): number {
    return this.map.hashOf(key);
  }

  get(key: string): V | undefined {
    return this.getHashed(this.map.hashOf(key), key);
  }

  getHashed(hash: number, key: string): V | undefined {
    return this.draft === undefined ? this.map.getHashed(hash, key) : this.draft.getHashed(hash, key);
  }

  has(key: string): boolean {
    const hash = this.map.hashOf(key);
    return this.draft === undefined ? this.map.hasHashed(hash, key) : this.draft.hasHashed(hash, key);
  }

  set(key: string, value: V): void {
    this.setHashed(this.map.hashOf(key), key, value);
  }

  setHashed(hash: number, key: string, value: V): void {
    if (this.draft !== undefined) this.draft.setHashed(hash, key, value);
    else if (++this.edits <= PERSISTENT_EDITS) this.map = this.map.setHashed(hash, key, value);
    else (this.draft = this.map.asTransient()).setHashed(hash, key, value);
  }

  delete(key: string): void {
    this.deleteHashed(this.map.hashOf(key), key);
  }

  deleteHashed(hash: number, key: string): void {
    if (this.draft !== undefined) this.draft.deleteHashed(hash, key);
    else if (++this.edits <= PERSISTENT_EDITS) this.map = this.map.deleteHashed(hash, key);
    else (this.draft = this.map.asTransient()).deleteHashed(hash, key);
  }

  commit(): PersistentMap<V> {
    return this.draft !== undefined && this.draft.changed ? this.draft.persistent() : this.map;
  }
}

/**
 * Starts a batch of edits on `base`: O(log₃₂ n) per edit, each node copied at most once after the
 * first few edits. @internal
 */
export function editMap<V>(base: PersistentMap<V>): HamtEditor<V> {
  return new HamtEditor<V>(base);
}
