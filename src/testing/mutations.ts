import { randomUUID, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta, Status } from '../index.ts';
import type { RevisionClock } from './clock.ts';
import { apiVersionOf, objectKey } from './resource-def.ts';
import type { ResourceStore } from './resource-store.ts';
import { alreadyExists, badRequest, conflict, failure, notFound, StatusResponse } from './status.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type AnyObject = KubeObject & { readonly [k: string]: unknown };

function fail(status: Status): never {
  throw new StatusResponse(status);
}

function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function typed(def: import('./resource-def.ts').ResourceDef, body: KubeObject, metadata: object): KubeObject {
  // kind and apiVersion first, like the apiserver's encoder.
  return Object.assign({ kind: def.kind, apiVersion: apiVersionOf(def) }, body, { kind: def.kind, apiVersion: apiVersionOf(def), metadata });
}

function spec(obj: KubeObject): unknown {
  const { metadata: _m, status: _s, kind: _k, apiVersion: _a, ...rest } = obj as AnyObject;
  return rest;
}

/** Freezes `o` and everything under it. */
export function freezeDeep<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) freezeDeep(v);
  }
  return o;
}

function checkNamespace(store: ResourceStore, body: KubeObject, namespace: string | undefined): string | undefined {
  if (!store.def.namespaced) return undefined;
  const bodyNs = body.metadata?.namespace;
  if (namespace !== undefined && bodyNs !== undefined && bodyNs !== '' && bodyNs !== namespace) {
    fail(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  }
  const ns = namespace ?? (bodyNs === '' ? undefined : bodyNs) ?? 'default';
  return ns;
}

/** Drops empty `labels`/`annotations` maps, which the apiserver's encoder omits (omitempty). */
function dropEmptyMaps(metadata: Record<string, unknown>): void {
  for (const key of ['labels', 'annotations']) {
    const v = metadata[key];
    if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) delete metadata[key];
  }
}

function checkBody(body: unknown): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) fail(badRequest('the body of the request must be a JSON object'));
  return body as KubeObject;
}

/**
 * Creates an object: fills uid, creationTimestamp, resourceVersion, generation, kind/apiVersion
 * and the namespace (from the URL, else the body, else `default`); supports `generateName`.
 */
