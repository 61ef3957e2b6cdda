import { WatchStreamError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ObjectList } from '../model/wire.ts';
import { isRecord } from '../model/is-record.ts';
import { requireObjectMeta } from './decode-watch-event.ts';

/**
 * Checks that a parsed list response is a page an informer can use and returns it in the
 * {@link ObjectList} shape.
 *
 * Rules:
 * 1. the value is an object with `metadata.resourceVersion` a string;
 * 2. `items` is an array (`null`, which Go servers write for an empty slice, counts as `[]`);
 * 3. every item is an object with string `metadata.name` and `metadata.resourceVersion`;
 * 4. `metadata.continue` is kept only when it is a non-empty string (the last page has none or
 *    an empty one), `metadata.remainingItemCount` only when it is a number, `metadata.shardInfo`
 *    only when its `selector` is a string.
 *
 * The items array is reused, not copied; `kind`, `apiVersion` and other top-level fields of the
 * list are dropped.
 *
 * @example
 * ```ts
 * import { decodeObjectList } from 'rxkube/wire';
 * const page = decodeObjectList(JSON.parse('{"kind":"PodList","metadata":{"resourceVersion":"9","continue":""},"items":[]}'));
 * page.metadata; // { resourceVersion: '9' }
 * ```
 *
 * @param value - a parsed list response body.
 * @returns the page.
 * @throws {@link index.WatchStreamError} `InvalidEvent` when a rule is broken.
 */
export function decodeObjectList<T extends KubeObject = KubeObject>(value: unknown): ObjectList<T> {
  if (!isRecord(value)) throw new WatchStreamError('InvalidEvent', 'list response is not an object');
  const metadata = value['metadata'];
  requireListMetadata(metadata);
  const rawItems = value['items'] === null ? [] : value['items'];
  if (!Array.isArray(rawItems)) throw new WatchStreamError('InvalidEvent', 'list response has no items array');
  for (let i = 0; i < rawItems.length; i++) requireObjectMeta(`list item ${i}`, rawItems[i], true);
  return objectListPage(metadata, rawItems as T[]);
}

/**
 * Rule 1 of {@link decodeObjectList}: the list's `metadata` is an object with a string
 * `resourceVersion`.
 *
 * @internal
 */
export function requireListMetadata(metadata: unknown): asserts metadata is Record<string, unknown> & { resourceVersion: string } {
  if (!isRecord(metadata) || typeof metadata['resourceVersion'] !== 'string') {
    throw new WatchStreamError('InvalidEvent', 'list response has no string metadata.resourceVersion');
  }
}

/**
 * Rule 4 of {@link decodeObjectList}: the page from checked metadata and items.
 *
 * @internal
 */
export function objectListPage<T>(metadata: Record<string, unknown> & { resourceVersion: string }, items: T[]): ObjectList<T> {
  const page: ObjectList<T> = { metadata: { resourceVersion: metadata.resourceVersion }, items };
  const token = metadata['continue'];
  if (typeof token === 'string' && token !== '') page.metadata.continue = token;
  const remaining = metadata['remainingItemCount'];
  if (typeof remaining === 'number') page.metadata.remainingItemCount = remaining;
  const shardInfo = metadata['shardInfo'];
  if (typeof shardInfo === 'object' && shardInfo !== null && typeof (shardInfo as { selector?: unknown }).selector === 'string') {
    page.metadata.shardInfo = { selector: (shardInfo as { selector: string }).selector };
  }
  return page;
}
