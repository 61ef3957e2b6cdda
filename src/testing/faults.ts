import type { Status } from '../index.ts';
import { qualifiedResource } from './resource-def.ts';
import type { RequestInfo, ServerState, WatchConnection } from './server-state.ts';
import { expired, failure, internalError, serviceUnavailable, tooManyRequests } from './status.ts';

/**
 * Which requests an injected failure answers: a predicate, or fields that must all match
 * (`verb`: `list`, `watch`, `get`, …; `resource`: `pods`, `deployments.apps`).
 *
 * @example
 * ```ts
 * import type { RequestMatcher } from 'rxkube/testing';
 * const watchesOfPods: RequestMatcher = { verb: 'watch', resource: 'pods' };
 * ```
 */
export type RequestMatcher =
  | ((req: RequestInfo) => boolean)
  | {
      /** Only this verb. */
      readonly verb?: RequestInfo['verb'];
      /** Only this resource (`pods` or `deployments.apps`). */
      readonly resource?: string;
      /** Only this namespace. */
      readonly namespace?: string;
    };

/**
 * Options of {@link SimulatedFaults.failNext}.
 *
 * @example
 * ```ts
 * import type { FailNextOptions } from 'rxkube/testing';
 * const opts: FailNextOptions = { count: 3, match: { verb: 'list' }, retryAfterSeconds: 2 };
 * ```
 */
export interface FailNextOptions {
  /**
   * How many matching requests to answer with the failure.
   * @defaultValue 1
   */
  readonly count?: number;
  /**
   * Which requests; discovery and health checks are never matched by the default.
   * @defaultValue every resource request
   */
  readonly match?: RequestMatcher;
  /**
   * For 429/503/504: the `Retry-After` header and `details.retryAfterSeconds`.
   * @defaultValue 1
   */
  readonly retryAfterSeconds?: number;
}

/**
 * Which open watches a stream fault applies to.
 *
 * @example
 * ```ts
 * import type { WatchSelection } from 'rxkube/testing';
 * const podsInDefault: WatchSelection = { resource: 'pods', namespace: 'default' };
 * ```
 */
export interface WatchSelection {
  /**
   * Only watches of this resource (`pods`, `deployments.apps`).
   * @defaultValue all
   */
  readonly resource?: string;
  /**
   * Only watches of this namespace.
   * @defaultValue all
   */
  readonly namespace?: string;
}

/**
 * Fault injection for a {@link SimulatedApiServer}. Stream faults act on the watches open at the
 * time of the call and return how many they touched; request faults (`failNext`) wait for the
 * next matching requests.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer } from 'rxkube/testing';
 * const server = await createSimulatedApiServer();
 * server.faults.failNext(429, { match: { verb: 'list' }, retryAfterSeconds: 1 });
 * server.faults.compact();            // old resourceVersions and continue tokens now get 410
 * server.faults.dropWatches();        // every open watch connection is reset
 * await server.close();
 * ```
 */
export interface SimulatedFaults {
  /** Resets every selected watch connection (or ends it normally with `graceful`). */
  dropWatches(options?: WatchSelection & { readonly graceful?: boolean }): number;
  /**
   * Cuts the next event of each selected watch: writes part of its line, then resets the socket.
   * `midLine` writes half the bytes; `midChar` stops inside the first multi-byte UTF-8 character
   * (half the line if there is none).
   */
  cutWatches(mode: 'midLine' | 'midChar', options?: WatchSelection): number;
  /**
   * Delivers the next event of each selected watch in two chunks split inside its first
   * multi-byte character, `delayMs` apart; the stream then goes on (a decoder test).
   */
  splitNextEvent(options?: WatchSelection & { readonly delayMs?: number }): number;
  /** Selected watches stop writing anything (no events, bookmarks or timeout) but stay open. */
  stallWatches(options?: WatchSelection): number;
  /**
   * Answers the next matching requests with an error: 429 (`Retry-After`), 500, 503, 504 (the
   * too-large-resourceVersion form with its cause), 410 (Expired), or any Status given in full.
   * Throws a `TypeError` for an option it does not know (`times` instead of `count`) or a count
   * that is not a positive integer.
   */
  failNext(code: 410 | 429 | 500 | 503 | 504 | Status, options?: FailNextOptions): void;
  /** Writes an ERROR event carrying `status` on the selected watches, then ends them. */
  sendErrorEvent(status: Status, options?: WatchSelection): number;
  /** Writes a line that is not JSON on the selected watches (they stay open). */
  sendMalformedLine(options?: WatchSelection & { readonly line?: string }): number;
  /** Writes an event of an unknown type on the selected watches (they stay open). */
  sendUnknownEventType(options?: WatchSelection & { readonly type?: string }): number;
  /** Writes one valid-JSON line of about `bytes` bytes (a huge annotation on a MODIFIED event). */
  sendOversizedLine(bytes: number, options?: WatchSelection): number;
  /**
   * Compacts every resource's history up to `resourceVersion` (default: now). Watches from, Exact
   * lists at, and continue tokens of older revisions then get 410 Expired.
   */
  compact(resourceVersion?: string | number): void;
  /**
   * Emulates an apiserver restart with etcd intact: every watch is reset, every history is
   * dropped (as if compacted at the current revision), objects and the revision counter stay.
   */
  restart(): void;
}