export function createObject(store: ResourceStore, clock: RevisionClock, rawBody: unknown, namespace: string | undefined): KubeObject {
  const body = checkBody(rawBody);
  const def = store.def;
  const ns = checkNamespace(store, body, namespace);
  let name = body.metadata?.name;
  const generateName = (body.metadata as { generateName?: string } | undefined)?.generateName;
  if ((name === undefined || name === '') && generateName !== undefined && generateName !== '') {
    do {
      name = generateName + randomBytes(4).toString('hex').slice(0, 5);
    } while (store.get(objectKey(def, ns, name)) !== undefined);
  }
  if (name === undefined || name === '') {
    throw new StatusResponse(failure(422, 'Invalid', `${def.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: def.kind, causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }] }));
  }
  const key = objectKey(def, ns, name);
  if (store.get(key) !== undefined) fail(alreadyExists(def, name));
  const rv = clock.next();
  const metadata: Mutable<ObjectMeta> & Record<string, unknown> = { ...body.metadata, name };
  if (ns !== undefined) metadata.namespace = ns;
  else delete metadata.namespace;
  metadata.uid = randomUUID();
  metadata.resourceVersion = String(rv);
  if (def.generation !== false) metadata.generation = 1;
  else delete metadata.generation;
  metadata.creationTimestamp = nowTimestamp();
  delete metadata.deletionTimestamp;
  dropEmptyMaps(metadata);
  const object = freezeDeep(structuredClone(typed(def, body, metadata)));
  store.commit({ type: 'ADDED', rv, key, object, previous: undefined });
  return object;
}

/**
 * Replaces an object. A `metadata.resourceVersion` in the body is a precondition (409 Conflict
 * when stale); without one the update is unconditional. uid and creationTimestamp are kept;
 * generation is bumped when anything outside metadata and status changed. A no-op update commits
 * nothing and returns the stored object, like etcd's guaranteed update.
 */
export function updateObject(store: ResourceStore, clock: RevisionClock, rawBody: unknown, namespace: string | undefined, urlName: string | undefined): KubeObject {
  const body = checkBody(rawBody);
  const def = store.def;
  const ns = checkNamespace(store, body, namespace);
  const name = body.metadata?.name ?? urlName;
  if (name === undefined || name === '') fail(badRequest('name is required'));
  if (urlName !== undefined && name !== urlName) fail(badRequest(`the name of the object (${name}) does not match the name on the URL (${urlName})`));
  const key = objectKey(def, ns, name);
  const current = store.get(key);
  if (current === undefined) fail(notFound(def, name));
  const wanted = body.metadata?.resourceVersion;
  if (wanted !== undefined && wanted !== '' && wanted !== current.metadata?.resourceVersion) fail(conflict(def, name));
  const metadata: Mutable<ObjectMeta> & Record<string, unknown> = { ...body.metadata, name };
  if (ns !== undefined) metadata.namespace = ns;
  metadata.uid = current.metadata?.uid;
  metadata.creationTimestamp = (current.metadata as { creationTimestamp?: string } | undefined)?.creationTimestamp;
  if (def.generation !== false) metadata.generation = current.metadata?.generation ?? 1;
  else delete metadata.generation;
  metadata.resourceVersion = current.metadata?.resourceVersion;
  dropEmptyMaps(metadata);
  const candidate = structuredClone(typed(def, body, metadata));
  if (isDeepStrictEqual(candidate, current)) return current;
  const rv = clock.next();
  const m = candidate.metadata as Mutable<ObjectMeta>;
  if (def.generation !== false && !isDeepStrictEqual(spec(candidate), spec(current))) m.generation = (current.metadata?.generation ?? 1) + 1;
  m.resourceVersion = String(rv);
  const object = freezeDeep(candidate);
  store.commit({ type: 'MODIFIED', rv, key, object, previous: current });
  return object;
}

/**
 * Deletes an object (no finalizers) and returns its last state. For resources with graceful
 * deletion (pods) the object is first updated with `deletionTimestamp` and
 * `deletionGracePeriodSeconds: 0` (generation bumped; a MODIFIED event), then removed at the next
 * revision, as kube-apiserver does for a pod with no node.
 */
export function deleteObject(store: ResourceStore, clock: RevisionClock, namespace: string | undefined, name: string, preconditions?: { uid?: string; resourceVersion?: string }): KubeObject {
  return deleteObjectSteps(store, clock, namespace, name, preconditions).deleted;
}

/** {@link deleteObject}, also returning the graceful-deletion update, if there was one. */
export function deleteObjectSteps(store: ResourceStore, clock: RevisionClock, namespace: string | undefined, name: string, preconditions?: { uid?: string; resourceVersion?: string }): { marked: KubeObject | undefined; deleted: KubeObject } {
  const def = store.def;
  const key = objectKey(def, def.namespaced ? namespace ?? 'default' : undefined, name);
  const current = store.get(key);
  if (current === undefined) fail(notFound(def, name));
  if (preconditions?.uid !== undefined && preconditions.uid !== current.metadata?.uid) {
    fail(conflict(def, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`));
  }
  if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata?.resourceVersion) {
    fail(conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion ?? ''}`));
  }
  let last = current;
  let marked: KubeObject | undefined;
  if (def.gracefulDeletion === true) {
    const markRv = clock.next();
    const meta: Mutable<ObjectMeta> & Record<string, unknown> = { ...current.metadata, resourceVersion: String(markRv) };
    if (def.generation !== false) meta.generation = (current.metadata?.generation ?? 1) + 1;
    meta.deletionTimestamp = nowTimestamp();
    meta.deletionGracePeriodSeconds = 0;
    marked = freezeDeep({ ...current, metadata: meta });
    store.commit({ type: 'MODIFIED', rv: markRv, key, object: marked, previous: current });
    last = marked;
  }
  const rv = clock.next();
  const object = freezeDeep({ ...last, metadata: { ...last.metadata, resourceVersion: String(rv) } });
  store.commit({ type: 'DELETED', rv, key, object, previous: last });
  return { marked, deleted: object };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Applies a merge patch to the stored object and updates it (the patch's resourceVersion, if any, is a precondition). */
export function patchObject(store: ResourceStore, clock: RevisionClock, patch: unknown, namespace: string | undefined, name: string): KubeObject {
  const def = store.def;
  const key = objectKey(def, def.namespaced ? namespace ?? 'default' : undefined, name);
  const current = store.get(key);
  if (current === undefined) fail(notFound(def, name));
  const merged = mergePatch(structuredClone(current), patch) as KubeObject;
  const patchRv = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  const body = { ...merged, metadata: { ...merged.metadata, resourceVersion: typeof patchRv === 'string' ? patchRv : current.metadata?.resourceVersion } };
  return updateObject(store, clock, body, def.namespaced ? namespace ?? 'default' : undefined, name);
}
