import { sendJson } from './http-util.ts';
import { readJsonBody } from './http-util.ts';
import { contentType, negotiate, toPartial } from './media.ts';
import { createObject, deleteObject, patchObject, updateObject } from './mutations.ts';
import { objectKey } from './resource-def.ts';
import type { RoutedRequest, ServerState } from './server-state.ts';
import { badRequest, methodNotAllowed, notAcceptable, notFound, StatusResponse, unsupportedMediaType } from './status.ts';

async function body(r: RoutedRequest): Promise<unknown> {
  try {
    return await readJsonBody(r.req);
  } catch (e) {
    throw new StatusResponse(badRequest(`error decoding request body: ${(e as Error).message}`));
  }
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
    sendJson(r.res, 201, createObject(store, state.clock, await body(r), ns));
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
    sendJson(r.res, 200, deleteObject(store, state.clock, ns, name, opts?.preconditions));
    return;
  }
  throw new StatusResponse(methodNotAllowed(method));
}
