/**
 * Internal, not API: the incremental join shared by joinWith, join and selectorJoin, without RxJS.
 *
 * State: each side's objects and join keys, an inverted index join key → store keys per side, and
 * the match relation in both directions. A left change recomputes that left's matches from the
 * right index (O(candidates)); a right change recomputes the lefts it can reach (O(candidates))
 * and rebuilds those lefts' rows (O(their matches)) at the next flush. Nothing is ever scanned.
 * The operator shell (src/operators/internal/join-engine.ts) feeds it each input's deltas and
 * emits what {@link JoinIndex.flush} returns.
 *
 * @internal
 * @packageDocumentation
 */
import type { Joined, KeyResult } from '../model/derived-views.ts';
import type { Delta } from '../model/reflection.ts';
import { keyList } from './group-keys.ts';
import { editMap } from './persistent-map.ts';
import { StoreSnapshot } from './snapshot.ts';

/** How the engine is configured. @internal */
export interface JoinSpec<L, R> {
  readonly leftKey: (left: L, key: string) => KeyResult;
  readonly rightKey: (right: R, key: string) => KeyResult;
  readonly where: ((left: L, right: R) => boolean) | undefined;
  readonly inner: boolean;
}


// One per object, updated in place, so that an update allocates nothing that outlives it and reads
// one cold object rather than one per map.
interface Entry<V> {
  object: V;
  /** The object's join keys. */
  keys: readonly string[];
  /** Store keys of the other side's objects it matches; `undefined` when none. */
  matches: Set<string> | undefined;
  /**
   * Left entries only: whether the row in the view still lists exactly `matches`, with the same
   * right objects, so a new row can take its arrays without reading them (they are cold at 100k).
   */
  rowCurrent: boolean;
}

function indexAdd(index: Map<string, Set<string>>, joinKeys: readonly string[], key: string): void {
  for (const jk of joinKeys) {
    let set = index.get(jk);
    if (!set) index.set(jk, (set = new Set()));
    set.add(key);
  }
}

function indexRemove(index: Map<string, Set<string>>, joinKeys: readonly string[], key: string): void {
  for (const jk of joinKeys) {
    const set = index.get(jk);
    if (set?.delete(key) && set.size === 0) index.delete(jk);
  }
}

function relate(from: Entry<unknown>, to: string, on: boolean): void {
  from.rowCurrent = false;
  if (on) (from.matches ??= new Set()).add(to);
  else if (from.matches?.delete(to) && from.matches.size === 0) from.matches = undefined;
}

/** `previous` when it lists the same join keys as `result` (the usual update), else the new list. */
function joinKeysOf(result: KeyResult, previous: readonly string[] | undefined): readonly string[] {
  if (previous !== undefined) {
    if (typeof result === 'string') {
      if (previous.length === 1 && previous[0] === result) return previous;
    } else if (result !== undefined && result !== null && result.length === previous.length) {
      let same = true;
      for (let i = 0; i < result.length && same; i++) same = result[i] === previous[i];
      if (same) return previous;
    }
  }
  return keyList(result);
}

