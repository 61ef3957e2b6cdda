/**
 * Internal, not API: a (re)list being buffered, and the diff that swaps it in.
 *
 * Between `LIST_START` and `LIST_DONE` the objects of the new state accumulate in a transient map
 * beside the store; `LIST_DONE` freezes it and diffs it against the store in O(listed + vanished),
 * never O(n²): only keys whose object changed identity make a delta, and vanished keys are looked
 * for only when some exist.
 *
 * @internal
 * @packageDocumentation
 */
import type { Delta } from '../model/reflection.ts';
import { ABSENT, HamtMap, type TransientHamt } from './hamt.ts';

/**
 * An open (re)list. Mutable: it belongs to one {@link StoreState} and dies at `LIST_DONE`.
 * @internal
 */
export interface Relist<T> {
  /** The new state being built. */
  readonly objects: TransientHamt<T>;
  /** Its keys in order of first appearance (with repeats when {@link Relist.reordered}). */
  readonly order: string[];
  /** How many keys of `objects` the store holds too: vanished keys exist only when it is below the store's size. */
  kept: number;
  /** Whether a key left the buffer, after which `order` may name it twice. */
  reordered: boolean;
}

/** An empty relist. @internal */
export function openRelist<T>(): Relist<T> {
  return { objects: HamtMap.empty<T>().asTransient(), order: [], kept: 0, reordered: false };
}

/**
 * Puts `obj` under `key` into the relist; `inStore` says whether the store holds `key`. `hash` is
 * `store.hashOf(key)`: every map here uses the default hash, so one hash serves both.
 * @internal
 */
export function relistPut<T>(relist: Relist<T>, hash: number, key: string, obj: T, inStore: boolean): void {
  if (relist.objects.setHashed(hash, key, obj) === ABSENT) {
    relist.order.push(key);
    if (inStore) relist.kept++;
  }
}

/** Removes `key` from the relist (a `DELETED` inside the bracket). @internal */
export function relistDelete<T>(relist: Relist<T>, hash: number, key: string, inStore: boolean): void {
  if (relist.objects.deleteHashed(hash, key) !== ABSENT) {
    relist.reordered = true;
    if (inStore) relist.kept--;
  }
}

/**
 * Closes `relist` and diffs it against `old`: the new map, and the deltas that turn `old` into it.
 * First a `deleted` with `finalStateUnknown: true` for every key that vanished (object: its last
 * known state; in trie order), then, in list order, `updated` (with `previous`) for every key whose
 * object is not the stored one and `added` for every new key. A key whose object kept its identity
 * makes no delta. `relist` must not be used afterwards.
 *
 *
 * @example
 * ```ts
 * import { closeRelist, openRelist, relistPut } from './relist.ts'; // internal, not API
 * import { HamtMap } from './hamt.ts';
 * import type { Delta } from '../model/reflection.ts';
 * const old = HamtMap.empty<number>().set('a', 1).set('b', 2);
 * const relist = openRelist<number>();
 * relistPut(relist, old.hashOf('b'), 'b', 3, true);
 * const deltas: Delta<number>[] = [];
 * const next = closeRelist(old, relist, deltas); // next holds b → 3
 * deltas.map((d) => `${d.type} ${d.key}`); // ['deleted a', 'updated b']
 * ```
 * @internal
 */
export function closeRelist<T>(old: HamtMap<T>, relist: Relist<T>, deltas: Delta<T>[]): HamtMap<T> {
  const next = relist.objects.persistent();
  if (relist.kept < old.size) {
    old.forEach((obj, key) => {
      if (!next.has(key)) deltas.push({ type: 'deleted', key, object: obj, finalStateUnknown: true });
    });
  }
  const order = relist.order;
  const seen = relist.reordered ? new Set<string>() : undefined;
  for (let i = 0; i < order.length; i++) {
    const key = order[i]!;
    if (seen !== undefined) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const hash = next.hashOf(key);
    const obj = next.getHashed(hash, key);
    if (obj === undefined) continue;
    const prev = old.getHashed(hash, key);
    if (prev === undefined) deltas.push({ type: 'added', key, object: obj });
    else if (prev !== obj) deltas.push({ type: 'updated', key, object: obj, previous: prev });
  }
  return next;
}
