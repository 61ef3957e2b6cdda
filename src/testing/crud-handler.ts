import { sendJson } from './http-util.ts';
import { readJsonBody } from './http-util.ts';
import { contentType, negotiate, toPartial } from './media.ts';
import { createObject, deleteObjectSteps, patchObject, updateObject } from './mutations.ts';
import { objectKey } from './resource-def.ts';
import type { RoutedRequest, ServerState } from './server-state.ts';
import { badRequest, deleteSuccess, methodNotAllowed, namespaceNotFound, notAcceptable, notFound, StatusResponse, unsupportedMediaType } from './status.ts';

async function body(r: RoutedRequest): Promise<unknown> {
  try {
    return await readJsonBody(r.req);
  } catch (e) {
    throw new StatusResponse(badRequest(`error decoding request body: ${(e as Error).message}`));
  }
}

/** NamespaceLifecycle admission: with `requireNamespaces`, creates need an existing namespace. */
export function requireNamespace(state: ServerState, namespace: string | undefined): void {
  if (!state.options.requireNamespaces || namespace === undefined) return;
  if (state.stores.get('namespaces')?.get(namespace) === undefined) throw new StatusResponse(namespaceNotFound(namespace));
}

/** Answers GET of one object, POST, PUT, PATCH (merge and strategic-merge as merge) and DELETE. */
export async function handleCrud(state: ServerState, r: RoutedRequest): Promise<void> {
  const { store, name, info } = r;
  const def = store.def;
  const ns = def.namespaced ? info.namespace : undefined;
  const method = info.method;
  if (method === 'GET' && name !== undefined) {
    const rep = negotiate(r.req.headers.accept, false);
    if (rep === undefined) throw new StatusResponse(notAcceptable(r.req.headers.accept ?? ''));
    const obj = store.get(objectKey(def, ns, name));
    if (obj === undefined) throw new StatusResponse(notFound(def, name));
    sendJson(r.res, 200, rep.kind === 'metadata' ? toPartial(obj, rep.version) : obj, contentType(rep, false));
    return;
  }
  if (method === 'POST' && name === undefined) {
    const created = await body(r);
    if (def.namespaced) {
      const bodyNs = (created as { metadata?: { namespace?: unknown } } | undefined)?.metadata?.namespace;
      requireNamespace(state, ns ?? (typeof bodyNs === 'string' && bodyNs !== '' ? bodyNs : 'default'));
    }
    sendJson(r.res, 201, createObject(store, state.clock, created, ns));
    return;
  }
  if (method === 'PUT' && name !== undefined) {
    sendJson(r.res, 200, updateObject(store, state.clock, await body(r), ns, name));
    return;
  }
  if (method === 'PATCH' && name !== undefined) {
    const ct = (r.req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (ct !== 'application/merge-patch+json' && ct !== 'application/strategic-merge-patch+json') throw new StatusResponse(unsupportedMediaType(ct));
    sendJson(r.res, 200, patchObject(store, state.clock, await body(r), ns, name));
    return;
  }
  if (method === 'DELETE' && name !== undefined) {
    const opts = (await body(r)) as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined;
    const { marked, deleted } = deleteObjectSteps(store, state.clock, ns, name, opts?.preconditions);
    // Graceful deletion answers the object marked for deletion; an immediate one a Success Status.
    if (marked !== undefined) sendJson(r.res, 200, marked);
    else sendJson(r.res, 200, deleteSuccess(def, name, deleted.metadata?.uid));
    return;
  }
  throw new StatusResponse(methodNotAllowed(method));
}
