import { Observable, type OperatorFunction } from 'rxjs';
import type { Delta, Reflection, Snapshot } from '../model/reflection.ts';
import { deletedDelta, freezeReflection } from './internal/derive-view.ts';
import { keyList } from '../store/group-keys.ts';
import { editMap, emptyMap, type MapEditor, type PersistentMap } from '../store/persistent-map.ts';
import { StoreSnapshot } from '../store/snapshot.ts';
import type { KeyResult } from '../model/derived-views.ts';
import type { GroupMap } from './group-count.ts';

/** One group that changed in a batch: its new state and the deltas that led there. */
export interface GroupChange<T> {
  /** The group value. */
  readonly group: string;
  /**
   * The group's own Reflection: `snapshot` is its new state (empty, and absent from
   * {@link Grouping.groups}, when its last member left), `deltas` its changes in order.
   */
  readonly reflection: Reflection<T>;
}

/** What {@link groupObjects} emits. */
export interface Grouping<T> {
  /** The members of each group, as immutable snapshots; groups with no member are absent. */
  readonly groups: GroupMap<Snapshot<T>>;
  /** The groups that changed, in first-touched order. Empty only on the first emission. */
  readonly changes: readonly GroupChange<T>[];
  /** The input snapshot's resourceVersion. */
  readonly resourceVersion: string;
}

/**
 * Partitions a collection by group value (named apart from RxJS's own `groupBy`, which splits a
 * stream into per-key streams): one immutable snapshot of members per group, plus the
 * per-group deltas of each batch.
 *
 * An object whose group changes is `deleted` from the old group (with its new version as
 * `object`) and `added` to the new one; an object in several groups (multi-valued `groupOf`)
 * appears in each. Each delta costs O(groups of the object × log n); untouched groups keep their
 * snapshot's identity, so a UI re-renders only the groups in `changes`.
 *
 * Emission contract: one {@link Grouping} per input Reflection that changed some group, plus
 * always the first one. Errors when the source errors or `groupOf` throws; completes with the
 * source; unsubscribing unsubscribes the source.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { groupObjects, type KubeObject, type Reflection } from 'rxkube';
 * interface Pod extends KubeObject { spec?: { nodeName?: string } }
 * declare const pods$: Observable<Reflection<Pod>>;
 * pods$.pipe(groupObjects((pod) => pod.spec?.nodeName)).subscribe(({ groups, changes }) => {
 *   for (const { group } of changes) console.log(group, groups.get(group)?.size ?? 0);
 * });
 * ```
 * @param groupOf - the group(s) of an object; receives the object and its store key.
 * @returns an operator from reflections to groupings.
 * @see {@link groupCount}
 */
export function groupObjects<T>(groupOf: (object: T, key: string) => KeyResult): OperatorFunction<Reflection<T>, Grouping<T>> {
  return (source) =>
    new Observable<Grouping<T>>((subscriber) => {
      const groupsOfKey = new Map<string, readonly string[]>();
      let groups: PersistentMap<StoreSnapshot<T>> = emptyMap();
      let first = true;
      return source.subscribe({
        next: (input) => {
          const touched = new Map<string, { edit: MapEditor<T>; deltas: Delta<T>[] }>();
          const open = (group: string) => {
            let t = touched.get(group);
            if (!t) touched.set(group, (t = { edit: editMap((groups.get(group) ?? StoreSnapshot.empty<T>()).objects), deltas: [] }));
            return t;
          };
          try {
            for (const d of input.deltas) {
              const old = groupsOfKey.get(d.key) ?? [];
              const next = d.type === 'deleted' ? [] : keyList(groupOf(d.object, d.key));
              for (const g of old) {
                if (next.includes(g)) continue;
                const t = open(g);
                t.edit.delete(d.key);
                t.deltas.push(deletedDelta(d.key, d.object, d));
              }
              for (const g of next) {
                const t = open(g);
                const previous = t.edit.get(d.key);
                t.edit.set(d.key, d.object);
                if (!old.includes(g)) t.deltas.push({ type: 'added', key: d.key, object: d.object });
                else if (d.type === 'synced') t.deltas.push({ type: 'synced', key: d.key, object: d.object });
                else t.deltas.push({ type: 'updated', key: d.key, object: d.object, previous: previous as T });
              }
              if (next.length > 0) groupsOfKey.set(d.key, next);
              else groupsOfKey.delete(d.key);
            }
          } catch (error) {
            subscriber.error(error);
            return;
          }
          if (touched.size === 0 && !first) return;
          first = false;
          const edit = editMap(groups);
          const changes: GroupChange<T>[] = [];
          for (const [group, t] of touched) {
            const snapshot = new StoreSnapshot(t.edit.commit(), input.snapshot.resourceVersion);
            if (snapshot.size === 0) edit.delete(group);
            else edit.set(group, snapshot);
            changes.push(Object.freeze({ group, reflection: freezeReflection(snapshot, t.deltas) }));
          }
          groups = edit.commit();
          subscriber.next(Object.freeze({ groups, changes: Object.freeze(changes), resourceVersion: input.snapshot.resourceVersion }));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * The former name of {@link groupObjects}, which clashed with RxJS's own `groupBy` in any file
 * importing both.
 *
 * @deprecated Use {@link groupObjects}; `groupBy` goes in the next release.
 *
 * @example
 * ```ts
 * import { groupObjects } from 'rxkube';
 * const byNode = groupObjects((pod: { spec?: { nodeName?: string } }) => pod.spec?.nodeName);
 * ```
 */
export const groupBy: typeof groupObjects = groupObjects;
