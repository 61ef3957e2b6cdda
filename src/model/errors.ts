import type { Status } from './kube-object.ts';

/**
 * An error answered by the API server: an HTTP error response, or an `ERROR` event in a watch
 * stream. Carries the HTTP status `code`, the Status `reason` and, on 429/503/504, the server's
 * retry hint.
 *
 * rxkube accepts any error of this shape (an object with a numeric `code`) from a custom
 * {@link ListWatch}; anything else is treated as a transport failure.
 *
 * Whether a retry helps depends on the code: 410 needs a relist, 429 and 5xx are retried after a
 * backoff, 401/403 are retried too (credentials may be rotated) but usually need a human.
 *
 * @example
 * ```ts
 * import { ApiError } from 'rxkube';
 * const e = new ApiError({ code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' });
 * e.code; // 410
 * ```
 */
export class ApiError extends Error {
  /** Always `'ApiError'`. */
  override readonly name = 'ApiError';
  /** HTTP status code. */
  readonly code: number;
  /** The Status reason (`Expired`, `TooManyRequests`, …), when the server sent one. */
  readonly reason: string | undefined;
  /** Seconds the server asked us to wait, from `Retry-After` or the Status details. */
  readonly retryAfterSeconds: number | undefined;
  /** The server's Status document, when it sent one. */
  readonly status: Status | undefined;

  /**
   * @param init - the code and what else is known; `status` fills the rest.
   */
  constructor(init: { code: number; reason?: string; message?: string; retryAfterSeconds?: number; status?: Status }) {
    const message = init.message ?? init.status?.message ?? `API server answered ${init.code}`;
    super(message);
    this.code = init.code;
    this.reason = init.reason ?? init.status?.reason;
    this.retryAfterSeconds = init.retryAfterSeconds ?? init.status?.details?.retryAfterSeconds;
    this.status = init.status;
  }

  /**
   * Builds an ApiError from a Status document (e.g. the object of an `ERROR` watch event).
   *
   * @example
   * ```ts
   * import { ApiError } from 'rxkube';
   * ApiError.fromStatus({ code: 410, reason: 'Expired' }).reason; // 'Expired'
   * ```
   */
  static fromStatus(status: Status, fallbackCode = 500): ApiError {
    const code = typeof status.code === 'number' && Number.isFinite(status.code) ? status.code : fallbackCode;
    return new ApiError({ code, status });
  }
}

/**
 * Why a watch stream was rejected by rxkube's parser. Every reason ends the watch; the list/watch
 * loop then relists, so no state is lost.
 *
 * - `MalformedJson`: a line is not valid JSON.
 * - `LineTooLong`: a line exceeds the configured limit (default 16 MiB).
 * - `UnknownEventType`: `type` is not one of ADDED, MODIFIED, DELETED, BOOKMARK, ERROR.
 * - `InvalidEvent`: the event or its object is not an object, or lacks the metadata an informer needs.
 * - `Truncated`: the stream ended in the middle of a line.
 */
export type WatchStreamErrorReason = 'MalformedJson' | 'LineTooLong' | 'UnknownEventType' | 'InvalidEvent' | 'Truncated';

/**
 * A watch or list body that rxkube refuses to interpret. Never retried as is: the loop relists
 * (or, for `Truncated`, resumes from the last resourceVersion).
 *
 * The message names the reason and the byte offset but never includes request headers.
 *
 * @example
 * ```ts
 * import { WatchStreamError } from 'rxkube';
 * const e = new WatchStreamError('UnknownEventType', 'unknown watch event type "SURPRISE"');
 * e.reason; // 'UnknownEventType'
 * ```
 */
export class WatchStreamError extends Error {
  /** Always `'WatchStreamError'`. */
  override readonly name = 'WatchStreamError';
  /** What was wrong with the stream. */
  readonly reason: WatchStreamErrorReason;

