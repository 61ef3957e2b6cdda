/**
 * A persistent hash array mapped trie keyed by string: the store behind every snapshot.
 *
 * `set` and `delete` return a new map that shares all untouched nodes with the old one, so an
 * update costs O(log₃₂ n) and taking a snapshot costs nothing. A transient builds or edits a map in
 * place (for a relist of 100,000 objects) and is frozen with {@link TransientHamt.persistent}.
 *
 * Layout: a branch node holds a 32-bit bitmap and a packed array of `[key, value]` pairs; a pair
 * whose key slot is `undefined` holds a child node in its value slot. Keys with equal 32-bit
 * hashes live in a collision node.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * A 32-bit string hash: FNV-1a over UTF-16 code units followed by murmur3's finaliser, because
 * the trie consumes the low bits first and FNV alone mixes them poorly for short keys.
 *
 * @internal
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash function for the trie; tests inject a bad one to force collisions. @internal */
export type HashFn = (key: string) => number;

type Owner = object | null;
type Node<V> = Branch<V> | Collision<V>;

const SHIFT = 5;
const MASK = 31;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

// One mutable flag shared by all operations: set/delete report whether the size changed. The trie
// never calls user code, so nothing can re-enter while it is in use.
const changed = { size: false };

class Branch<V> {
  bitmap: number;
  arr: unknown[];
  owner: Owner;

  constructor(owner: Owner, bitmap: number, arr: unknown[]) {
    this.owner = owner;
    this.bitmap = bitmap;
    this.arr = arr;
  }

  private editable(owner: Owner): Branch<V> {
    return owner !== null && this.owner === owner ? this : new Branch<V>(owner, this.bitmap, this.arr.slice());
  }

  set(owner: Owner, shift: number, hash: number, key: string, value: V, hashFn: HashFn): Branch<V> {
    const bit = 1 << ((hash >>> shift) & MASK);
    const i = 2 * popcount(this.bitmap & (bit - 1));
    if ((this.bitmap & bit) === 0) {
      changed.size = true;
      if (owner !== null && this.owner === owner) {
        this.arr.splice(i, 0, key, value);
        this.bitmap |= bit;
        return this;
      }
      return new Branch<V>(owner, this.bitmap | bit, insertPair(this.arr, i, key, value));
    }
    const k = this.arr[i] as string | undefined;
    const v = this.arr[i + 1];
    if (k === undefined) {
      const child = v as Node<V>;
      const next = child.set(owner, shift + SHIFT, hash, key, value, hashFn);
      if (next === child) return this;
      const node = this.editable(owner);
      node.arr[i + 1] = next;
      return node;
    }
    if (k === key) {
      if (v === value) return this;
      const node = this.editable(owner);
      node.arr[i + 1] = value;
      return node;
    }
    changed.size = true;
    const child = pair<V>(owner, shift + SHIFT, hashFn(k), k, v as V, hash, key, value);
    const node = this.editable(owner);
    node.arr[i] = undefined;
    node.arr[i + 1] = child;
    return node;
  }

  /** Returns the node without `key`, or `undefined` when it became empty. */
  delete(owner: Owner, shift: number, hash: number, key: string): Node<V> | undefined {
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((this.bitmap & bit) === 0) return this;
    const i = 2 * popcount(this.bitmap & (bit - 1));
    const k = this.arr[i] as string | undefined;
    if (k === undefined) {
      const child = this.arr[i + 1] as Node<V>;
      const next = child.delete(owner, shift + SHIFT, hash, key);
      if (next === child) return this;
      if (next === undefined) return this.without(owner, bit, i);
      // Pull a lone leaf up so the trie stays as shallow as its contents need.
      const leaf = loneLeaf(next);
      const node = this.editable(owner);
      if (leaf !== undefined) {
        node.arr[i] = leaf[0];
        node.arr[i + 1] = leaf[1];
      } else {
        node.arr[i + 1] = next;
      }
      return node;
    }
    if (k !== key) return this;
    changed.size = true;
    return this.without(owner, bit, i);
  }

  private without(owner: Owner, bit: number, i: number): Branch<V> | undefined {
    if (this.bitmap === bit) return undefined;
    if (owner !== null && this.owner === owner) {
      this.arr.splice(i, 2);
      this.bitmap ^= bit;
      return this;
    }
    return new Branch<V>(owner, this.bitmap ^ bit, removePair(this.arr, i));
  }
}

class Collision<V> {
  readonly hash: number;
  arr: unknown[];
  owner: Owner;

  constructor(owner: Owner, hash: number, arr: unknown[]) {
    this.owner = owner;
    this.hash = hash;
    this.arr = arr;
  }

  private editable(owner: Owner): Collision<V> {
    return owner !== null && this.owner === owner ? this : new Collision<V>(owner, this.hash, this.arr.slice());
  }

