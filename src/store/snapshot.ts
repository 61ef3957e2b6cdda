import { UnknownIndexError } from '../model/errors.ts';
import type { Snapshot } from '../model/reflection.ts';
import { HamtMap } from './hamt.ts';
import type { IndexTable } from './index-table.ts';

const NO_RESULT: readonly never[] = Object.freeze([]);

/** @internal */
export interface NamedIndex<T> {
  readonly name: string;
  readonly table: IndexTable<T>;
}

function valuesOf<T>(entry: HamtMap<T> | undefined): readonly T[] {
  if (entry === undefined) return NO_RESULT;
  const out: T[] = [];
  entry.forEach((obj) => out.push(obj));
  return out;
}

function keysOf(entry: HamtMap<unknown> | undefined): readonly string[] {
  if (entry === undefined) return NO_RESULT;
  const out: string[] = [];
  entry.forEach((_obj, key) => out.push(key));
  return out;
}

/**
 * The {@link Snapshot} that {@link reflect} emits: a persistent map of objects, the resourceVersion
 * and the indexes added downstream by {@link withIndex}. Immutable; every change makes a new one
 * sharing structure with the old.
 *
 * @internal
 */
export class StoreSnapshot<T> implements Snapshot<T> {
  readonly resourceVersion: string;
  /** @internal */
  readonly objects: HamtMap<T>;
  /** @internal */
  readonly indexes: readonly NamedIndex<T>[];

  constructor(objects: HamtMap<T>, resourceVersion: string, indexes: readonly NamedIndex<T>[] = NO_RESULT) {
    this.objects = objects;
    this.resourceVersion = resourceVersion;
    this.indexes = indexes;
  }

  /** An empty snapshot. */
  static empty<T>(resourceVersion = ''): StoreSnapshot<T> {
    return new StoreSnapshot<T>(HamtMap.empty<T>(), resourceVersion);
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.objects.entries();
  }

  byIndex(index: string, value: string): readonly T[] {
    return valuesOf(this.table(index).get(value));
  }

  indexKeys(index: string, value: string): readonly string[] {
    return keysOf(this.table(index).get(value));
  }

  indexValues(index: string): readonly string[] {
    return [...this.table(index).keys()];
  }

  /** Whether this snapshot carries `index`. @internal */
  hasIndex(index: string): boolean {
    for (const i of this.indexes) if (i.name === index) return true;
    return false;
  }

  /** The same objects with `index` added or replaced, in O(number of indexes). @internal */
  withIndex(index: string, table: IndexTable<T>): StoreSnapshot<T> {
    const indexes = this.indexes.filter((i) => i.name !== index);
    indexes.push({ name: index, table });
    return new StoreSnapshot<T>(this.objects, this.resourceVersion, indexes);
  }

  private table(index: string): IndexTable<T> {
    const indexes = this.indexes;
    for (let i = 0; i < indexes.length; i++) if (indexes[i]!.name === index) return indexes[i]!.table;
    throw new UnknownIndexError(index);
  }
}

/**
 * A snapshot of another implementation with one more index: reads delegate to `base`, `index`
 * is answered here. Used when {@link withIndex} receives a snapshot that {@link reflect} did not make.
 *
 * @internal
 */
export class IndexedSnapshot<T> implements Snapshot<T> {
  readonly base: Snapshot<T>;
  readonly index: string;
  readonly table: IndexTable<T>;

  constructor(base: Snapshot<T>, index: string, table: IndexTable<T>) {
    this.base = base;
    this.index = index;
    this.table = table;
  }

  get resourceVersion(): string {
    return this.base.resourceVersion;
  }

  get size(): number {
    return this.base.size;
  }

  get(key: string): T | undefined {
    return this.base.get(key);
  }

  has(key: string): boolean {
    return this.base.has(key);
  }

  keys(): IterableIterator<string> {
    return this.base.keys();
  }

  values(): IterableIterator<T> {
    return this.base.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.base.entries();
  }

  byIndex(index: string, value: string): readonly T[] {
    return index === this.index ? valuesOf(this.table.get(value)) : this.base.byIndex(index, value);
  }

  indexKeys(index: string, value: string): readonly string[] {
    return index === this.index ? keysOf(this.table.get(value)) : this.base.indexKeys(index, value);
  }

  indexValues(index: string): readonly string[] {
    return index === this.index ? [...this.table.keys()] : this.base.indexValues(index);
  }
}

/** Whether `snapshot` answers `index`, for any implementation. @internal */
export function snapshotHasIndex(snapshot: Snapshot<unknown>, index: string): boolean {
  if (snapshot instanceof StoreSnapshot) return snapshot.hasIndex(index);
  try {
    snapshot.indexValues(index);
    return true;
  } catch (e) {
    if (e instanceof UnknownIndexError) return false;
    throw e;
  }
}
