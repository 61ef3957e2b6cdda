import type { Delta, Reflection, Snapshot } from '../../../src/model/reflection.ts';

/** A plain, comparable summary of a snapshot: its entries sorted by key. */
export function entriesOf<T>(snapshot: Snapshot<T>): [string, T][] {
  return [...snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A plain, comparable summary of a Reflection. */
export function summary<T>(r: Reflection<T>): { size: number; entries: [string, T][]; deltas: Delta<T>[] } {
  return { size: r.snapshot.size, entries: entriesOf(r.snapshot), deltas: r.deltas.map((d) => ({ ...d })) };
}
