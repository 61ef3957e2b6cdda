import { Observable, type OperatorFunction } from 'rxjs';
import type { ObjectCallbackError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import type { Delta, Reflection } from '../model/reflection.ts';
import { freezeFresh, shareStructure } from '../store/freeze.ts';
import { HamtMap, type TransientHamt } from '../store/hamt.ts';
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

function rvOf(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata?.resourceVersion;
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

  return (source) =>
    new Observable<Reflection<T>>((subscriber) => {
      let objects = HamtMap.empty<T>();
      let resourceVersion = '';
      let synced = false;
      // The open (re)list: its objects, their keys in order of first appearance, how many of them
      // were already in `objects` (so vanished keys are searched for only when some exist), and
      // whether a key left the bracket (then `order` may repeat it).
      let buffer: TransientHamt<T> | undefined;
      let order: string[] = [];
      let kept = 0;
      let reordered = false;

      const prepare = (raw: T, prev: T | undefined): T => {
        const obj = transform === undefined ? raw : transform(raw);
        if (sharing && prev !== undefined) return shareStructure(prev, obj, freeze);
        return freeze ? freezeFresh(obj) : obj;
      };

      const reflection = (deltas: Delta<T>[]): Reflection<T> => {
        const r = { snapshot: new StoreSnapshot<T>(objects, resourceVersion), deltas };
        if (freeze) {
          for (let i = 0; i < deltas.length; i++) Object.freeze(deltas[i]);
          Object.freeze(deltas);
          Object.freeze(r);
        }
        return r;
      };

      const bufferPut = (buf: TransientHamt<T>, raw: T): void => {
        const key = keyOf(raw);
        // Every map here uses the default hash, so one hash serves the store and the buffer.
        const hash = objects.hashOf(key);
        const prev = objects.getHashed(hash, key);
        const rv = rvOf(raw);
        const obj = prev !== undefined && rv !== undefined && rvOf(prev) === rv ? prev : prepare(raw, prev);
        if (buf.setHashed(hash, key, obj)) {
          order.push(key);
          if (prev !== undefined) kept++;
        }
      };

      // A listed object a callback threw on keeps the version the store has (see onObjectError).
      const bufferPutOrKeep = (buf: TransientHamt<T>, raw: T): void => {
        try {
          bufferPut(buf, raw);
        } catch (err) {
          const skipped = skipObject(err, onObjectError);
          const key = skipped.callback === 'transform' ? skipped.key : undefined;
          const prev = key === undefined ? undefined : objects.get(key);
          if (prev !== undefined && buf.setHashed(objects.hashOf(key!), key!, prev)) {
            order.push(key!);
            kept++;
          }
        }
      };

      const bufferDelete = (buf: TransientHamt<T>, raw: T): void => {
        const key = keyOf(raw);
        const hash = objects.hashOf(key);
        if (buf.deleteHashed(hash, key)) {
          reordered = true;
          if (objects.hasHashed(hash, key)) kept--;
        }
      };

      const listDone = (buf: TransientHamt<T>, rv: string): Reflection<T> | undefined => {
        const next = buf.persistent();
        const old = objects;
        const deltas: Delta<T>[] = [];
        if (kept < old.size) {
          old.forEach((obj, key) => {
            if (!next.has(key)) deltas.push({ type: 'deleted', key, object: obj, finalStateUnknown: true });
          });
        }
        const seen = reordered ? new Set<string>() : undefined;
        for (const key of order) {
          if (seen !== undefined) {
            if (seen.has(key)) continue;
            seen.add(key);
          }
          const hash = next.hashOf(key);
          const obj = next.getHashed(hash, key);
          if (obj === undefined) continue;
          const prev = old.getHashed(hash, key);
          if (prev === undefined) deltas.push({ type: 'added', key, object: obj });
          else if (prev !== obj) deltas.push({ type: 'updated', key, object: obj, previous: prev });
        }
        buffer = undefined;
        order = [];
        resourceVersion = rv;
        // An unchanged relist keeps the old map (equal contents, better sharing) and the old snapshot.
        if (synced && deltas.length === 0) return undefined;
        objects = next;
        synced = true;
        return reflection(deltas);
      };

      const put = (raw: T): Reflection<T> | undefined => {
        const key = keyOf(raw);
        const hash = objects.hashOf(key);
        const prev = objects.getHashed(hash, key);
        const rv = rvOf(raw);
        if (prev !== undefined && rv !== undefined && rvOf(prev) === rv) return undefined;
        const obj = prepare(raw, prev);
        if (obj === prev) return undefined;
        objects = objects.setHashed(hash, key, obj);
        if (rv !== undefined) resourceVersion = rv;
        if (prev === undefined) return reflection([{ type: 'added', key, object: obj }]);
        // The stored key string rather than the one just built: downstream maps keyed by it then
        // match on identity instead of comparing characters.
        return reflection([{ type: 'updated', key: HamtMap.previousKey ?? key, object: obj, previous: prev }]);
      };

      const remove = (raw: T): Reflection<T> | undefined => {
        const key = keyOf(raw);
        const after = objects.delete(key);
        if (after === objects) return undefined;
        const prev = HamtMap.previous as T;
        const storedKey = HamtMap.previousKey ?? key;
        const obj = prepare(raw, prev);
        objects = after;
        const rv = rvOf(raw);
        if (rv !== undefined) resourceVersion = rv;
        return reflection([{ type: 'deleted', key: storedKey, object: obj }]);
      };

      const handle = (event: ListWatchEvent<T>): Reflection<T> | undefined => {
        switch (event.type) {
          case 'LIST_START':
            buffer = HamtMap.empty<T>().asTransient();
            order = [];
            kept = 0;
            reordered = false;
            return undefined;
          case 'LIST_PAGE':
            if (buffer !== undefined) for (const item of event.items) bufferPutOrKeep(buffer, item);
            return undefined;
          case 'LIST_DONE':
            return buffer === undefined ? undefined : listDone(buffer, event.resourceVersion);
          case 'WATCH_START':
            buffer = undefined;
            order = [];
            return undefined;
          case 'ADDED':
          case 'MODIFIED':
            if (buffer !== undefined) bufferPutOrKeep(buffer, event.object);
            else if (synced) return put(event.object);
            return undefined;
          case 'DELETED':
            if (buffer !== undefined) bufferDelete(buffer, event.object);
            else if (synced) return remove(event.object);
            return undefined;
          case 'BOOKMARK':
            if (buffer === undefined && synced) {
              const rv = rvOf(event.object);
              if (rv !== undefined) resourceVersion = rv;
            }
            return undefined;
          default:
            return undefined;
        }
      };

      return source.subscribe({
        next: (event) => {
          let out: Reflection<T> | undefined;
          try {
            out = handle(event);
          } catch (err) {
            skipOrFail(err, onObjectError, (e) => subscriber.error(e));
            return;
          }
          if (out !== undefined) subscriber.next(out);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
