/**
 * Something that failed inside rxkube, as handed to an `onError` hook ({@link InformerOptions.onError},
 * {@link ReconcileOptions.onError}), so failures reach your logger instead of backing off in
 * silence.
 *
 * - `source` `'informer'`, `operation` `'list'` or `'watch'`: a request of the list/watch loop
 *   failed (a typo'd resource answers 404 here on every attempt); `request` says which. The loop
 *   retries after `retryInMs`.
 * - `source` `'informer'`, `operation` `'pipeline'`: a user callback (`keyOf`, `transform`, an
 *   index function) threw; `reflections$` errors, nothing is retried.
 * - `source` `'reconcile'`, `operation` `'reconcile'`: the reconciler failed for `key`; it runs
 *   again after `retryInMs` unless a change runs it sooner.
 *
 * `message` is one line built from the error's name, code, reason and message, safe to log:
 * rxkube never puts request headers, tokens or client certificates into errors or events.
 * `error` is the original value, for loggers that serialise errors (pino's `err`).
 *
 * @example
 * ```ts
 * import type { Failure } from 'rxkube';
 * const log = (f: Failure) => console.warn(f.message, { key: f.key, attempt: f.attempt });
 * ```
 */
export interface Failure {
  /** Which part of rxkube failed. */
  readonly source: 'informer' | 'reconcile';
  /** The informer's or controller's `name` option, when given. */
  readonly name: string | undefined;
  /** What failed: a list or watch request, a reconcile run, or a user callback in the pipeline. */
  readonly operation: 'list' | 'watch' | 'reconcile' | 'pipeline';
  /** The request that failed, e.g. `list (initial)` or `watch from resourceVersion 42`. */
  readonly request?: string;
  /** The object key the reconciler ran for. */
  readonly key?: string;
  /** What it failed with. */
  readonly error: unknown;
  /** Failures in a row, this one included (1 for the first). */
  readonly attempt: number;
  /** Whether rxkube tries again by itself. */
  readonly willRetry: boolean;
  /** The wait before the retry, when `willRetry`. */
  readonly retryInMs: number | undefined;
  /** One line describing the failure, safe to log. */
  readonly message: string;
}
