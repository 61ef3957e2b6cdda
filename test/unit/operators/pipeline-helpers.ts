import type { Delta, Reflection, Snapshot } from '../../../src/model/reflection.ts';
import { HamtMap } from '../../../src/store/hamt.ts';
import { StoreSnapshot } from '../../../src/store/snapshot.ts';

/** One change to a model collection: put (add or update), delete, or resync one key. */
export type Op<T> = readonly ['put', string, T] | readonly ['del', string] | readonly ['sync', string];

/**
 * A plain-Map model of a reflector: each batch of ops becomes the Reflection `reflect` would emit
 * (deltas in op order, `previous` on updates, deletes of absent keys ignored).
 */
export class Model<T> {
  objects = HamtMap.empty<T>();
  rv = 0;

  batch(ops: readonly Op<T>[], options: { first?: boolean } = {}): Reflection<T> {
    const deltas: Delta<T>[] = [];
    for (const op of ops) {
      const key = op[1];
      const previous = this.objects.get(key);
      if (op[0] === 'put') {
        this.objects = this.objects.set(key, op[2]);
        deltas.push(previous === undefined ? { type: 'added', key, object: op[2] } : { type: 'updated', key, object: op[2], previous });
      } else if (previous === undefined) {
        continue;
      } else if (op[0] === 'del') {
        this.objects = this.objects.delete(key);
        deltas.push({ type: 'deleted', key, object: previous });
      } else {
        deltas.push({ type: 'synced', key, object: previous });
      }
    }
    this.rv++;
    if (deltas.length === 0 && !options.first) throw new Error('empty batch');
    return { snapshot: new StoreSnapshot(this.objects, String(this.rv)), deltas };
  }

  /** Reflections for a list of batches, the first always emitted (like reflect's first list). */
  static reflections<T>(batches: readonly (readonly Op<T>[])[]): Reflection<T>[] {
    const m = new Model<T>();
    return batches.map((b, i) => m.batch(b, { first: i === 0 }));
  }
}

/** A plain, comparable summary of a snapshot: its entries sorted by key. */
export function entriesOf<T>(snapshot: Snapshot<T>): [string, T][] {
  return [...snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A plain, comparable summary of a Reflection. */
export function summary<T>(r: Reflection<T>): { size: number; entries: [string, T][]; deltas: Delta<T>[] } {
  return { size: r.snapshot.size, entries: entriesOf(r.snapshot), deltas: r.deltas.map((d) => ({ ...d })) };
}