  set(owner: Owner, shift: number, hash: number, key: string, value: V, hashFn: HashFn): Node<V> {
    if (hash !== this.hash) {
      // A different hash below a collision: split into a branch holding the collision as a child.
      const branch = new Branch<V>(owner, 1 << ((this.hash >>> shift) & MASK), [undefined, this]);
      return branch.set(owner, shift, hash, key, value, hashFn);
    }
    const arr = this.arr;
    for (let i = 0; i < arr.length; i += 2) {
      if (arr[i] === key) {
        if (arr[i + 1] === value) return this;
        const node = this.editable(owner);
        node.arr[i + 1] = value;
        return node;
      }
    }
    changed.size = true;
    const node = this.editable(owner);
    node.arr.push(key, value);
    return node;
  }

  delete(owner: Owner, _shift: number, hash: number, key: string): Node<V> | undefined {
    if (hash !== this.hash) return this;
    const arr = this.arr;
    for (let i = 0; i < arr.length; i += 2) {
      if (arr[i] === key) {
        changed.size = true;
        if (arr.length === 2) return undefined;
        const node = this.editable(owner);
        node.arr.splice(i, 2);
        return node;
      }
    }
    return this;
  }
}

function insertPair(arr: readonly unknown[], i: number, key: string, value: unknown): unknown[] {
  const out = new Array<unknown>(arr.length + 2);
  for (let j = 0; j < i; j++) out[j] = arr[j];
  out[i] = key;
  out[i + 1] = value;
  for (let j = i; j < arr.length; j++) out[j + 2] = arr[j];
  return out;
}

function removePair(arr: readonly unknown[], i: number): unknown[] {
  const out = new Array<unknown>(arr.length - 2);
  for (let j = 0; j < i; j++) out[j] = arr[j];
  for (let j = i + 2; j < arr.length; j++) out[j - 2] = arr[j];
  return out;
}

function loneLeaf<V>(node: Node<V>): [string, V] | undefined {
  if (node.arr.length === 2 && node.arr[0] !== undefined) return [node.arr[0] as string, node.arr[1] as V];
  return undefined;
}

function pair<V>(owner: Owner, shift: number, h1: number, k1: string, v1: V, h2: number, k2: string, v2: V): Node<V> {
  if (h1 === h2) return new Collision<V>(owner, h1, [k1, v1, k2, v2]);
  const b1 = (h1 >>> shift) & MASK;
  const b2 = (h2 >>> shift) & MASK;
  if (b1 === b2) return new Branch<V>(owner, 1 << b1, [undefined, pair(owner, shift + SHIFT, h1, k1, v1, h2, k2, v2)]);
  return b1 < b2
    ? new Branch<V>(owner, (1 << b1) | (1 << b2), [k1, v1, k2, v2])
    : new Branch<V>(owner, (1 << b1) | (1 << b2), [k2, v2, k1, v1]);
}

function lookup<V>(root: Node<V>, hash: number, key: string): V | undefined {
  let node: Node<V> = root;
  let shift = 0;
  for (;;) {
    if (node instanceof Branch) {
      const bit = 1 << ((hash >>> shift) & MASK);
      if ((node.bitmap & bit) === 0) return undefined;
      const i = 2 * popcount(node.bitmap & (bit - 1));
      const k = node.arr[i];
      if (k === undefined) {
        node = node.arr[i + 1] as Node<V>;
        shift += SHIFT;
        continue;
      }
      return k === key ? (node.arr[i + 1] as V) : undefined;
    }
    if (node.hash !== hash) return undefined;
    const arr = node.arr;
    for (let i = 0; i < arr.length; i += 2) if (arr[i] === key) return arr[i + 1] as V;
    return undefined;
  }
}

function contains<V>(root: Node<V>, hash: number, key: string): boolean {
  let node: Node<V> = root;
  let shift = 0;
  for (;;) {
    if (node instanceof Branch) {
      const bit = 1 << ((hash >>> shift) & MASK);
      if ((node.bitmap & bit) === 0) return false;
      const i = 2 * popcount(node.bitmap & (bit - 1));
      const k = node.arr[i];
      if (k === undefined) {
        node = node.arr[i + 1] as Node<V>;
        shift += SHIFT;
        continue;
      }
      return k === key;
    }
    if (node.hash !== hash) return false;
    const arr = node.arr;
    for (let i = 0; i < arr.length; i += 2) if (arr[i] === key) return true;
    return false;
  }
}

function each<V>(node: Node<V>, fn: (value: V, key: string) => void): void {
  const arr = node.arr;
  for (let i = 0; i < arr.length; i += 2) {
    const k = arr[i] as string | undefined;
    if (k === undefined) each(arr[i + 1] as Node<V>, fn);
    else fn(arr[i + 1] as V, k);
  }
}

const KEYS = 0;
const VALUES = 1;
const ENTRIES = 2;

/** A depth-first iterator over the trie with an explicit stack (generators are slower). */
class HamtIterator<V, R> implements IterableIterator<R> {
  private readonly nodes: unknown[][] = [];
  private readonly positions: number[] = [];
  private readonly mode: number;

  constructor(root: Node<V>, mode: number) {
    this.mode = mode;
    this.nodes.push(root.arr);
    this.positions.push(0);
  }