  /**
   * @param reason - what was wrong.
   * @param message - a human-readable description.
   */
  constructor(reason: WatchStreamErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * A watch that delivered no byte (not even a bookmark) for longer than the configured stall
 * limit. The transport aborts the request and the loop resumes from the last resourceVersion.
 *
 * @example
 * ```ts
 * import { WatchStalledError } from 'rxkube';
 * new WatchStalledError(60_000).idleMs; // 60000
 * ```
 */
export class WatchStalledError extends Error {
  /** Always `'WatchStalledError'`. */
  override readonly name = 'WatchStalledError';
  /** How long the stream had been silent. */
  readonly idleMs: number;

  /** @param idleMs - how long the stream had been silent. */
  constructor(idleMs: number) {
    super(`watch stalled: no data for ${idleMs} ms`);
    this.idleMs = idleMs;
  }
}

/**
 * An object the store cannot keep: it is not an object, or it has no `metadata.name` to key it by.
 * Thrown by {@link objectKey}; inside {@link reflect} it errors the stream. A retry does not help
 * unless the source stops sending the object.
 *
 * @example
 * ```ts
 * import { InvalidObjectError, objectKey } from 'rxkube';
 * try {
 *   objectKey({ metadata: {} });
 * } catch (e) {
 *   e instanceof InvalidObjectError; // true
 * }
 * ```
 */
export class InvalidObjectError extends Error {
  /** Always `'InvalidObjectError'`. */
  override readonly name = 'InvalidObjectError';
  /** The offending value. */
  readonly object: unknown;

  /**
   * @param message - what is missing.
   * @param object - the offending value.
   */
  constructor(message: string, object: unknown) {
    super(message);
    this.object = object;
  }
}

/**
 * A snapshot was asked for an index that no {@link withIndex} upstream maintains. A programming
 * error: add the `withIndex` operator, or fix the index name; a retry does not help.
 *
 * @example
 * ```ts
 * import { UnknownIndexError } from 'rxkube';
 * new UnknownIndexError('byNode').index; // 'byNode'
 * ```
 */
export class UnknownIndexError extends Error {
  /** Always `'UnknownIndexError'`. */
  override readonly name = 'UnknownIndexError';
  /** The index name asked for. */
  readonly index: string;

  /** @param index - the index name asked for. */
  constructor(index: string) {
    super(`index "${index}" does not exist`);
    this.index = index;
  }
}

/**
 * Two {@link withIndex} operators in one pipeline use the same index name. The stream errors with
 * it on the first Reflection; a retry does not help.
 *
 * @example
 * ```ts
 * import { IndexConflictError } from 'rxkube';
 * new IndexConflictError('namespace').message; // 'indexer conflict: index "namespace" already exists'
 * ```
 */
export class IndexConflictError extends Error {
  /** Always `'IndexConflictError'`. */
  override readonly name = 'IndexConflictError';
  /** The index name used twice. */
  readonly index: string;

  /** @param index - the index name used twice. */
  constructor(index: string) {
    super(`indexer conflict: index "${index}" already exists`);
    this.index = index;
  }
}

/** Which user callback of an informer pipeline threw on an object (see {@link ObjectCallbackError}). */
export type ObjectCallback = 'keyOf' | 'transform' | 'index';

/**
 * A user callback — `keyOf` or `transform` of {@link reflect}, an index function of
 * {@link withIndex} — threw on one object. With an `onObjectError` hook (an {@link informer}
 * always has one) the object is skipped and this error is passed to the hook; without one, the
 * stream errors with what the callback threw.
 *
 * A retry does not help unless the object or the callback changes: the same object makes the
 * same callback throw again.
 *
 * @example
 * ```ts
 * import { ObjectCallbackError } from 'rxkube';
 * const e = new ObjectCallbackError({ callback: 'transform', key: 'shop/web-0', object: {}, cause: new TypeError('x is undefined') });
 * e.message; // 'transform threw on shop/web-0: x is undefined'
 * ```
 */
export class ObjectCallbackError extends Error {
  /** Always `'ObjectCallbackError'`. */
  override readonly name = 'ObjectCallbackError';
  /** The callback that threw. */
  readonly callback: ObjectCallback;
  /** The object's store key, or, when `keyOf` threw, its `namespace/name` if it has one. */
  readonly key: string | undefined;
  /** The index name, when an index function threw. */
  readonly index: string | undefined;
  /** The object the callback threw on, as received. */
  readonly object: unknown;

  /**
   * @param init - the callback, the key, the index name, the object, and what the callback threw (`cause`).
   */
  constructor(init: { callback: ObjectCallback; key?: string | undefined; index?: string | undefined; object: unknown; cause: unknown }) {
    const what = init.callback === 'index' ? `index function "${init.index ?? ''}"` : init.callback;
    const on = init.key === undefined ? 'an object without a key' : init.key;
    const why = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super(`${what} threw on ${on}: ${why}`, { cause: init.cause });
    this.callback = init.callback;
    this.key = init.key;
    this.index = init.index;
    this.object = init.object;
  }
}

/**
 * An optional peer dependency is not installed. rxkube's core needs only `rxjs`; `rxkube/kube`
 * and the `rxkube` command's kubeconfig support need `@kubernetes/client-node`, and
 * `rxkube/json-patch` needs `immer`. Thrown when the subpath is imported (or the kubeconfig
 * loaded); a retry does not help: install the package named in the message.
 *
 * @example
 * ```ts
 * import { MissingPeerDependencyError } from 'rxkube';
 * new MissingPeerDependencyError('immer', 'rxkube/json-patch').message;
 * // 'rxkube/json-patch needs the package immer, which is not installed: npm install immer'
 * ```
 */
export class MissingPeerDependencyError extends Error {
  /** Always `'MissingPeerDependencyError'`. */
  override readonly name = 'MissingPeerDependencyError';
  /** The npm package to install. */
  readonly packageName: string;
  /** What needs it: a subpath such as `rxkube/kube`. */
  readonly feature: string;

  /**
   * @param packageName - the npm package to install.
   * @param feature - what needs it.
   * @param cause - the module loader's error.
   */
  constructor(packageName: string, feature: string, cause?: unknown) {
    super(`${feature} needs the package ${packageName}, which is not installed: npm install ${packageName}`, cause === undefined ? undefined : { cause });
    this.packageName = packageName;
    this.feature = feature;
  }
}

/**
 * A shard (see `Shard`) or shard selector text that cannot be used: no ranges, a range outside
 * `[0, 2^64)` or with `start >= end`, an unknown field, or selector text that is not
 * `shardRange(…) || …`. A programming or configuration error; a retry does not help.
 *
 * @example
 * ```ts
 * import { InvalidShardError, parseShardSelector } from 'rxkube/shard';
 * try {
 *   parseShardSelector("shardRange(object.metadata.name, '0x0000000000000000', '0x8000000000000000')");
 * } catch (e) {
 *   e instanceof InvalidShardError; // true
 * }
 * ```
 */
export class InvalidShardError extends Error {
  /** Always `'InvalidShardError'`. */
  override readonly name = 'InvalidShardError';
}
