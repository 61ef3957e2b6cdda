/**
 * Not API. A {@link Snapshot} over a plain map of view rows, for the page side of the worker mode.
 * @internal
 * @packageDocumentation
 */
import { UnknownIndexError, type Snapshot } from '../../index.ts';

/** A frozen snapshot of `rows` (which the caller must never change afterwards); no index exists. */
export function rowSnapshot<R>(rows: ReadonlyMap<string, R>, resourceVersion: string): Snapshot<R> {
  const noIndex = (index: string): never => {
    throw new UnknownIndexError(index);
  };
  return Object.freeze({
    resourceVersion,
    size: rows.size,
    get: (key: string) => rows.get(key),
    has: (key: string) => rows.has(key),
    keys: () => rows.keys(),
    values: () => rows.values(),
    entries: () => rows.entries(),
    byIndex: noIndex,
    indexKeys: noIndex,
    indexValues: noIndex,
  });
}
