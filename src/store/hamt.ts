/**
 * A persistent hash array mapped trie keyed by string: the store behind every snapshot.
 *
 * `set` and `delete` return a new map that shares all untouched nodes with the old one, so an
 * update costs O(log₃₂ n) and taking a snapshot costs nothing. A transient builds or edits a map in
 * place (for a relist of 100,000 objects) and is frozen with {@link TransientHamt.persistent}.
 *
 * Layout (CHAMP, Steindorfer & Vinju 2015): a node is one flat array — a bitmap of the entries it
 * holds inline, a bitmap of its child nodes, the owner of a transient edit, then the entries as
 * `key, value` pairs, then the children, one slot each. Being one array rather than an object
 * pointing at one saves a dependent load per level and ≈60 bytes per copied node; keeping entries
 * and children apart halves the slots an update copies compared with `[key, value]` pairs whose
 * key is a marker for a child. Every 32-bit hash is consumed after seven levels; keys whose hashes
 * are equal share a collision node there (same array, both bitmaps zero, pairs only).
 *
 * The trie is canonical: a node other than the root holds at least two keys below it, so removing
 * a key pulls a lone remaining entry back up, and the shape depends only on the contents.
 *
 * Callers that touch one key several times per event compute {@link HamtMap.hashOf} once and pass
 * it to the `…Hashed` methods.
 *
 * @internal
 * @packageDocumentation
 */

// The last key hashed and its hash. One event's key passes through several maps (the store, then
// each derived view) as the same string, so most calls after the first are answered here.
let lastKey = '';
let lastHash = hashUncached('');

/**
 * A 32-bit string hash: FNV-1a over UTF-16 code units followed by murmur3's finaliser, because
 * the trie consumes the low bits first and FNV alone mixes them poorly for short keys.
 *
 * @internal
 */
export function hashString(s: string): number {
  if (s === lastKey) return lastHash;
  lastHash = hashUncached(s);
  lastKey = s;
  return lastHash;
}

