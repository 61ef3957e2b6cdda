import type { IncomingHttpHeaders } from 'node:http';

/**
 * One request the simulated server received, for assertions on query strings and headers.
 *
 * @example
 * ```ts
 * import type { RecordedRequest } from 'rxkube/testing';
 * const isWatch = (r: RecordedRequest) => r.query.get('watch') === 'true';
 * ```
 */
export interface RecordedRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The query parameters (a private copy). */
  readonly query: URLSearchParams;
  /** The query parameters as a plain record (last value wins). */
  readonly params: Readonly<Record<string, string>>;
  /** Request headers, without `authorization`. */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** `list`, `watch`, `get`, `create`, `update`, `patch`, `delete` or `other`. */
  readonly verb: 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete' | 'other';
  /** The qualified resource (`pods`, `deployments.apps`), if the path names one. */
  readonly resource: string | undefined;
}

/** Records a request (headers minus Authorization). */
export function recordRequest(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders, verb: RecordedRequest['verb'], resource: string | undefined): RecordedRequest {
  const { authorization: _a, ...rest } = headers;
  return { method, path, query: new URLSearchParams(query), params: Object.fromEntries(query), headers: rest, verb, resource };
}
