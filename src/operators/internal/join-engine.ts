/**
 * Internal, not API: the incremental join shared by joinWith, join and selectorJoin.
 *
 * State per subscription: each side's objects and join keys, an inverted index join key → store
 * keys per side, and the match relation in both directions. A left change recomputes that left's
 * matches from the right index (O(candidates)); a right change recomputes the lefts it can reach
 * (O(candidates)) and rebuilds those lefts' rows (O(their matches)). Nothing is ever scanned.
 *
 * @internal
 * @packageDocumentation
 */
import { Observable, type Subscription } from 'rxjs';
import type { Delta, Reflection } from '../../model/reflection.ts';
import { deletedDelta, freezeReflection } from './derive-view.ts';
import { keyList, type KeyResult } from './group-keys.ts';
import { editMap } from './persistent-map.ts';
import { StoreSnapshot } from '../../store/snapshot.ts';

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

type JoinedRow<L, R> = Joined<L, R>;

/** How the engine is configured. @internal */
export interface JoinSpec<L, R> {
  readonly leftKey: (left: L, key: string) => KeyResult;
  readonly rightKey: (right: R, key: string) => KeyResult;
  readonly where: ((left: L, right: R) => boolean) | undefined;
  readonly inner: boolean;
}

interface Entry<V> {
  object: V;
  keys: readonly string[];
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

function relate(rel: Map<string, Set<string>>, from: string, to: string, on: boolean): void {
  let set = rel.get(from);
  if (on) {
    if (!set) rel.set(from, (set = new Set()));
    set.add(to);
  } else if (set?.delete(to) && set.size === 0) {
    rel.delete(from);
  }
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** The incremental join as an Observable of Reflections of rows keyed by the left store key. @internal */
export function joinReflections<L, R>(
  left$: Observable<Reflection<L>>,
  right$: Observable<Reflection<R>>,
  spec: JoinSpec<L, R>,
): Observable<Reflection<JoinedRow<L, R>>> {
  return new Observable<Reflection<JoinedRow<L, R>>>((subscriber) => {
    const lefts = new Map<string, Entry<L>>();
    const rights = new Map<string, Entry<R>>();
    const leftIndex = new Map<string, Set<string>>();
    const rightIndex = new Map<string, Set<string>>();
    const leftMatches = new Map<string, Set<string>>();
    const rightMatches = new Map<string, Set<string>>();
    let view = StoreSnapshot.empty<JoinedRow<L, R>>();
    // Left keys touched in the current batch → whether anything but a resync touched them.
    let dirty = new Map<string, boolean>();
    const unknownFinal = new Set<string>();
    let leftSeen = false;
    let rightSeen = false;
    let leftDone = false;
    let rightDone = false;
    let ready = false;
    let resourceVersion = '';

    const matchesOf = (l: L, joinKeys: readonly string[]): Set<string> => {
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
    };

    const touch = (lk: string, changed: boolean): void => {
      dirty.set(lk, (dirty.get(lk) ?? false) || changed);
    };

    const applyLeft = (d: Delta<L>): void => {
      const old = lefts.get(d.key);
      if (old) indexRemove(leftIndex, old.keys, d.key);
      let next: ReadonlySet<string> = NO_KEYS;
      if (d.type === 'deleted') {
        lefts.delete(d.key);
        if (d.finalStateUnknown) unknownFinal.add(d.key);
      } else {
        const joinKeys = keyList(spec.leftKey(d.object, d.key));
        lefts.set(d.key, { object: d.object, keys: joinKeys });
        indexAdd(leftIndex, joinKeys, d.key);
        next = matchesOf(d.object, joinKeys);
      }
      const before = leftMatches.get(d.key) ?? NO_KEYS;
      let changed = old?.object !== (d.type === 'deleted' ? undefined : d.object) || before.size !== next.size;
      for (const rk of before) if (!next.has(rk)) relate(rightMatches, rk, d.key, false);
      for (const rk of next) {
        if (before.has(rk)) continue;
        changed = true;
        relate(rightMatches, rk, d.key, true);
      }
      if (next.size > 0) leftMatches.set(d.key, new Set(next));
      else leftMatches.delete(d.key);
      touch(d.key, changed || d.type !== 'synced');
    };

    const applyRight = (d: Delta<R>): void => {
      const old = rights.get(d.key);
      if (old) indexRemove(rightIndex, old.keys, d.key);
      const before = rightMatches.get(d.key) ?? NO_KEYS;
      const next = new Set<string>();
      if (d.type === 'deleted') {
        rights.delete(d.key);
      } else {
        const joinKeys = keyList(spec.rightKey(d.object, d.key));
        rights.set(d.key, { object: d.object, keys: joinKeys });
        indexAdd(rightIndex, joinKeys, d.key);
        for (const jk of joinKeys) {
          const candidates = leftIndex.get(jk);
          if (!candidates) continue;
          for (const lk of candidates) {
            if (next.has(lk)) continue;
            if (spec.where === undefined || spec.where(lefts.get(lk)!.object, d.object)) next.add(lk);
          }
        }
      }
      const objectChanged = old?.object !== (d.type === 'deleted' ? undefined : d.object);
      for (const lk of before) {
        if (next.has(lk)) {
          if (objectChanged) touch(lk, true);
          continue;
        }
        relate(leftMatches, lk, d.key, false);
        touch(lk, true);
      }
      for (const lk of next) {
        if (before.has(lk)) continue;
        relate(leftMatches, lk, d.key, true);
        touch(lk, true);
      }
      if (next.size > 0) rightMatches.set(d.key, next);
      else rightMatches.delete(d.key);
    };

    const rowOf = (lk: string, left: L): JoinedRow<L, R> => {
      const matched = leftMatches.get(lk);
      const rightKeys = matched ? [...matched] : [];
      const right = rightKeys.map((rk) => rights.get(rk)!.object);
      return Object.freeze({ left, right: Object.freeze(right), rightKeys: Object.freeze(rightKeys) });
    };

    const flush = (): void => {
      const edit = editMap(view.objects);
      const deltas: Delta<JoinedRow<L, R>>[] = [];
      const keys = ready ? dirty : new Map([...lefts.keys()].map((lk) => [lk, true] as const));
      for (const [lk, changed] of keys) {
        const previous = edit.get(lk);
        const entry = lefts.get(lk);
        const keep = entry !== undefined && (!spec.inner || leftMatches.has(lk));
        if (!keep) {
          if (previous === undefined) continue;
          edit.delete(lk);
          const cause = unknownFinal.has(lk) ? ({ finalStateUnknown: true } as const) : undefined;
          deltas.push(deletedDelta(lk, entry ? rowOf(lk, entry.object) : previous, cause as Delta<unknown> | undefined));
        } else if (previous === undefined) {
          const row = rowOf(lk, entry.object);
          edit.set(lk, row);
          deltas.push({ type: 'added', key: lk, object: row });
        } else if (changed) {
          const row = rowOf(lk, entry.object);
          edit.set(lk, row);
          deltas.push({ type: 'updated', key: lk, object: row, previous });
        } else {
          deltas.push({ type: 'synced', key: lk, object: previous });
        }
      }
      dirty = new Map();
      unknownFinal.clear();
      if (deltas.length === 0 && ready) return;
      ready = true;
      view = new StoreSnapshot(edit.commit(), resourceVersion);
      subscriber.next(freezeReflection(view, deltas));
    };

    const onBatch = <V>(apply: (d: Delta<V>) => void, input: Reflection<V>, markSeen: () => void): void => {
      try {
        for (const d of input.deltas) apply(d);
        markSeen();
        resourceVersion = input.snapshot.resourceVersion;
        if (leftSeen && rightSeen) flush();
      } catch (error) {
        subscriber.error(error);
      }
    };

    const completeIfDone = (): void => {
      if ((leftDone && rightDone) || (leftDone && !leftSeen) || (rightDone && !rightSeen)) subscriber.complete();
    };

    const subscriptions: Subscription[] = [];
    subscriptions.push(
      left$.subscribe({
        next: (input) => onBatch(applyLeft, input, () => (leftSeen = true)),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          leftDone = true;
          completeIfDone();
        },
      }),
    );
    if (!subscriber.closed) {
      subscriptions.push(
        right$.subscribe({
          next: (input) => onBatch(applyRight, input, () => (rightSeen = true)),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            rightDone = true;
            completeIfDone();
          },
        }),
      );
    }
    return () => {
      for (const s of subscriptions) s.unsubscribe();
    };
  });
}
