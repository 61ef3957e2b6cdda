import type { KubeObject } from '../index.ts';
import type { ResourceDef } from './resource-def.ts';

/** One committed change, as kept in a resource's bounded history. */
export interface StoredEvent {
  /** What happened to the key. */
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The revision of the change. */
  readonly rv: number;
  /** The store key. */
  readonly key: string;
  /** The new state; for `DELETED`, the last state with `rv` as its resourceVersion. */
  readonly object: KubeObject;
  /** The state before the change (absent for `ADDED`). */
  readonly previous: KubeObject | undefined;
}

/** A listener of committed changes. */
export type StoreListener = (event: StoredEvent) => void;

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The objects of one resource, plus its bounded event history: everything after
 * `compactedRevision` is retained, so the state at any revision ≥ `compactedRevision` can be
 * rebuilt and a watch from it replayed.
 */
export class ResourceStore {
  /** The resource this store holds. */
  readonly def: ResourceDef;
  #objects = new Map<string, KubeObject>();
  #sortedKeys: string[] | undefined = [];
  #history: StoredEvent[] = [];
  #compacted: number;
  #capacity: number;
  #listeners = new Set<StoreListener>();
  #observed: number;

  /**
   * @param def - the resource.
   * @param capacity - how many events the history keeps.
   * @param compacted - the revision the history starts after.
   */
  constructor(def: ResourceDef, capacity: number, compacted: number) {
    this.def = def;
    this.#capacity = Math.max(0, capacity);
    this.#compacted = compacted;
    this.#observed = compacted;
  }

  /**
   * The newest revision this resource is known to be current at: its last change, or a later
   * revision a consistent read confirmed (the watch cache's resourceVersion). Bookmarks carry it.
   */
  get observedRevision(): number {
    return this.#observed;
  }

  /** Records that the resource is known to be current at `rv` (a consistent read happened). */
  observe(rv: number): void {
    if (rv > this.#observed) this.#observed = rv;
  }

  /** Events with a revision greater than this are all retained. */
  get compactedRevision(): number {
    return this.#compacted;
  }

  /** Number of objects. */
  get size(): number {
    return this.#objects.size;
  }

  /** Number of retained events. */
  get historyLength(): number {
    return this.#history.length;
  }

  /** The current object under `key`. */
  get(key: string): KubeObject | undefined {
    return this.#objects.get(key);
  }

  /** Current keys in etcd (byte) order. */
  sortedKeys(): readonly string[] {
    if (this.#sortedKeys === undefined) this.#sortedKeys = [...this.#objects.keys()].sort(compareKeys);
    return this.#sortedKeys;
  }

  /** Commits one change, records it and tells the listeners. */
  commit(event: StoredEvent): void {
    if (event.type === 'DELETED') {
      this.#objects.delete(event.key);
      this.#sortedKeys = undefined;
    } else {
      if (!this.#objects.has(event.key)) this.#sortedKeys = undefined;
      this.#objects.set(event.key, event.object);
    }
    this.#history.push(event);
    this.observe(event.rv);
    if (this.#history.length > this.#capacity) {
      const dropped = this.#history.splice(0, this.#history.length - this.#capacity);
      this.#compacted = Math.max(this.#compacted, dropped[dropped.length - 1]!.rv);
    }
    for (const l of [...this.#listeners]) l(event);
  }

  /** Events after `rv`, or `undefined` when some of them were compacted away. */
  eventsAfter(rv: number): readonly StoredEvent[] | undefined {
    if (rv < this.#compacted) return undefined;
    let lo = 0;
    let hi = this.#history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.#history.slice(lo);
  }

  /**
   * The sorted keys and objects as they were at `rv`, or `undefined` when that revision was
   * compacted. For the current revision this is the live state.
   */
  stateAt(rv: number): { keys: readonly string[]; get: (key: string) => KubeObject | undefined } | undefined {
    const after = this.eventsAfter(rv);
    if (after === undefined) return undefined;
    if (after.length === 0) return { keys: this.sortedKeys(), get: (k) => this.#objects.get(k) };
    const past = new Map(this.#objects);
    for (let i = after.length - 1; i >= 0; i--) {
      const e = after[i]!;
      if (e.previous === undefined) past.delete(e.key);
      else past.set(e.key, e.previous);
    }
    const keys = [...past.keys()].sort(compareKeys);
    return { keys, get: (k) => past.get(k) };
  }

  /** Drops history up to `rv` (inclusive); watches and tokens from before it get 410. */
  compact(rv: number): void {
    if (rv <= this.#compacted) return;
    this.#compacted = rv;
    let n = 0;
    while (n < this.#history.length && this.#history[n]!.rv <= rv) n++;
    this.#history.splice(0, n);
  }

  /** Registers a listener of committed changes; returns its removal. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