  next(): IteratorResult<R> {
    const nodes = this.nodes;
    const positions = this.positions;
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const arr = nodes[top]!;
      const i = positions[top]!;
      if (i >= arr.length) {
        nodes.pop();
        positions.pop();
        continue;
      }
      positions[top] = i + 2;
      const k = arr[i] as string | undefined;
      if (k === undefined) {
        nodes.push((arr[i + 1] as Node<V>).arr);
        positions.push(0);
        continue;
      }
      const value = this.mode === KEYS ? k : this.mode === VALUES ? arr[i + 1] : [k, arr[i + 1]];
      return { done: false, value: value as R };
    }
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * An immutable string-keyed map with structural sharing. Every "modifying" method returns a new
 * map (or `this` when nothing changed) and leaves the receiver untouched.
 *
 * @internal
 */
export class HamtMap<V> implements Iterable<[string, V]> {
  /** Number of entries. */
  readonly size: number;
  /** @internal */
  readonly root: Branch<V>;
  /** @internal */
  readonly hashFn: HashFn;

  private constructor(root: Branch<V>, size: number, hashFn: HashFn) {
    this.root = root;
    this.size = size;
    this.hashFn = hashFn;
  }

  /** An empty map; `hashFn` exists for tests that need collisions. */
  static empty<V>(hashFn: HashFn = hashString): HamtMap<V> {
    return new HamtMap<V>(new Branch<V>(null, 0, []), 0, hashFn);
  }

  /** @internal */
  static fromRoot<V>(root: Branch<V>, size: number, hashFn: HashFn): HamtMap<V> {
    return new HamtMap<V>(root, size, hashFn);
  }

  /** The value under `key`, if any. */
  get(key: string): V | undefined {
    return lookup(this.root, this.hashFn(key), key);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return contains(this.root, this.hashFn(key), key);
  }

  /** A map with `key` set to `value`; `this` if it already was (identity). */
  set(key: string, value: V): HamtMap<V> {
    changed.size = false;
    const root = this.root.set(null, 0, this.hashFn(key), key, value, this.hashFn) as Branch<V>;
    if (root === this.root) return this;
    return new HamtMap<V>(root, changed.size ? this.size + 1 : this.size, this.hashFn);
  }

  /** A map without `key`; `this` if it was absent. */
  delete(key: string): HamtMap<V> {
    changed.size = false;
    const root = this.root.delete(null, 0, this.hashFn(key), key);
    if (root === this.root) return this;
    return new HamtMap<V>((root as Branch<V> | undefined) ?? new Branch<V>(null, 0, []), this.size - 1, this.hashFn);
  }

  /** Calls `fn` for every entry, faster than iterating. */
  forEach(fn: (value: V, key: string) => void): void {
    each(this.root, fn);
  }

  /** All keys, in trie order. */
  keys(): IterableIterator<string> {
    return new HamtIterator<V, string>(this.root, KEYS);
  }

  /** All values, in the order of {@link HamtMap.keys}. */
  values(): IterableIterator<V> {
    return new HamtIterator<V, V>(this.root, VALUES);
  }

  /** All `[key, value]` pairs. */
  entries(): IterableIterator<[string, V]> {
    return new HamtIterator<V, [string, V]>(this.root, ENTRIES);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** A transient copy to edit in place; this map stays unchanged. */
  asTransient(): TransientHamt<V> {
    return new TransientHamt<V>(this.root, this.size, this.hashFn);
  }
}

/**
 * A map being built: `set` and `delete` edit nodes this transient created in place, and copy shared
 * nodes once. Call {@link TransientHamt.persistent} to freeze it; the transient is unusable after.
 *
 * @internal
 */
export class TransientHamt<V> {
  private root: Branch<V>;
  private owner: Owner = {};
  private count: number;
  private readonly hashFn: HashFn;

  /** @internal */
  constructor(root: Branch<V>, size: number, hashFn: HashFn) {
    this.root = root;
    this.count = size;
    this.hashFn = hashFn;
  }

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** The value under `key`, if any. */
  get(key: string): V | undefined {
    return lookup(this.root, this.hashFn(key), key);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return contains(this.root, this.hashFn(key), key);
  }

  /** Sets `key`; returns true when the key was new. */
  set(key: string, value: V): boolean {
    const owner = this.checkOwner();
    changed.size = false;
    this.root = this.root.set(owner, 0, this.hashFn(key), key, value, this.hashFn) as Branch<V>;
    if (changed.size) this.count++;
    return changed.size;
  }

  /** Removes `key`; returns true when it was present. */
  delete(key: string): boolean {
    const owner = this.checkOwner();
    changed.size = false;
    const root = this.root.delete(owner, 0, this.hashFn(key), key);
    this.root = (root as Branch<V> | undefined) ?? new Branch<V>(owner, 0, []);
    if (changed.size) this.count--;
    return changed.size;
  }

  /** Freezes the transient into a persistent map in O(1). */
  persistent(): HamtMap<V> {
    this.checkOwner();
    this.owner = null;
    return HamtMap.fromRoot(this.root, this.count, this.hashFn);
  }

  private checkOwner(): object {
    if (this.owner === null) throw new Error('TransientHamt used after persistent()');
    return this.owner;
  }
}
