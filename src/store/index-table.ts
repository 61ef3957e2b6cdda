import type { Delta, Snapshot } from '../model/reflection.ts';
import { HamtMap, type TransientHamt } from './hamt.ts';

/**
 * An index function: the index values of one object (none, one, or several). Must be pure: the
 * same object always gives the same values, because the index is maintained incrementally and the
 * values of an object's previous version are recomputed to remove it.
 *
 * @example
 * ```ts
 * import type { IndexFunction, KubeObject } from 'rxkube';
 * const byApp: IndexFunction<KubeObject> = (o) => o.metadata?.labels?.['app'];
 * ```
 */
export type IndexFunction<T> = (obj: T) => string | readonly string[] | undefined;

/**
 * One index: value → (key → object), persistent so that each snapshot keeps its own version.
 * @internal
 */
export type IndexTable<T> = HamtMap<HamtMap<T>>;

function forEachIndexValue(values: string | readonly string[] | undefined, fn: (value: string) => void): void {
  if (values === undefined) return;
  if (typeof values === 'string') fn(values);
  else for (let i = 0; i < values.length; i++) fn(values[i]!);
}

function includes(values: string | readonly string[] | undefined, value: string): boolean {
  if (values === undefined) return false;
  return typeof values === 'string' ? values === value : values.includes(value);
}

/**
 * Builds an index over every object of `objects` in O(n).
 * @internal
 */
export function buildIndex<T>(objects: Snapshot<T>, indexFn: IndexFunction<T>): IndexTable<T> {
  const builders = new Map<string, TransientHamt<T>>();
  for (const [key, obj] of objects.entries()) {
    forEachIndexValue(indexFn(obj), (value) => {
      let b = builders.get(value);
      if (b === undefined) {
        b = HamtMap.empty<T>().asTransient();
        builders.set(value, b);
      }
      b.set(key, obj);
    });
  }
  const table = HamtMap.empty<HamtMap<T>>().asTransient();
  for (const [value, b] of builders) table.set(value, b.persistent());
  return table.persistent();
}

/**
 * The index of `after`, from the index `table` of `before` and the deltas that lead from `before`
 * to `after` (what {@link withIndex} does per Reflection): every key the deltas name moves from its
 * entries for its object in `before` to those for its object in `after`, in O(changes · log n).
 * State-based rather than delta-based, so several deltas for one key, or a delta whose object
 * differs from the stored one, cannot corrupt the index. `table` itself when the snapshot did not
 * change.
 *
 * @example
 * ```ts
 * import { advanceIndex, buildIndex } from './index-table.ts'; // internal, not API
 * import { HamtMap } from './hamt.ts';
 * import { StoreSnapshot } from './snapshot.ts';
 * type Pod = { node: string };
 * const byNode = (p: Pod) => p.node;
 * const before = new StoreSnapshot(HamtMap.empty<Pod>().set('p', { node: 'n1' }), '1');
 * const after = new StoreSnapshot(before.objects.set('p', { node: 'n2' }), '2');
 * const table = advanceIndex(buildIndex(before, byNode), before, after, [{ key: 'p' }], byNode);
 * [...table.keys()]; // ['n2']
 * ```
 * @internal
 */
export function advanceIndex<T>(
  table: IndexTable<T>,
  before: Snapshot<T>,
  after: Snapshot<T>,
  deltas: readonly Pick<Delta<T>, 'key'>[],
  indexFn: IndexFunction<T>,
): IndexTable<T> {
  if (after === before) return table;
  const keys = deltas.length === 1 ? [deltas[0]!.key] : new Set(deltas.map((d) => d.key));
  let t = table;
  for (const key of keys) {
    const oldObj = before.get(key);
    const newObj = after.get(key);
    if (oldObj === newObj) continue;
    const oldValues = oldObj === undefined ? undefined : indexFn(oldObj);
    const newValues = newObj === undefined ? undefined : indexFn(newObj);
    forEachIndexValue(oldValues, (value) => {
      if (includes(newValues, value)) return;
      const entry = t.get(value);
      if (entry === undefined) return;
      const next = entry.delete(key);
      t = next.size === 0 ? t.delete(value) : t.set(value, next);
    });
    if (newObj !== undefined) {
      forEachIndexValue(newValues, (value) => {
        const entry = t.get(value) ?? HamtMap.empty<T>();
        t = t.set(value, entry.set(key, newObj));
      });
    }
  }
  return t;
}
