import { expect } from 'vitest';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import type { Delta, Reflection, Snapshot } from '../../src/model/reflection.ts';
import { HamtMap } from '../../src/store/hamt.ts';
import { StoreSnapshot } from '../../src/store/snapshot.ts';

/** One change to a model store: put (add or update), delete, or resync one key. */
export type Op<T> = readonly ['put', string, T] | readonly ['del', string] | readonly ['sync', string];

const keyOfObject = (o: unknown): string => {
  const m = (o as KubeObject).metadata;
  return m?.namespace ? `${m.namespace}/${m.name}` : String(m?.name);
};
const rvOf = (o: unknown): string | undefined => (o as KubeObject | undefined)?.metadata?.resourceVersion;

/**
 * The plain-Map model of the store: the obvious implementation, which property tests compare the
 * real store and every operator against. Two ways in:
 *
 * - {@link StoreModel.apply} takes a list/watch event and returns the deltas `reflect` must emit
 *   for it (or `undefined` when it must emit nothing): the oracle for `reflect`.
 * - {@link StoreModel.batch} takes key-level ops and returns the Reflection an upstream `reflect`
 *   would emit for them: the input generator for the operators downstream of it.
 *
 * Both change the same `objects` Map; {@link applyDeltas} is the third half: previous snapshot +
 * deltas = next snapshot.
 */
export class StoreModel<T> {
  /** The model's store. */
  readonly objects = new Map<string, T>();
  /** The resourceVersion the next snapshot must carry. */
  resourceVersion = '';
  private batches = 0;
  private synced = false;
  /** The open list bracket: the objects listed so far, and their keys in list order. */
  private buffer: Map<string, T> | undefined;
  private order: string[] = [];
  private readonly keyOf: (object: T) => string;

  /** @param keyOf - the key of an object passed to {@link StoreModel.apply} (default `namespace/name`). */
  constructor(keyOf: (object: T) => string = keyOfObject) {
    this.keyOf = keyOf;
  }

  /** Reflections for a list of batches, the first always emitted (like reflect's first list). */
  static reflections<T>(batches: readonly (readonly Op<T>[])[]): Reflection<T>[] {
    const m = new StoreModel<T>();
    return batches.map((b, i) => m.batch(b, { first: i === 0 }));
  }

  /** The model as a Snapshot, as the real store would hold it. */
  snapshot(): Snapshot<T> {
    let objects = HamtMap.empty<T>();
    for (const [k, o] of this.objects) objects = objects.set(k, o);
    return new StoreSnapshot(objects, this.resourceVersion);
  }

  /**
   * Applies a batch of ops and returns the Reflection for it: deltas in op order, `previous` on
   * updates, deletes and resyncs of absent keys ignored. Throws `empty batch` when nothing changed
   * and the batch is not the first (reflect would emit nothing).
   */
  batch(ops: readonly Op<T>[], options: { first?: boolean } = {}): Reflection<T> {
    const deltas: Delta<T>[] = [];
    for (const op of ops) {
      const key = op[1];
      const previous = this.objects.get(key);
      if (op[0] === 'put') {
        this.objects.set(key, op[2]);
        deltas.push(previous === undefined ? { type: 'added', key, object: op[2] } : { type: 'updated', key, object: op[2], previous });
      } else if (previous === undefined) {
        continue;
      } else if (op[0] === 'del') {
        this.objects.delete(key);
        deltas.push({ type: 'deleted', key, object: previous });
      } else {
        deltas.push({ type: 'synced', key, object: previous });
      }
    }
    this.resourceVersion = String(++this.batches);
    if (deltas.length === 0 && !options.first) throw new Error('empty batch');
    return { snapshot: this.snapshot(), deltas };
  }

