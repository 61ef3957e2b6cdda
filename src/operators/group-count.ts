import { Observable, type OperatorFunction } from 'rxjs';
import type { Reflection } from '../model/reflection.ts';
import type { KeyResult } from '../model/derived-views.ts';
import { keyList } from '../store/group-keys.ts';
import { editMap, emptyMap, type PersistentMap } from '../store/persistent-map.ts';

/**
 * An immutable map from group values to `V`, as emitted by {@link groupCount} and
 * {@link groupObjects}. Never changes after emission; successive emissions share structure.
 *
 * @example
 * ```ts
 * import type { GroupMap } from 'rxkube';
 * function top(counts: GroupMap<number>): [string, number][] {
 *   return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
 * }
 * ```
 */
export interface GroupMap<V> {
  /** Number of groups. */
  readonly size: number;
  /** The value of `group`, if present. */
  get(group: string): V | undefined;
  /** Whether `group` is present. */
  has(group: string): boolean;
  /** All groups, in no particular order. */
  keys(): IterableIterator<string>;
  /** All values, in the order of {@link GroupMap.keys}. */
  values(): IterableIterator<V>;
  /** All `[group, value]` pairs. */
  entries(): IterableIterator<[string, V]>;
}

/**
 * What a group function returns.
 *
 * @deprecated Use {@link KeyResult}, the one name of what group and join key functions return;
 * `GroupKey` goes in the next release.
 *
 * @example
 * ```ts
 * import type { KeyResult, KubeObject } from 'rxkube';
 * const byTeam = (o: KubeObject): KeyResult => o.metadata?.labels?.['team'];
 * ```
 */
export type GroupKey = KeyResult;

/** One group whose count changed in a batch. */
export interface GroupCountChange {
  /** The group value. */
  readonly group: string;
  /** The count before the batch (0 if the group was absent). */
  readonly previous: number;
  /** The count after the batch (0 if the group is gone). */
  readonly count: number;
}

/** What {@link groupCount} emits. */
export interface GroupCounts {
  /** Objects per group; groups with no object are absent. */
  readonly counts: GroupMap<number>;
  /** The groups whose count changed, in first-touched order. Empty only on the first emission. */
  readonly changes: readonly GroupCountChange[];
  /** The input snapshot's resourceVersion. */
  readonly resourceVersion: string;
}

/**
 * Counts the objects of a collection per group value: pods per node, per phase, per node and
 * phase.
 *
 * Maintained from the input deltas alone: each delta costs O(groups of the object); the function
 * is called once per `added`, `updated` or `synced` object (the groups of each key are
 * remembered, so `deleted` deltas need no call and `updated` deltas need no `previous`). Counts
 * are emitted as an immutable, structurally shared {@link GroupMap}, never copied.
 *
 * Emission contract: one {@link GroupCounts} per input Reflection that changed some count, plus
 * always the first one. Errors when the source errors or `groupOf` throws; completes with the
 * source; unsubscribing unsubscribes the source.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { groupCount, type KubeObject, type Reflection } from 'rxkube';
 * interface Pod extends KubeObject { spec?: { nodeName?: string }; status?: { phase?: string } }
 * declare const pods$: Observable<Reflection<Pod>>;
 * pods$
 *   .pipe(groupCount((pod) => `${pod.spec?.nodeName ?? '(unscheduled)'}/${pod.status?.phase ?? 'Unknown'}`))
 *   .subscribe(({ counts, changes }) => changes.forEach((c) => console.log(c.group, c.count, counts.size)));
 * ```
 * @param groupOf - the group(s) of an object; receives the object and its store key.
 * @returns an operator from reflections to group counts.
 * @see {@link groupObjects}
 */
export function groupCount<T>(groupOf: (object: T, key: string) => KeyResult): OperatorFunction<Reflection<T>, GroupCounts> {
  return (source) =>
    new Observable<GroupCounts>((subscriber) => {
      const groupsOfKey = new Map<string, readonly string[]>();
      let counts: PersistentMap<number> = emptyMap();
      let first = true;
      return source.subscribe({
        next: (input) => {
          const edit = editMap(counts);
          const before = new Map<string, number>();
          const bump = (group: string, by: number): void => {
            const current = edit.get(group) ?? 0;
            if (!before.has(group)) before.set(group, current);
            if (current + by === 0) edit.delete(group);
            else edit.set(group, current + by);
          };
          try {
            for (const d of input.deltas) {
              const old = groupsOfKey.get(d.key) ?? [];
              const next = d.type === 'deleted' ? [] : keyList(groupOf(d.object, d.key));
              for (const g of old) if (!next.includes(g)) bump(g, -1);
              for (const g of next) if (!old.includes(g)) bump(g, 1);
              if (next.length > 0) groupsOfKey.set(d.key, next);
              else groupsOfKey.delete(d.key);
            }
          } catch (error) {
            subscriber.error(error);
            return;
          }
          const changes: GroupCountChange[] = [];
          for (const [group, previous] of before) {
            const count = edit.get(group) ?? 0;
            if (count !== previous) changes.push(Object.freeze({ group, previous, count }));
          }
          if (changes.length === 0 && !first) return;
          first = false;
          counts = edit.commit();
          subscriber.next(Object.freeze({ counts, changes: Object.freeze(changes), resourceVersion: input.snapshot.resourceVersion }));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