function hashUncached(s: string): number {
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

/**
 * `[datamap, nodemap, owner, k₀, v₀, …, kₙ, vₙ, child₀, …, childₘ]`; a collision node has both
 * bitmaps 0 and pairs only. Typed loosely: only this file reads it. @internal
 */
export type HamtNode = unknown[];

const DATAMAP = 0;
const NODEMAP = 1;
const OWNER = 2;
const HEADER = 3;

const SHIFT = 5;
const MASK = 31;
/** The last shift that still consumes hash bits (bits 30–31); deeper nodes are collision nodes. */
const LAST_SHIFT = 30;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Where {@link HamtMap.getEntryHashed} writes the key string of the entry it found. @internal */
export interface FoundKey {
  key: string | undefined;
}

/**
 * What a {@link TransientHamt} edit returns when there was no entry to replace or remove: a unique
 * value, so that maps may hold `undefined`. Returning the old value or this sentinel, rather than
 * a pair, keeps an edit free of allocation.
 *
 * @example
 * ```ts
 * import { ABSENT, HamtMap } from './hamt.ts'; // internal, not API
 * const draft = HamtMap.empty<number>().asTransient();
 * draft.set('a', 1) === ABSENT; // true: 'a' was new
 * draft.set('a', 2); // 1, the value it replaced
 * draft.delete('b'); // ABSENT
 * ```
 *
 * @internal
 */
export const ABSENT: unique symbol = Symbol('absent');
/** The type of {@link ABSENT}. @internal */
export type Absent = typeof ABSENT;

// The recursion's own report, private to this file: whether the size changed, and the value of the
// entry replaced or removed. The trie never calls user code, so nothing re-enters while it is in
// use; the public methods turn it into their return value before returning.
const result: { changed: boolean; previous: unknown } = { changed: false, previous: undefined };

function resetResult(): void {
  result.changed = false;
  result.previous = undefined;
}

function newNode(datamap: number, nodemap: number, owner: Owner, length: number): HamtNode {
  const node = new Array<unknown>(length);
  node[DATAMAP] = datamap;
  node[NODEMAP] = nodemap;
  node[OWNER] = owner;
  return node;
}

function emptyNode(owner: Owner): HamtNode {
  return [0, 0, owner];
}

function editable(node: HamtNode, owner: Owner): HamtNode {
  if (owner !== null && node[OWNER] === owner) return node;
  const copy = node.slice();
  copy[OWNER] = owner;
  return copy;
}

/** A node of two keys at `shift` (their hashes differ at or below it, or are equal). */
function pairNode(owner: Owner, shift: number, h1: number, k1: string, v1: unknown, h2: number, k2: string, v2: unknown): HamtNode {
  if (shift > LAST_SHIFT) return [0, 0, owner, k1, v1, k2, v2];
  const b1 = (h1 >>> shift) & MASK;
  const b2 = (h2 >>> shift) & MASK;
  if (b1 === b2) return [0, 1 << b1, owner, pairNode(owner, shift + SHIFT, h1, k1, v1, h2, k2, v2)];
  const datamap = (1 << b1) | (1 << b2);
  return b1 < b2 ? [datamap, 0, owner, k1, v1, k2, v2] : [datamap, 0, owner, k2, v2, k1, v1];
}

function lookup<V>(root: HamtNode, hash: number, key: string): V | undefined {
  let node = root;
  for (let shift = 0; shift <= LAST_SHIFT; shift += SHIFT) {
    const bit = 1 << ((hash >>> shift) & MASK);
    const datamap = node[DATAMAP] as number;
    if ((datamap & bit) !== 0) {
      const i = HEADER + 2 * popcount(datamap & (bit - 1));
      return node[i] === key ? (node[i + 1] as V) : undefined;
    }
    const nodemap = node[NODEMAP] as number;
    if ((nodemap & bit) === 0) return undefined;
    node = node[HEADER + 2 * popcount(datamap) + popcount(nodemap & (bit - 1))] as HamtNode;
  }
  for (let i = HEADER; i < node.length; i += 2) if (node[i] === key) return node[i + 1] as V;
  return undefined;
}

/** {@link lookup}, also writing the key string of the entry found (or `undefined`) to `found.key`. */
function lookupEntry<V>(root: HamtNode, hash: number, key: string, found: FoundKey): V | undefined {
  let node = root;
  for (let shift = 0; shift <= LAST_SHIFT; shift += SHIFT) {
    const bit = 1 << ((hash >>> shift) & MASK);
    const datamap = node[DATAMAP] as number;
    if ((datamap & bit) !== 0) {
      const i = HEADER + 2 * popcount(datamap & (bit - 1));
      if (node[i] !== key) break;
      found.key = node[i] as string;
      return node[i + 1] as V;
    }
    const nodemap = node[NODEMAP] as number;
    if ((nodemap & bit) === 0) break;
    node = node[HEADER + 2 * popcount(datamap) + popcount(nodemap & (bit - 1))] as HamtNode;
  }
  // Only a collision node (past the last shift) has pairs without bitmaps; elsewhere this finds nothing.
  if ((node[DATAMAP] as number) === 0 && (node[NODEMAP] as number) === 0) {
    for (let i = HEADER; i < node.length; i += 2) {
      if (node[i] === key) {
        found.key = node[i] as string;
        return node[i + 1] as V;
      }
    }
  }
  found.key = undefined;
  return undefined;
}

function contains(root: HamtNode, hash: number, key: string): boolean {
  let node = root;
  for (let shift = 0; shift <= LAST_SHIFT; shift += SHIFT) {
    const bit = 1 << ((hash >>> shift) & MASK);
    const datamap = node[DATAMAP] as number;
    if ((datamap & bit) !== 0) return node[HEADER + 2 * popcount(datamap & (bit - 1))] === key;
    const nodemap = node[NODEMAP] as number;
    if ((nodemap & bit) === 0) return false;
    node = node[HEADER + 2 * popcount(datamap) + popcount(nodemap & (bit - 1))] as HamtNode;
  }
  for (let i = HEADER; i < node.length; i += 2) if (node[i] === key) return true;
  return false;
}

function setIn(node: HamtNode, owner: Owner, shift: number, hash: number, key: string, value: unknown, hashFn: HashFn): HamtNode {
  if (shift > LAST_SHIFT) return setInCollision(node, owner, key, value);
  const bit = 1 << ((hash >>> shift) & MASK);
  const datamap = node[DATAMAP] as number;
  const nodemap = node[NODEMAP] as number;
  if ((datamap & bit) !== 0) {
    const i = HEADER + 2 * popcount(datamap & (bit - 1));
    const k = node[i] as string;
    const v = node[i + 1];
    if (k === key) {
      result.previous = v;
      if (v === value) return node;
      const edited = editable(node, owner);
      edited[i + 1] = value;
      return edited;
    }
    // Two keys on one slot: the entry moves into a new child holding both.
    result.changed = true;
    const child = pairNode(owner, shift + SHIFT, hashFn(k), k, v, hash, key, value);
    const j = HEADER + 2 * popcount(datamap) + popcount(nodemap & (bit - 1));
    return entryToChild(node, owner, bit, i, j, child);
  }
  if ((nodemap & bit) !== 0) {
    const j = HEADER + 2 * popcount(datamap) + popcount(nodemap & (bit - 1));
    const child = node[j] as HamtNode;
    const next = setIn(child, owner, shift + SHIFT, hash, key, value, hashFn);
    if (next === child) return node;
    const edited = editable(node, owner);
    edited[j] = next;
    return edited;
  }
  result.changed = true;
  const i = HEADER + 2 * popcount(datamap & (bit - 1));
  if (owner !== null && node[OWNER] === owner) {
    node.splice(i, 0, key, value);
    node[DATAMAP] = datamap | bit;
    return node;
  }
  const out = newNode(datamap | bit, nodemap, owner, node.length + 2);
  for (let s = HEADER; s < i; s++) out[s] = node[s];
  out[i] = key;
  out[i + 1] = value;
  for (let s = i; s < node.length; s++) out[s + 2] = node[s];
  return out;
}

function setInCollision(node: HamtNode, owner: Owner, key: string, value: unknown): HamtNode {
  for (let i = HEADER; i < node.length; i += 2) {
    if (node[i] === key) {
      const v = node[i + 1];
      result.previous = v;
      if (v === value) return node;
      const edited = editable(node, owner);
      edited[i + 1] = value;
      return edited;
    }
  }
  result.changed = true;
  const edited = editable(node, owner);
  edited.push(key, value);
  return edited;
}

/** `node` with the entry at `i` replaced by `child`, which goes to slot `j` (counted before the move). */
function entryToChild(node: HamtNode, owner: Owner, bit: number, i: number, j: number, child: HamtNode): HamtNode {
  const out = newNode((node[DATAMAP] as number) ^ bit, (node[NODEMAP] as number) | bit, owner, node.length - 1);
  const to = j - 2;
  for (let s = HEADER; s < i; s++) out[s] = node[s];
  for (let s = i + 2; s < j; s++) out[s - 2] = node[s];
  out[to] = child;
  for (let s = j; s < node.length; s++) out[s - 1] = node[s];
  return out;
}

/** `node` with the child at slot `j` replaced by the entry `key, value`, which goes to data slot `i`. */
function childToEntry(node: HamtNode, owner: Owner, bit: number, i: number, j: number, key: unknown, value: unknown): HamtNode {
  const out = newNode((node[DATAMAP] as number) | bit, (node[NODEMAP] as number) ^ bit, owner, node.length + 1);
  for (let s = HEADER; s < i; s++) out[s] = node[s];
  out[i] = key;
  out[i + 1] = value;
  for (let s = i; s < j; s++) out[s + 2] = node[s];
  for (let s = j + 1; s < node.length; s++) out[s + 1] = node[s];
  return out;
}

/** A node below the root holding a single entry and no child: its parent takes the entry in. */
function isLoneEntry(node: HamtNode): boolean {
  return node.length === HEADER + 2 && (node[NODEMAP] as number) === 0;
}

/** Returns `node` without `key`, or `undefined` when that leaves it empty. */
function deleteIn(node: HamtNode, owner: Owner, shift: number, hash: number, key: string): HamtNode | undefined {
  if (shift > LAST_SHIFT) return deleteInCollision(node, owner, key);
  const bit = 1 << ((hash >>> shift) & MASK);
  const datamap = node[DATAMAP] as number;
  const nodemap = node[NODEMAP] as number;
  if ((datamap & bit) !== 0) {
    const i = HEADER + 2 * popcount(datamap & (bit - 1));
    if (node[i] !== key) return node;
    result.changed = true;
    result.previous = node[i + 1];
    if (node.length === HEADER + 2) return undefined;
    if (owner !== null && node[OWNER] === owner) {
      node.splice(i, 2);
      node[DATAMAP] = datamap ^ bit;
      return node;
    }
    const out = newNode(datamap ^ bit, nodemap, owner, node.length - 2);
    for (let s = HEADER; s < i; s++) out[s] = node[s];
    for (let s = i + 2; s < node.length; s++) out[s - 2] = node[s];
    return out;
  }
  if ((nodemap & bit) === 0) return node;
  const j = HEADER + 2 * popcount(datamap) + popcount(nodemap & (bit - 1));
  const child = node[j] as HamtNode;
  const next = deleteIn(child, owner, shift + SHIFT, hash, key);
  // Not `next === child`: a transient edits its own nodes in place.
  if (!result.changed) return node;
  if (next === undefined) {
    // Only a non-canonical child (one key) can become empty; kept for robustness.
    if (node.length === HEADER + 1) return undefined;
    const out = newNode(datamap, nodemap ^ bit, owner, node.length - 1);
    for (let s = HEADER; s < j; s++) out[s] = node[s];
    for (let s = j + 1; s < node.length; s++) out[s - 1] = node[s];
    return out;
  }
  if (isLoneEntry(next)) {
    // This node's only content is that entry: hand it up whole; the root keeps it instead.
    if (shift > 0 && node.length === HEADER + 1) return next;
    return childToEntry(node, owner, bit, HEADER + 2 * popcount(datamap & (bit - 1)), j, next[HEADER], next[HEADER + 1]);
  }
  if (next === child) return node;
  const edited = editable(node, owner);
  edited[j] = next;
  return edited;
}

function deleteInCollision(node: HamtNode, owner: Owner, key: string): HamtNode | undefined {
  for (let i = HEADER; i < node.length; i += 2) {
    if (node[i] !== key) continue;
    result.changed = true;
    result.previous = node[i + 1];
    if (node.length === HEADER + 2) return undefined;
    const edited = editable(node, owner);
    edited.splice(i, 2);
    return edited;
  }
  return node;
}

/** Where a node's children start: after its pairs (a collision node has pairs only). */
function childStart(node: HamtNode): number {
  const datamap = node[DATAMAP] as number;
  const nodemap = node[NODEMAP] as number;
  return (datamap | nodemap) === 0 ? node.length : HEADER + 2 * popcount(datamap);
}

function each<V>(node: HamtNode, fn: (value: V, key: string) => void): void {
  const children = childStart(node);
  for (let i = HEADER; i < children; i += 2) fn(node[i + 1] as V, node[i] as string);
  for (let j = children; j < node.length; j++) each(node[j] as HamtNode, fn);
}

const KEYS = 0;
const VALUES = 1;
const ENTRIES = 2;

/** A depth-first iterator over the trie with an explicit stack (generators are slower). */
class HamtIterator<R> implements IterableIterator<R> {
  private readonly nodes: HamtNode[] = [];
  private readonly positions: number[] = [];
  private readonly mode: number;

  constructor(root: HamtNode, mode: number) {
    this.mode = mode;
    this.nodes.push(root);
    this.positions.push(HEADER);
  }

  next(): IteratorResult<R> {
    const nodes = this.nodes;
    const positions = this.positions;
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top]!;
      const i = positions[top]!;
      if (i >= node.length) {
        nodes.pop();
        positions.pop();
        continue;
      }
      if (i < childStart(node)) {
        positions[top] = i + 2;
        const k = node[i] as string;
        const value = this.mode === KEYS ? k : this.mode === VALUES ? node[i + 1] : [k, node[i + 1]];
        return { done: false, value: value as R };
      }
      positions[top] = i + 1;
      nodes.push(node[i] as HamtNode);
      positions.push(HEADER);
    }
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

const EMPTY_ROOT: HamtNode = emptyNode(null);

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
  readonly root: HamtNode;
  /** @internal */
  readonly hashFn: HashFn;

  private constructor(root: HamtNode, size: number, hashFn: HashFn) {
    this.root = root;
    this.size = size;
    this.hashFn = hashFn;
  }

  /** An empty map; `hashFn` exists for tests that need collisions. */
  static empty<V>(hashFn: HashFn = hashString): HamtMap<V> {
    return new HamtMap<V>(EMPTY_ROOT, 0, hashFn);
  }

  /** @internal */
  static fromRoot<V>(root: HamtNode, size: number, hashFn: HashFn): HamtMap<V> {
    return new HamtMap<V>(root, size, hashFn);
  }

  /** The hash of `key` for the `…Hashed` methods of this map (and of maps derived from it). */
  hashOf(key: string): number {
    return this.hashFn(key);
  }

  /** The value under `key`, if any. */
  get(key: string): V | undefined {
    return lookup<V>(this.root, this.hashFn(key), key);
  }

  /** {@link HamtMap.get} with `hash` = `this.hashOf(key)` computed by the caller. */
  getHashed(hash: number, key: string): V | undefined {
    return lookup<V>(this.root, hash, key);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return contains(this.root, this.hashFn(key), key);
  }

  /**
   * {@link HamtMap.getHashed} that also writes to `found.key` the key string this map holds for
   * `key` — equal to it, but the very string stored — or `undefined` when absent. Passing the
   * stored string on, rather than an equal one built per event, lets later lookups in maps keyed
   * by it compare by identity. `found` is the caller's, reused across calls: nothing is allocated.
   */
  getEntryHashed(hash: number, key: string, found: FoundKey): V | undefined {
    return lookupEntry<V>(this.root, hash, key, found);
  }

  /** {@link HamtMap.has} with `hash` = `this.hashOf(key)` computed by the caller. */
  hasHashed(hash: number, key: string): boolean {
    return contains(this.root, hash, key);
  }

  /** A map with `key` set to `value`; `this` if it already was (identity). */
  set(key: string, value: V): HamtMap<V> {
    return this.setHashed(this.hashFn(key), key, value);
  }

  /**
   * {@link HamtMap.set} with `hash` = `this.hashOf(key)` computed by the caller. A persistent map
   * is a value: read what `key` held with {@link HamtMap.getHashed} before, if it matters (a
   * {@link TransientHamt} edit returns it).
   */
  setHashed(hash: number, key: string, value: V): HamtMap<V> {
    resetResult();
    const root = setIn(this.root, null, 0, hash, key, value, this.hashFn);
    if (root === this.root) return this;
    return new HamtMap<V>(root, result.changed ? this.size + 1 : this.size, this.hashFn);
  }

  /** A map without `key`; `this` if it was absent. */
  delete(key: string): HamtMap<V> {
    return this.deleteHashed(this.hashFn(key), key);
  }

  /** {@link HamtMap.delete} with `hash` = `this.hashOf(key)` computed by the caller. */
  deleteHashed(hash: number, key: string): HamtMap<V> {
    resetResult();
    const root = deleteIn(this.root, null, 0, hash, key);
    if (root === this.root) return this;
    return new HamtMap<V>(root ?? EMPTY_ROOT, this.size - 1, this.hashFn);
  }

  /** Calls `fn` for every entry, faster than iterating. */
  forEach(fn: (value: V, key: string) => void): void {
    each(this.root, fn);
  }

  /** All keys, in trie order. */
  keys(): IterableIterator<string> {
    return new HamtIterator<string>(this.root, KEYS);
  }

  /** All values, in the order of {@link HamtMap.keys}. */
  values(): IterableIterator<V> {
    return new HamtIterator<V>(this.root, VALUES);
  }

  /** All `[key, value]` pairs. */
  entries(): IterableIterator<[string, V]> {
    return new HamtIterator<[string, V]>(this.root, ENTRIES);
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
  private root: HamtNode;
  private owner: Owner = {};
  private count: number;
  private readonly base: HamtNode;
  private readonly hashFn: HashFn;

  /** @internal */
  constructor(root: HamtNode, size: number, hashFn: HashFn) {
    this.root = root;
    this.base = root;
    this.count = size;
    this.hashFn = hashFn;
  }

  /** Number of entries. */
  get size(): number {
    return this.count;
  }

  /** Whether any edit changed the map this transient started from. */
  get changed(): boolean {
    return this.root !== this.base;
  }

  /** The hash of `key` for the `…Hashed` methods. */
  hashOf(key: string): number {
    return this.hashFn(key);
  }

  /** The value under `key`, if any. */
  get(key: string): V | undefined {
    return lookup<V>(this.root, this.hashFn(key), key);
  }

  /** {@link TransientHamt.get} with a precomputed hash. */
  getHashed(hash: number, key: string): V | undefined {
    return lookup<V>(this.root, hash, key);
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return contains(this.root, this.hashFn(key), key);
  }

  /** {@link TransientHamt.has} with a precomputed hash. */
  hasHashed(hash: number, key: string): boolean {
    return contains(this.root, hash, key);
  }

  /** Sets `key` to `value`; returns the value it replaced, or {@link ABSENT} when the key was new. */
  set(key: string, value: V): V | Absent {
    return this.setHashed(this.hashFn(key), key, value);
  }

  /** {@link TransientHamt.set} with a precomputed hash. */
  setHashed(hash: number, key: string, value: V): V | Absent {
    const owner = this.checkOwner();
    resetResult();
    this.root = setIn(this.root, owner, 0, hash, key, value, this.hashFn);
    if (result.changed) {
      this.count++;
      return ABSENT;
    }
    return result.previous as V;
  }

  /** Removes `key`; returns the value it removed, or {@link ABSENT} when the key was not there. */
  delete(key: string): V | Absent {
    return this.deleteHashed(this.hashFn(key), key);
  }

  /** {@link TransientHamt.delete} with a precomputed hash. */
  deleteHashed(hash: number, key: string): V | Absent {
    const owner = this.checkOwner();
    resetResult();
    const root = deleteIn(this.root, owner, 0, hash, key);
    this.root = root ?? emptyNode(owner);
    if (result.changed) {
      this.count--;
      return result.previous as V;
    }
    return ABSENT;
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
