import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../index.ts';
import type { RevisionClock } from './clock.ts';
import { freezeDeep } from './mutations.ts';
import { apiVersionOf, objectKey, type ResourceDef } from './resource-def.ts';
import type { ResourceStore } from './resource-store.ts';
import { badRequest, StatusResponse } from './status.ts';

function keyOf(def: ResourceDef, obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new StatusResponse(badRequest('a recorded object has no metadata.name'));
  return objectKey(def, def.namespaced ? obj.metadata?.namespace ?? 'default' : undefined, name);
}

/** The object as the server stores it: kind and apiVersion first (list items of built-ins carry none), frozen. */
function stored(def: ResourceDef, obj: KubeObject): KubeObject {
  return freezeDeep({ kind: def.kind, apiVersion: apiVersionOf(def), ...obj });
}

/** Moves the clock to a recorded revision, which must be an integer ahead of it. */
function advance(clock: RevisionClock, resourceVersion: string | undefined): number {
  const rv = Number(resourceVersion);
  if (!clock.advanceTo(rv)) {
    throw new StatusResponse(badRequest(`recorded resourceVersion ${JSON.stringify(resourceVersion)} is not an integer after the server's ${clock.current}`));
  }
  return rv;
}

/**
 * Makes a resource's state exactly `items` at revision `resourceVersion`, keeping every object's
 * own resourceVersion: commits the differences at that revision, then compacts the history up to
 * it (a watch from before it gets 410, as after a relist the recorder saw).
 */
export function restoreState(store: ResourceStore, clock: RevisionClock, items: readonly KubeObject[], resourceVersion: string): void {
  const def = store.def;
  const wanted = new Map<string, KubeObject>();
  for (const item of items) wanted.set(keyOf(def, item), stored(def, item));
  const rv = advance(clock, resourceVersion);
  for (const key of [...store.sortedKeys()]) {
    const current = store.get(key)!;
    if (!wanted.has(key)) store.commit({ type: 'DELETED', rv, key, object: current, previous: current });
  }
  for (const [key, object] of wanted) {
    const current = store.get(key);
    if (current === undefined) store.commit({ type: 'ADDED', rv, key, object, previous: undefined });
    else if (!isDeepStrictEqual(current, object)) store.commit({ type: 'MODIFIED', rv, key, object, previous: current });
  }
  store.compact(rv);
}

/**
 * Commits one recorded watch event as it was recorded, at its own resourceVersion: `ADDED` or
 * `MODIFIED` store the object (which of the two follows the store), `DELETED` removes it (a
 * delete of an absent key is ignored).
 */
export function applyRecordedEvent(store: ResourceStore, clock: RevisionClock, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
  const def = store.def;
  const key = keyOf(def, obj);
  const current = store.get(key);
  if (type === 'DELETED' && current === undefined) return;
  const rv = advance(clock, obj.metadata?.resourceVersion);
  const object = stored(def, obj);
  if (type === 'DELETED') store.commit({ type: 'DELETED', rv, key, object, previous: current });
  else store.commit({ type: current === undefined ? 'ADDED' : 'MODIFIED', rv, key, object, previous: current });
}
