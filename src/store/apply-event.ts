/**
 * Internal, not API: the store's state and the one function that applies a list/watch event to it
 * — what {@link reflect} does, without RxJS (kube-rs's `Store::apply_watcher_event`).
 *
 * The state is a transient owned by one writer: {@link applyEvent} edits it in place and returns
 * the deltas of the change. Everything a reader keeps is persistent — `state.objects` is a new
 * {@link HamtMap} after every change and earlier ones never change — so a snapshot taken from the
 * state stays valid for ever. Editing in place rather than returning a new state record saves an
 * allocation per event on the hot path; nothing else differs.
 *
 * @internal
 * @packageDocumentation
 */
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import type { Delta } from '../model/reflection.ts';
import { HamtMap, type FoundKey } from './hamt.ts';
import { closeRelist, openRelist, relistDelete, relistPut, type Relist } from './relist.ts';

/**
 * What the store holds between events. Mutable; one writer.
 * @internal
 */
export interface StoreState<T> {
  /** The objects as of the last change; replaced (never edited) by each change. */
  objects: HamtMap<T>;
  /** That of the last applied change, list or bookmark. */
  resourceVersion: string;
  /** Whether a list has completed: until then nothing is applied outside a bracket. */
  synced: boolean;
  /** The open (re)list, if any. */
  relist: Relist<T> | undefined;
  /** Scratch for {@link HamtMap.getEntryHashed}: the stored key of the entry an event looked up. */
  readonly found: FoundKey;
}

/** The state before any event. @internal */
export function emptyStoreState<T>(): StoreState<T> {
  return { objects: HamtMap.empty<T>(), resourceVersion: '', synced: false, relist: undefined, found: { key: undefined } };
}

/**
 * How objects enter the store: the caller's key function and object preparation (transform,
 * structural sharing, freezing), and what to do when one of them throws on a listed object.
 * @internal
 */
export interface StorePolicy<T> {
  /** The store key of an object as received. */
  readonly keyOf: (obj: T) => string;
  /** The object to store for `raw`, given the stored version for its key (`undefined` if none). */
  readonly prepare: (raw: T, prev: T | undefined) => T;
  /**
   * Called with what `keyOf` or `prepare` threw on a listed object. Returns the key whose stored
   * version the new list keeps (the object is skipped), `undefined` to skip it with nothing kept;
   * throws to fail. Without it, the error propagates.
   */
  readonly onListedObjectError?: (err: unknown) => string | undefined;
}

function rvOf(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata?.resourceVersion;
}

/**
 * Applies one event to `state` (edited in place) and returns the deltas of the change, or
 * `undefined` when there is nothing to report (no change, or not synced yet). The rules are those
 * documented on {@link reflect}: a bracket `LIST_START … LIST_DONE` builds a new state aside and
 * swaps it in with the diff as deltas (an unchanged relist reports nothing, the first always
 * reports, possibly with no delta); watch events apply one at a time, an object whose
 * resourceVersion equals the stored one changes nothing; `BOOKMARK` only moves the
 * resourceVersion; `WATCH_START` abandons an open bracket; `BACKOFF` is ignored.
 *
 * Throws what `policy.keyOf` or `policy.prepare` throws on a watch event; the state is then
 * unchanged.
 *
 *
 * @example
 * ```ts
 * import { applyEvent, emptyStoreState, type StorePolicy } from './apply-event.ts'; // internal, not API
 * import { objectKey } from './object-key.ts';
 * const policy: StorePolicy<{ metadata: { name: string; resourceVersion: string } }> = { keyOf: objectKey, prepare: (raw) => raw };
 * const state = emptyStoreState<{ metadata: { name: string; resourceVersion: string } }>();
 * applyEvent(state, { type: 'LIST_START', reason: 'initial', mode: 'list' }, policy); // undefined
 * applyEvent(state, { type: 'LIST_PAGE', items: [{ metadata: { name: 'a', resourceVersion: '1' } }] }, policy); // undefined
 * applyEvent(state, { type: 'LIST_DONE', resourceVersion: '1' }, policy); // [{ type: 'added', key: 'a', … }]
 * applyEvent(state, { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '2' } } }, policy); // [{ type: 'updated', … }]
 * state.objects.get('a')?.metadata.resourceVersion; // '2'
 * ```
 * @internal
 */