  /** Applies a list/watch event as `reflect` does; returns the expected deltas, or undefined when nothing must be emitted. */
  apply(e: ListWatchEvent<T & KubeObject>): Delta<T>[] | undefined {
    switch (e.type) {
      case 'LIST_START':
        this.buffer = new Map();
        this.order = [];
        return undefined;
      case 'LIST_PAGE':
        for (const o of e.items) this.bufferPut(o);
        return undefined;
      case 'LIST_DONE':
        return this.listDone(e.resourceVersion);
      case 'ADDED':
      case 'MODIFIED': {
        if (this.buffer) return this.bufferPut(e.object);
        if (!this.synced) return undefined;
        const k = this.keyOf(e.object);
        const prev = this.objects.get(k);
        if (prev !== undefined && rvOf(prev) === rvOf(e.object)) return undefined;
        this.objects.set(k, e.object);
        this.resourceVersion = rvOf(e.object)!;
        return [prev === undefined ? { type: 'added', key: k, object: e.object } : { type: 'updated', key: k, object: e.object, previous: prev }];
      }
      case 'DELETED': {
        const k = this.keyOf(e.object);
        if (this.buffer) {
          this.buffer.delete(k);
          return undefined;
        }
        if (!this.synced || !this.objects.has(k)) return undefined;
        this.objects.delete(k);
        this.resourceVersion = rvOf(e.object)!;
        return [{ type: 'deleted', key: k, object: e.object }];
      }
      case 'BOOKMARK':
        if (!this.buffer && this.synced) this.resourceVersion = rvOf(e.object)!;
        return undefined;
      case 'WATCH_START':
        this.buffer = undefined;
        return undefined;
      default:
        return undefined;
    }
  }

  /** Swaps the listed objects in: deletes (final state unknown) first, then updates and adds in list order. */
  private listDone(resourceVersion: string): Delta<T>[] | undefined {
    const buffer = this.buffer;
    if (buffer === undefined) return undefined;
    this.buffer = undefined;
    const deltas: Delta<T>[] = [];
    for (const [k, o] of this.objects) if (!buffer.has(k)) deltas.push({ type: 'deleted', key: k, object: o, finalStateUnknown: true });
    for (const k of new Set(this.order)) {
      const o = buffer.get(k);
      if (o === undefined) continue;
      const prev = this.objects.get(k);
      if (prev === undefined) deltas.push({ type: 'added', key: k, object: o });
      else if (prev !== o) deltas.push({ type: 'updated', key: k, object: o, previous: prev });
    }
    this.resourceVersion = resourceVersion;
    if (this.synced && deltas.length === 0) return undefined;
    this.synced = true;
    this.objects.clear();
    for (const [k, o] of buffer) this.objects.set(k, o);
    return deltas;
  }

  /** A listed object; one whose resourceVersion is the stored one keeps the stored identity. */
  private bufferPut(o: T): undefined {
    if (!this.buffer) return undefined;
    const k = this.keyOf(o);
    const prev = this.objects.get(k);
    const stored = prev !== undefined && rvOf(prev) === rvOf(o) ? prev : o;
    if (!this.buffer.has(k)) this.order.push(k);
    this.buffer.set(k, stored);
    return undefined;
  }
}

/**
 * Previous snapshot + deltas = next snapshot: applies `deltas` to a copy of `before`. With
 * `strict`, asserts the delta protocol on the way: `added` only for an absent key, `updated`,
 * `deleted` and `synced` only for a present one, and an update's `previous` is the object held.
 */
export function applyDeltas<T>(before: ReadonlyMap<string, T>, deltas: readonly Delta<T>[], options: { strict?: boolean } = {}): Map<string, T> {
  const m = new Map(before);
  for (const d of deltas) {
    if (options.strict) {
      expect(m.has(d.key), `${d.type} ${d.key}`).toBe(d.type !== 'added');
      if (d.type === 'updated') expect(d.previous).toBe(m.get(d.key));
    }
    if (d.type === 'deleted') m.delete(d.key);
    else m.set(d.key, d.object);
  }
  return m;
}