/** Moves `key` from its entries for `before` to those for `after` in `index`, if they differ. */
function reindex(index: Map<string, Set<string>>, before: readonly string[] | undefined, after: readonly string[], key: string): void {
  if (before === after) return;
  if (before !== undefined) indexRemove(index, before, key);
  indexAdd(index, after, key);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

const NO_OBJECTS: readonly never[] = Object.freeze([]);

const NO_KEYS: ReadonlySet<string> = new Set();

/** A `deleted` row delta, keeping the `finalStateUnknown` flag of the cause. */
function deletedRow<V>(key: string, object: V, finalStateUnknown: boolean): Delta<V> {
  return finalStateUnknown ? { type: 'deleted', key, object, finalStateUnknown: true } : { type: 'deleted', key, object };
}

/**
 * The join's state, edited in place by the deltas of either input; {@link JoinIndex.flush} turns
 * the edits into row deltas. One per subscription.
 *
 * @example
 * ```ts
 * import { JoinIndex } from './join-index.ts'; // internal, not API
 * type Pod = { node: string };
 * type Node = { name: string };
 * const index = new JoinIndex<Pod, Node>({ leftKey: (p) => p.node, rightKey: (n) => n.name, where: undefined, inner: false });
 * index.applyLeft({ type: 'added', key: 'ns/p', object: { node: 'n1' } });
 * index.applyRight({ type: 'added', key: 'n1', object: { name: 'n1' } });
 * index.flush('7'); // [{ type: 'added', key: 'ns/p', object: { left, right: [node n1], rightKeys: ['n1'] } }]
 * index.view.get('ns/p')?.rightKeys; // ['n1']
 * ```
 * @internal
 */
export class JoinIndex<L, R> {
  private readonly spec: JoinSpec<L, R>;
  private readonly lefts = new Map<string, Entry<L>>();
  private readonly rights = new Map<string, Entry<R>>();
  private readonly leftIndex = new Map<string, Set<string>>();
  private readonly rightIndex = new Map<string, Set<string>>();
  // Left keys touched in the current batch → whether anything but a resync touched them.
  private readonly dirty = new Map<string, boolean>();
  private readonly unknownFinal = new Set<string>();
  private ready = false;
  /** The rows as of the last {@link JoinIndex.flush} that reported deltas. */
  view: StoreSnapshot<Joined<L, R>> = StoreSnapshot.empty<Joined<L, R>>();

  constructor(spec: JoinSpec<L, R>) {
    this.spec = spec;
  }

  /** The rights `l` matches; may be an index set itself, which the caller must not keep. */
  private matchesOf(l: L, joinKeys: readonly string[]): ReadonlySet<string> {
    const { spec, rightIndex, rights } = this;
    if (joinKeys.length === 1 && spec.where === undefined) return rightIndex.get(joinKeys[0]!) ?? NO_KEYS;
    const found = new Set<string>();
    for (const jk of joinKeys) {
      const candidates = rightIndex.get(jk);
      if (!candidates) continue;
      for (const rk of candidates) {
        if (found.has(rk)) continue;
        if (spec.where === undefined || spec.where(l, rights.get(rk)!.object)) found.add(rk);
      }
    }
    return found;
  }

  private touch(lk: string, changed: boolean): void {
    const dirty = this.dirty;
    if (changed) dirty.set(lk, true);
    else if (!dirty.has(lk)) dirty.set(lk, false);
  }

  /** Applies one delta of the left input. */
  applyLeft(d: Delta<L>): void {
    const { spec, lefts, rights, leftIndex, unknownFinal } = this;
    const key = d.key;
    const old = lefts.get(key);
    let next: ReadonlySet<string> = NO_KEYS;
    let changed: boolean;
    if (d.type === 'deleted') {
      if (old !== undefined) {
        indexRemove(leftIndex, old.keys, key);
        lefts.delete(key);
      }
      if (d.finalStateUnknown) unknownFinal.add(key);
      changed = old !== undefined;
    } else {
      const joinKeys = joinKeysOf(spec.leftKey(d.object, key), old?.keys);
      reindex(leftIndex, old?.keys, joinKeys, key);
      if (old === undefined) {
        lefts.set(key, { object: d.object, keys: joinKeys, matches: undefined, rowCurrent: false });
        changed = true;
      } else {
        changed = old.object !== d.object;
        old.object = d.object;
        old.keys = joinKeys;
      }
      next = this.matchesOf(d.object, joinKeys);
    }
    const before = old?.matches ?? NO_KEYS;
    if (!sameSet(before, next)) {
      changed = true;
      for (const rk of before) if (!next.has(rk)) relate(rights.get(rk)!, key, false);
      for (const rk of next) if (!before.has(rk)) relate(rights.get(rk)!, key, true);
      if (d.type !== 'deleted') {
        const entry = lefts.get(key)!;
        entry.matches = next.size > 0 ? new Set(next) : undefined;
        entry.rowCurrent = false;
      }
    }
    this.touch(key, changed || d.type !== 'synced');
  }

  /** Applies one delta of the right input. */
  applyRight(d: Delta<R>): void {
    const { spec, lefts, rights, leftIndex, rightIndex } = this;
    const key = d.key;
    const old = rights.get(key);
    const before = old?.matches ?? NO_KEYS;
    const objectChanged = old?.object !== (d.type === 'deleted' ? undefined : d.object);
    let next: ReadonlySet<string> = NO_KEYS;
    if (d.type === 'deleted') {
      if (old !== undefined) {
        indexRemove(rightIndex, old.keys, key);
        rights.delete(key);
      }
    } else {
      const joinKeys = joinKeysOf(spec.rightKey(d.object, key), old?.keys);
      reindex(rightIndex, old?.keys, joinKeys, key);
      if (old === undefined) rights.set(key, { object: d.object, keys: joinKeys, matches: undefined, rowCurrent: false });
      else {
        old.object = d.object;
        old.keys = joinKeys;
      }
      const found = new Set<string>();
      for (const jk of joinKeys) {
        const candidates = leftIndex.get(jk);
        if (!candidates) continue;
        for (const lk of candidates) {
          if (found.has(lk)) continue;
          if (spec.where === undefined || spec.where(lefts.get(lk)!.object, d.object)) found.add(lk);
        }
      }
      next = found;
    }
    for (const lk of before) {
      if (next.has(lk)) {
        if (objectChanged) {
          lefts.get(lk)!.rowCurrent = false;
          this.touch(lk, true);
        }
        continue;
      }
      relate(lefts.get(lk)!, key, false);
      this.touch(lk, true);
    }
    for (const lk of next) {
      if (before.has(lk)) continue;
      relate(lefts.get(lk)!, key, true);
      this.touch(lk, true);
    }
    if (d.type !== 'deleted' && !sameSet(before, next)) rights.get(key)!.matches = next.size > 0 ? (next as Set<string>) : undefined;
  }

  /** The row of `lk`, sharing `previous`'s arrays when its matches are the same objects. */
  private rowOf(entry: Entry<L>, previous: Joined<L, R> | undefined): Joined<L, R> {
    const rights = this.rights;
    const left = entry.object;
    const matched = entry.matches;
    if (matched === undefined) {
      return Object.freeze({ left, right: NO_OBJECTS, rightKeys: NO_OBJECTS as readonly string[] });
    }
    if (previous !== undefined && entry.rowCurrent) return Object.freeze({ left, right: previous.right, rightKeys: previous.rightKeys });
    let right: readonly R[] | undefined;
    let rightKeys: readonly string[] | undefined;
    if (previous !== undefined && previous.rightKeys.length === matched.size) {
      let i = 0;
      for (const rk of matched) {
        if (previous.rightKeys[i] !== rk || previous.right[i] !== rights.get(rk)!.object) break;
        i++;
      }
      if (i === matched.size) {
        right = previous.right;
        rightKeys = previous.rightKeys;
      }
    }
    if (right === undefined || rightKeys === undefined) {
      const keys = [...matched];
      rightKeys = Object.freeze(keys);
      right = Object.freeze(keys.map((rk) => rights.get(rk)!.object));
    }
    return Object.freeze({ left, right, rightKeys });
  }

  /**
   * Turns the deltas applied since the last flush into row deltas and a new {@link JoinIndex.view}
   * at `resourceVersion`. The first flush reports every row (possibly none); later ones return
   * `undefined` when no row changed.
   */
  flush(resourceVersion: string): Delta<Joined<L, R>>[] | undefined {
    const { spec, lefts, dirty, unknownFinal, ready } = this;
    const edit = editMap(this.view.objects);
    const deltas: Delta<Joined<L, R>>[] = [];
    const keys = ready ? dirty : new Map([...lefts.keys()].map((lk) => [lk, true] as const));
    for (const [lk, changed] of keys) {
      const hash = edit.hashOf(lk);
      const previous = edit.getHashed(hash, lk);
      const entry = lefts.get(lk);
      const keep = entry !== undefined && (!spec.inner || entry.matches !== undefined);
      if (!keep) {
        if (previous === undefined) continue;
        edit.deleteHashed(hash, lk);
        deltas.push(deletedRow(lk, entry ? this.rowOf(entry, previous) : previous, unknownFinal.has(lk)));
      } else if (previous === undefined) {
        const row = this.rowOf(entry, undefined);
        entry.rowCurrent = true;
        edit.setHashed(hash, lk, row);
        deltas.push({ type: 'added', key: lk, object: row });
      } else if (changed) {
        const row = this.rowOf(entry, previous);
        entry.rowCurrent = true;
        edit.setHashed(hash, lk, row);
        deltas.push({ type: 'updated', key: lk, object: row, previous });
      } else {
        deltas.push({ type: 'synced', key: lk, object: previous });
      }
    }
    dirty.clear();
    unknownFinal.clear();
    if (deltas.length === 0 && ready) return undefined;
    this.ready = true;
    this.view = new StoreSnapshot(edit.commit(), resourceVersion);
    return deltas;
  }
}