export function applyEvent<T extends KubeObject>(state: StoreState<T>, event: ListWatchEvent<T>, policy: StorePolicy<T>): Delta<T>[] | undefined {
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED':
      if (state.relist !== undefined) relistObject(state, state.relist, event.object, policy);
      else if (state.synced) return applyPut(state, event.object, policy);
      return undefined;
    case 'DELETED':
      if (state.relist !== undefined) relistRemove(state, state.relist, event.object, policy);
      else if (state.synced) return applyDelete(state, event.object, policy);
      return undefined;
    case 'LIST_START':
      state.relist = openRelist<T>();
      return undefined;
    case 'LIST_PAGE': {
      const relist = state.relist;
      if (relist !== undefined) for (const item of event.items) relistObject(state, relist, item, policy);
      return undefined;
    }
    case 'LIST_DONE':
      return state.relist === undefined ? undefined : applyListDone(state, state.relist, event.resourceVersion);
    case 'BOOKMARK':
      if (state.relist === undefined && state.synced) {
        const rv = rvOf(event.object);
        if (rv !== undefined) state.resourceVersion = rv;
      }
      return undefined;
    case 'WATCH_START':
      state.relist = undefined;
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A watch `ADDED`/`MODIFIED` outside a bracket: `added` or `updated`, or nothing when the stored
 * object has the same resourceVersion or `prepare` returned the stored object.
 * @internal
 */
export function applyPut<T extends KubeObject>(state: StoreState<T>, raw: T, policy: StorePolicy<T>): Delta<T>[] | undefined {
  const key = policy.keyOf(raw);
  const objects = state.objects;
  const hash = objects.hashOf(key);
  const found = state.found;
  const prev = objects.getEntryHashed(hash, key, found);
  const rv = rvOf(raw);
  if (prev !== undefined && rv !== undefined && rvOf(prev) === rv) return undefined;
  const obj = policy.prepare(raw, prev);
  if (obj === prev) return undefined;
  state.objects = objects.setHashed(hash, key, obj);
  if (rv !== undefined) state.resourceVersion = rv;
  if (prev === undefined) return [{ type: 'added', key, object: obj }];
  // The stored key string rather than the one just built: downstream maps keyed by it (indexes,
  // derived views) then match on identity instead of comparing characters. `found` is this
  // state's own, so a `prepare` that feeds another store in between cannot overwrite it.
  return [{ type: 'updated', key: found.key!, object: obj, previous: prev }];
}

/**
 * A watch `DELETED` outside a bracket: `deleted` carrying the prepared event object, or nothing
 * for an unknown key.
 * @internal
 */
export function applyDelete<T extends KubeObject>(state: StoreState<T>, raw: T, policy: StorePolicy<T>): Delta<T>[] | undefined {
  const key = policy.keyOf(raw);
  const objects = state.objects;
  const hash = objects.hashOf(key);
  const prev = objects.getEntryHashed(hash, key, state.found);
  if (prev === undefined) return undefined;
  const stored = state.found.key!;
  const obj = policy.prepare(raw, prev);
  state.objects = objects.deleteHashed(hash, key);
  const rv = rvOf(raw);
  if (rv !== undefined) state.resourceVersion = rv;
  return [{ type: 'deleted', key: stored, object: obj }];
}

/** `LIST_DONE`: swaps the relist in; the diff as deltas, or `undefined` when a synced store did not change. */
function applyListDone<T>(state: StoreState<T>, relist: Relist<T>, rv: string): Delta<T>[] | undefined {
  const deltas: Delta<T>[] = [];
  const next = closeRelist(state.objects, relist, deltas);
  state.relist = undefined;
  state.resourceVersion = rv;
  // An unchanged relist keeps the old map (equal contents, better sharing) and the old snapshot.
  if (state.synced && deltas.length === 0) return undefined;
  state.objects = next;
  state.synced = true;
  return deltas;
}

/** A listed (or streamed) object into the relist; the stored object is kept when its resourceVersion is unchanged. */
function relistObject<T extends KubeObject>(state: StoreState<T>, relist: Relist<T>, raw: T, policy: StorePolicy<T>): void {
  const objects = state.objects;
  let key: string;
  let obj: T;
  let hash: number;
  let prev: T | undefined;
  try {
    key = policy.keyOf(raw);
    hash = objects.hashOf(key);
    prev = objects.getHashed(hash, key);
    const rv = rvOf(raw);
    obj = prev !== undefined && rv !== undefined && rvOf(prev) === rv ? prev : policy.prepare(raw, prev);
  } catch (err) {
    if (policy.onListedObjectError === undefined) throw err;
    // The object is skipped; the new list keeps the version the store has, if the hook names one.
    const kept = policy.onListedObjectError(err);
    const stored = kept === undefined ? undefined : objects.get(kept);
    if (stored !== undefined) relistPut(relist, objects.hashOf(kept!), kept!, stored, true);
    return;
  }
  relistPut(relist, hash, key, obj, prev !== undefined);
}

function relistRemove<T extends KubeObject>(state: StoreState<T>, relist: Relist<T>, raw: T, policy: StorePolicy<T>): void {
  const key = policy.keyOf(raw);
  const hash = state.objects.hashOf(key);
  relistDelete(relist, hash, key, state.objects.hasHashed(hash, key));
}
