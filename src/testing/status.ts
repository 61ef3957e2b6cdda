import type { Status, StatusCause } from '../index.ts';
import { qualifiedResource, type ResourceDef } from './resource-def.ts';

/** A `Status` with the HTTP code it is served with. Internal to the simulated server. */
export class StatusResponse extends Error {
  override readonly name = 'StatusResponse';
  /** The Status document. */
  readonly status: Status;
  /** Extra response headers (Retry-After). */
  readonly headers: Readonly<Record<string, string>>;

  /** @param status - the document; `code` is the HTTP status. */
  constructor(status: Status, headers: Record<string, string> = {}) {
    super(status.message);
    this.status = status;
    this.headers = headers;
  }
}

/** Builds a `Failure` Status shaped like the real server's (field order included). */
export function failure(code: number, reason: string, message: string, details?: Status['details'], metadata: Status['metadata'] = {}): Status {
  const s: { -readonly [K in keyof Status]: Status[K] } = { kind: 'Status', apiVersion: 'v1', metadata, status: 'Failure', message, reason };
  if (details !== undefined) s.details = details;
  s.code = code;
  return s;
}

function objectDetails(def: ResourceDef, name: string): NonNullable<Status['details']> {
  return def.group === '' ? { name, kind: def.plural } : { name, group: def.group, kind: def.plural };
}

/** 404 for a named object. */
export function notFound(def: ResourceDef, name: string): Status {
  return failure(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, objectDetails(def, name));
}

/** The `Success` Status a DELETE answers for a resource without graceful deletion. */
export function deleteSuccess(def: ResourceDef, name: string, uid: string | undefined): Status {
  const details: { -readonly [K in keyof NonNullable<Status['details']>]: NonNullable<Status['details']>[K] } = objectDetails(def, name);
  if (uid !== undefined) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** 404 for a namespace that does not exist (NamespaceLifecycle admission on create). */
export function namespaceNotFound(namespace: string): Status {
  return failure(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
}

/** The etcd store's message for a watch from a compacted revision (watch cache disabled). */
export const WATCH_TOO_OLD_MESSAGE = 'The resourceVersion for the provided watch is too old.';

/** 404 for an unknown path. */
export function pathNotFound(): Status {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 409 on create of an existing name. */
export function alreadyExists(def: ResourceDef, name: string): Status {
  return failure(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, objectDetails(def, name));
}

/** 409 on a resourceVersion precondition failure. */
export function conflict(def: ResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`, objectDetails(def, name));
}

/** 410 Expired with the given message (and optionally a fresh continue token). */
export function expired(message: string, continueToken?: string): Status {
  return failure(410, 'Expired', message, undefined, continueToken === undefined ? {} : { continue: continueToken });
}

/** The watch cache's message for a resourceVersion that left the history. */
export function tooOldResourceVersion(requested: number, oldest: number): Status {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

/** The etcd store's message for an Exact list of a compacted revision. */
export const LIST_TOO_OLD_MESSAGE = 'The resourceVersion for the provided list is too old.';

/** The etcd store's message for a continue token whose revision was compacted. */
export const CONTINUE_TOO_OLD_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** 504 for a resourceVersion the server has not reached. */
export function tooLargeResourceVersion(requested: number, current: number): Status {
  return failure(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** A field error as the apiserver's `field.Error` renders it. */
export interface FieldError {
  /** The field path, e.g. `resourceVersionMatch`. */
  readonly field: string;
  /** `FieldValueForbidden`, `FieldValueNotSupported`, `FieldValueInvalid`. */
  readonly type: 'FieldValueForbidden' | 'FieldValueNotSupported' | 'FieldValueInvalid';
  /** The body after `<field>: `, e.g. `Forbidden: …`. */
  readonly body: string;
}

/** `field.Forbidden`. */
export function forbidden(field: string, detail: string): FieldError {
  return { field, type: 'FieldValueForbidden', body: `Forbidden: ${detail}` };
}

/** `field.NotSupported`. */
export function notSupported(field: string, value: string, supported: readonly string[]): FieldError {
  return { field, type: 'FieldValueNotSupported', body: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` };
}

/** 422 Invalid for ListOptions, as `errors.NewInvalid(meta.k8s.io/ListOptions, "", errs)` renders it. */
export function invalidListOptions(errs: readonly FieldError[]): Status {
  const rendered = errs.map((e) => `${e.field}: ${e.body}`);
  const list = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.body, field: e.field }));
  return failure(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${list}`, { group: 'meta.k8s.io', kind: 'ListOptions', causes });
}

/** 400 BadRequest. */
export function badRequest(message: string): Status {
  return failure(400, 'BadRequest', message);
}

/** 401 Unauthorized. */
export function unauthorized(): Status {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(method: string): Status {
  return failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, { causes: [{ message: `method ${method} not allowed` }] });
}

/** 406 NotAcceptable. */
export function notAcceptable(accept: string): Status {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1 (got ${accept})`);
}

/** 415 UnsupportedMediaType. */
export function unsupportedMediaType(contentType: string): Status {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`);
}

/** 429 from priority-and-fairness. */
export function tooManyRequests(retryAfterSeconds: number): Status {
  return failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds });
}

/** 500 InternalError. */
export function internalError(message: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** 503 ServiceUnavailable. */
export function serviceUnavailable(message = 'the server is currently unable to handle the request'): Status {
  return failure(503, 'ServiceUnavailable', message);
}