function selected(state: ServerState, sel: WatchSelection | undefined): WatchConnection[] {
  return [...state.watches].filter((w) =>
    (sel?.resource === undefined || qualifiedResource(w.def) === sel.resource || w.def.plural === sel.resource) &&
    (sel?.namespace === undefined || w.namespace === sel.namespace));
}

/** Builds a request predicate from a matcher. */
export function toPredicate(match: RequestMatcher | undefined): (req: RequestInfo) => boolean {
  if (typeof match === 'function') return match;
  return (req) =>
    req.resource !== undefined &&
    (match?.verb === undefined || req.verb === match.verb) &&
    (match?.resource === undefined || req.resource === match.resource || req.resource.split('.')[0] === match.resource) &&
    (match?.namespace === undefined || req.namespace === match.namespace);
}

function statusFor(code: 410 | 429 | 500 | 503 | 504, retryAfter: number, current: number): Status {
  switch (code) {
    case 410: return expired(`too old resource version: 1 (${current})`);
    case 429: return tooManyRequests(retryAfter);
    case 500: return internalError('injected fault');
    case 503: return serviceUnavailable();
    case 504: return failure(504, 'Timeout', `Timeout: Too large resource version: ${current + 1000}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: retryAfter,
    });
  }
}

/** Creates the fault injector over a server's shared state. */
export function createFaults(state: ServerState): SimulatedFaults {
  const each = (sel: WatchSelection | undefined, f: (w: WatchConnection) => void): number => {
    const ws = selected(state, sel);
    ws.forEach(f);
    return ws.length;
  };
  return {
    dropWatches: (o) => each(o, (w) => (o?.graceful === true ? w.end() : w.destroy())),
    cutWatches: (mode, o) => each(o, (w) => w.armCut(mode)),
    splitNextEvent: (o) => each(o, (w) => w.armSplit(o?.delayMs ?? 50)),
    stallWatches: (o) => each(o, (w) => w.stall()),
    failNext(code, o) {
      // Plain JavaScript callers get no type check: a misspelt option (times for count) would
      // silently fail one request instead of several.
      const unknown = Object.keys(o ?? {}).filter((k) => k !== 'count' && k !== 'match' && k !== 'retryAfterSeconds');
      if (unknown.length > 0) throw new TypeError(`failNext: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; the options are count, match and retryAfterSeconds`);
      if (o?.count !== undefined && !(Number.isInteger(o.count) && o.count >= 1)) throw new TypeError(`failNext: count must be a positive integer, not ${String(o.count)}`);
      const retryAfter = o?.retryAfterSeconds ?? 1;
      const status = typeof code === 'number' ? statusFor(code, retryAfter, state.clock.current) : code;
      const c = status.code ?? 500;
      const headers: Record<string, string> = c === 429 || c === 503 || c === 504 ? { 'Retry-After': String(status.details?.retryAfterSeconds ?? retryAfter) } : {};
      state.failures.push({ remaining: o?.count ?? 1, match: toPredicate(o?.match), status, headers });
    },
    sendErrorEvent: (status, o) => each(o, (w) => {
      w.writeLine(JSON.stringify({ type: 'ERROR', object: status }));
      w.end();
    }),
    sendMalformedLine: (o) => each(o, (w) => w.writeLine(o?.line ?? '{"type":"MODIFIED","object":{"metadata":')),
    sendUnknownEventType: (o) => each(o, (w) => w.writeLine(JSON.stringify({ type: o?.type ?? 'SURPRISE', object: { kind: w.def.kind, apiVersion: 'v1', metadata: { name: 'surprise', resourceVersion: String(state.clock.current) } } }))),
    sendOversizedLine: (bytes, o) => each(o, (w) => w.writeLine(JSON.stringify({
      type: 'MODIFIED',
      object: { kind: w.def.kind, metadata: { name: 'oversized', namespace: w.namespace ?? 'default', resourceVersion: String(state.clock.current), annotations: { big: 'x'.repeat(Math.max(0, bytes - 200)) } } },
    }))),
    compact(rv) {
      const target = rv === undefined ? state.clock.current : Number(rv);
      for (const s of state.stores.values()) s.compact(target);
    },
    restart() {
      for (const w of [...state.watches]) w.destroy();
      for (const s of state.stores.values()) s.compact(state.clock.current);
    },
  };
}
