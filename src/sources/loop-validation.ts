import { ApiError, WatchStreamError } from '../model/errors.ts';
import type { KubeObject, Status } from '../model/kube-object.ts';
import type { ObjectEvent } from '../model/list-watch-event.ts';
import type { ObjectList, WatchEvent } from '../model/wire.ts';

const objectEventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

/**
 * The list/watch loop's one check of a watch event: an `ERROR` event becomes its
 * {@link ApiError}, anything an informer cannot store a `WatchStreamError`. A `trusted` source
 * (rxkube's own transports, whose decoder applied the same rules: see `markValidated`) skips the
 * checks, so each event is validated exactly once on its way in.
 *
 * @example
 * ```ts
 * import { acceptWatchEvent } from './loop-validation.ts'; // internal, not API
 * acceptWatchEvent({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '7' } } }, false); // the event
 * ```
 * @param event - the event as the source emitted it.
 * @param trusted - whether the source validated it already.
 * @returns the event, typed as a change or bookmark.
 * @throws {@link ApiError} for an `ERROR` event; {@link WatchStreamError} `InvalidEvent` or `UnknownEventType`.
 * @internal
 */
export function acceptWatchEvent<T extends KubeObject>(event: WatchEvent<T>, trusted: boolean): ObjectEvent<T> {
  if (trusted && event.type !== 'ERROR') return event;
  if (typeof event !== 'object' || event === null) throw new WatchStreamError('InvalidEvent', 'watch event is not an object');
  const type: unknown = event.type;
  if (type === 'ERROR') {
    const status: unknown = event.object;
    throw ApiError.fromStatus(typeof status === 'object' && status !== null ? (status as Status) : {});
  }
  if (typeof type !== 'string' || !objectEventTypes.has(type)) {
    throw new WatchStreamError('UnknownEventType', `unknown watch event type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
  const object = event.object as T | null | undefined;
  const metadata = typeof object === 'object' && object !== null ? object.metadata : undefined;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.resourceVersion !== 'string') {
    throw new WatchStreamError('InvalidEvent', `${type} event without metadata.resourceVersion`);
  }
  if (type !== 'BOOKMARK' && (typeof metadata.name !== 'string' || metadata.name === '')) {
    throw new WatchStreamError('InvalidEvent', `${type} event without metadata.name`);
  }
  return event as ObjectEvent<T>;
}

/**
 * The loop's one check of a list page from an untrusted source: the error an informer could not
 * store it for, or `undefined` when it is fine.
 *
 * @example
 * ```ts
 * import { invalidList } from './loop-validation.ts'; // internal, not API
 * invalidList({ metadata: { resourceVersion: '7' }, items: [] }); // undefined
 * ```
 * @param list - the page as the source emitted it.
 * @returns a `WatchStreamError` `InvalidEvent`, or `undefined`.
 * @internal
 */
export function invalidList(list: ObjectList<KubeObject>): Error | undefined {
  if (typeof list !== 'object' || list === null || !Array.isArray(list.items)) {
    return new WatchStreamError('InvalidEvent', 'list response without an items array');
  }
  if (typeof list.metadata?.resourceVersion !== 'string') {
    return new WatchStreamError('InvalidEvent', 'list response without metadata.resourceVersion');
  }
  for (const item of list.items) {
    const name: unknown = item?.metadata?.name;
    if (typeof name !== 'string' || name === '') return new WatchStreamError('InvalidEvent', 'list item without metadata.name');
  }
  return undefined;
}
