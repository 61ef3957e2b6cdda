import { Observable, type OperatorFunction } from 'rxjs';
import type { ObjectCallbackError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import type { Delta, Reflection } from '../model/reflection.ts';
import { freezeFresh, shareStructure } from '../store/freeze.ts';
import { applyEvent, emptyStoreState, type StorePolicy } from '../store/apply-event.ts';
import { objectKey } from '../store/object-key.ts';
import { StoreSnapshot } from '../store/snapshot.ts';
import { guardKeyOf, guardTransform, skipObject, skipOrFail } from './internal/object-callbacks.ts';

/**
 * Options of {@link reflect}.
 *
 * @example
 * ```ts
 * import type { ReflectOptions, KubeObject } from 'rxkube';
 * const options: ReflectOptions<KubeObject> = {
 *   structuralSharing: true,
 *   transform: (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, seen: 'yes' } } }),
 * };
 * ```
 */
export interface ReflectOptions<T> {
  /**
   * The store key of an object. Applied to objects as received, before `transform`.
   * @defaultValue {@link objectKey} (`namespace/name`, or `name`)
   */
  keyOf?: (obj: T) => string;
  /**
   * Deep-freeze every object (and every Reflection and delta) before it is stored or emitted, so
   * that code mutating a cached object throws instead of corrupting every other reader's view.
   * Freezing is a development check, like React's: it costs 15–20 % of the watch throughput, and
   * production builds turn it off. The default follows `process.env.NODE_ENV`, read as that literal
   * expression so that bundlers (Vite, webpack, esbuild, Rollup's replace plugin) compile it into
   * browser builds: `'production'` turns freezing off; anything else, or no `process` at all (a
   * browser page without a bundler), keeps it on. Pass `freeze` to decide explicitly.
   * @defaultValue `process.env.NODE_ENV !== 'production'`, evaluated when `reflect()` is called
   */
  freeze?: boolean;
  /**
   * Replace each subtree of an updated object that deep-equals the same subtree of its previous
   * version by the previous one (see `shareStructure` in `store/freeze.ts`): updates then keep the identity of
   * unchanged parts, and memoised UI components do not re-render. Costs one comparison per update.
   * @defaultValue `false`
   */
  structuralSharing?: boolean;
  /**
   * Applied to every object before it is stored (list items and watch objects, including the
   * object of a `DELETED` event), e.g. to add a derived field. (To drop `metadata.managedFields`,
   * use the transports' `omitManagedFields` instead: it never builds the field, where a `delete`
   * here would slow every later read of the object.) Must be idempotent, may
   * mutate its argument, and must keep the key and `metadata.resourceVersion`. It is not called
   * for a relisted object whose resourceVersion equals the stored one: the stored object is kept.
   * @defaultValue none
   */
  transform?: (obj: T) => T;
  /**
   * What to do when `keyOf` or `transform` throws on one object. Given a hook, the object is
   * skipped — the store keeps what it had for that key: nothing for a new object, the previous
   * version for an updated, relisted or deleted one — and the hook receives an
   * {@link ObjectCallbackError} naming the callback and the key; the stream goes on. If the hook
   * throws, the stream errors with what it threw.
   * @defaultValue none: the stream errors with what the callback threw
   */
  onObjectError?: (error: ObjectCallbackError) => void;
}

function defaultFreeze(): boolean {
  try {
    // The literal expression, not `globalThis.process?.env`: bundlers replace only the literal.
    return process.env.NODE_ENV !== 'production';
  } catch {
    return true;
  }
}

/**
 * Turns the list/watch narrative into a store: emits an immutable {@link Snapshot} and the
 * {@link Delta}s that produced it, once per change.
 *
 * `reflect` is the store half of client-go's reflector + informer: it buffers each (re)list and
 * swaps it in atomically (client-go's `ReplacedAll`), applies watch events one at a time, and
 * never copies the store per event: snapshots are persistent maps, so one costs O(1) to take and a
 * change costs O(log₃₂ n).
 *
 * 1. `LIST_START` opens a fresh buffer (a second `LIST_START` abandons the first). Inside the
 *    bracket, `LIST_PAGE` items and `ADDED`/`MODIFIED` put objects into the buffer, `DELETED`
 *    removes one, `BOOKMARK` is ignored.
 * 2. `LIST_DONE` swaps the buffer in and emits one Reflection whose deltas are the diff against
 *    the previous snapshot: first a `deleted` with `finalStateUnknown: true` for every key that
 *    vanished (object: the last known state; in no particular order), then, in list order (first
 *    appearance), `updated` (with `previous`) for every object whose resourceVersion changed and
 *    `added` for every new key. An object whose resourceVersion did not change keeps its old
 *    identity and makes no delta. A relist that changed nothing emits nothing. The first
 *    `LIST_DONE` always emits, with every object `added` — and with no delta at all when the
 *    collection is empty, so a UI learns it has synced.
 * 3. After that, outside a bracket: `ADDED`/`MODIFIED` emit `added` if the key is absent, else
 *    `updated` (client-go treats both event types alike); an object whose resourceVersion equals
 *    the stored one changes nothing and emits nothing. `DELETED` emits `deleted` carrying the
 *    event's object, or nothing for an unknown key. `BOOKMARK` only records its resourceVersion:
 *    nothing is emitted, the next snapshot carries it.
 * 4. `BACKOFF` is ignored, and so is `WATCH_START`, except that it abandons an open bracket (a
 *    watch never starts inside one, so the list failed): later watch events apply to the store
 *    instead of a buffer that would never be swapped in.
 *
 * The snapshot's `resourceVersion` is that of the last applied event, list or bookmark (last wins,
 * never compared numerically). Objects without `metadata.resourceVersion` always count as changed.
 *
 * Emission contract: nothing before the first `LIST_DONE` (a subscriber never sees a half-filled
 * store); then one Reflection per list that changed something and per effective watch event (one
 * delta). Object events that arrive before the first `LIST_START` are dropped, and a `LIST_DONE`
 * without a `LIST_START` is ignored: the list/watch loop always lists first. Completes and errors
 * with the source; errors when `keyOf` or `transform` throws (e.g. {@link InvalidObjectError} for
 * an object without `metadata.name`), unless `onObjectError` is given: then that object is skipped
 * and reported, and the stream goes on. Unsubscribing unsubscribes from the source. Each
 * subscription has its own store.
 *
 * Do not rely on the order of `deleted` deltas within a relist, nor on the object of a watch
 * `deleted` delta being the stored one: it is the server's final state of the object.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { reflect, type ListWatchEvent } from 'rxkube';
 * const events: ListWatchEvent[] = [
 *   { type: 'LIST_START', reason: 'initial', mode: 'list' },
 *   { type: 'LIST_PAGE', items: [{ metadata: { name: 'a', resourceVersion: '1' } }] },
 *   { type: 'LIST_DONE', resourceVersion: '1' },
 *   { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '2' } } },
 * ];
 * of(...events).pipe(reflect()).subscribe(({ snapshot, deltas }) => {
 *   console.log(snapshot.resourceVersion, deltas.map((d) => `${d.type} ${d.key}`));
 * });
 * // 1 [ 'added a' ]
 * // 2 [ 'updated a' ]
 * ```
 *
 * @param options - key function, freezing, structural sharing, transform.
 * @returns an operator from {@link ListWatchEvent}s to {@link Reflection}s.
 * @see {@link withIndex} to add indexes, {@link coalesce} to batch changes for a UI.
 */
export function reflect<T extends KubeObject = KubeObject>(
  options: ReflectOptions<T> = {},
): OperatorFunction<ListWatchEvent<T>, Reflection<T, never>> {
  const onObjectError = options.onObjectError;
  const keyOf = onObjectError === undefined ? (options.keyOf ?? objectKey) : guardKeyOf(options.keyOf ?? objectKey);
  const freeze = options.freeze ?? defaultFreeze();
  const sharing = options.structuralSharing ?? false;
  const transform = onObjectError === undefined ? options.transform : guardTransform(options.transform, options.keyOf ?? objectKey);

  const skipListed =
    onObjectError === undefined
      ? undefined
      : (err: unknown): string | undefined => {
          // A listed object a callback threw on keeps the version the store has (see onObjectError).
          const skipped = skipObject(err, onObjectError);
          return skipped.callback === 'transform' ? skipped.key : undefined;
        };
  const prepare = (raw: T, prev: T | undefined): T => {
    const obj = transform === undefined ? raw : transform(raw);
    if (sharing && prev !== undefined) return shareStructure(prev, obj, freeze);
    return freeze ? freezeFresh(obj) : obj;
  };
  const policy: StorePolicy<T> = { keyOf, prepare, onListedObjectError: skipListed };

  return (source) =>
    new Observable<Reflection<T>>((subscriber) => {
      const state = emptyStoreState<T>();
      return source.subscribe({
        next: (event) => {
          let deltas: Delta<T>[] | undefined;
          try {
            deltas = applyEvent(state, event, policy);
          } catch (err) {
            skipOrFail(err, onObjectError, (e) => subscriber.error(e));
            return;
          }
          if (deltas === undefined) return;
          const r = { snapshot: new StoreSnapshot<T>(state.objects, state.resourceVersion), deltas };
          if (freeze) {
            for (let i = 0; i < deltas.length; i++) Object.freeze(deltas[i]);
            Object.freeze(deltas);
            Object.freeze(r);
          }
          subscriber.next(r);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
