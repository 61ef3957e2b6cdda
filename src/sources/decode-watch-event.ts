import { WatchStreamError } from '../model/errors.ts';
import type { KubeObject, Status } from '../model/kube-object.ts';
import type { WatchEvent } from '../model/wire.ts';
import { isRecord } from '../model/is-record.ts';

/**
 * Checks that a parsed watch-stream line is a watch event an informer can apply, and returns it
 * typed. The value is returned as is (not copied).
 *
 * Rules, after client-go's decoder and what the store needs:
 * 1. the value is an object with a string `type` among `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`,
 *    `ERROR` — otherwise `WatchStreamError('UnknownEventType')` (a value that is not an object at
 *    all is `InvalidEvent`);
 * 2. `object` is a non-null, non-array object — otherwise `InvalidEvent`;
 * 3. `ADDED`, `MODIFIED` and `DELETED` objects carry string `metadata.name` and
 *    `metadata.resourceVersion`; `BOOKMARK` objects carry a string `metadata.resourceVersion` —
 *    otherwise `InvalidEvent`;
 * 4. `ERROR` events are returned unchanged (their object is a {@link Status}): deciding what an
 *    ERROR means (410 → relist, …) is the list/watch loop's job.
 *
 * Error messages name the event type and which field is wrong, never the object's content.
 *
 * @example
 * ```ts
 * import { decodeWatchEvent } from 'rxkube/wire';
 * const event = decodeWatchEvent(JSON.parse('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"7"}}}'));
 * event.type; // 'BOOKMARK'
 * ```
 *
 * @param value - one parsed line of a watch stream.
 * @returns the same value, typed as a {@link WatchEvent}.
 * @throws {@link index.WatchStreamError} `UnknownEventType` or `InvalidEvent`.
 */
export function decodeWatchEvent<T extends KubeObject = KubeObject>(value: unknown): WatchEvent<T> {
  if (!isRecord(value)) throw new WatchStreamError('InvalidEvent', `watch event is not an object (${describe(value)})`);
  const type = value['type'];
  const object = value['object'];
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      requireObjectMeta(type, object, true);
      return value as WatchEvent<T>;
    case 'BOOKMARK':
      requireObjectMeta(type, object, false);
      return value as WatchEvent<T>;
    case 'ERROR':
      if (!isRecord(object)) throw new WatchStreamError('InvalidEvent', `ERROR event without an object (${describe(object)})`);
      return { type: 'ERROR', object: object as Status };
    default:
      throw new WatchStreamError(
        'UnknownEventType',
        typeof type === 'string' ? `unknown watch event type ${JSON.stringify(type.slice(0, 64))}` : `watch event without a string "type" (${describe(type)})`,
      );
  }
}

/**
 * Checks that `object` can be kept in a store: a non-null object with string `metadata.resourceVersion`
 * and, when `needsName`, string `metadata.name`.
 *
 * @internal
 */
export function requireObjectMeta(context: string, object: unknown, needsName: boolean): asserts object is KubeObject {
  const problem = objectMetaProblem(object, needsName);
  if (problem !== undefined) throw new WatchStreamError('InvalidEvent', `${context}: ${problem}`);
}

/**
 * What {@link requireObjectMeta} would reject `object` for, or `undefined` when it is fine. Lets a
 * hot loop check without building an error context string per object.
 *
 * @internal
 */
export function objectMetaProblem(object: unknown, needsName: boolean): string | undefined {
  if (!isRecord(object)) return `object is not an object (${describe(object)})`;
  const metadata = object['metadata'];
  if (!isRecord(metadata)) return 'object has no metadata';
  if (needsName && (typeof metadata['name'] !== 'string' || metadata['name'] === '')) return 'object has no string metadata.name';
  if (typeof metadata['resourceVersion'] !== 'string') return 'object has no string metadata.resourceVersion';
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
