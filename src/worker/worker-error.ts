import type { WireError } from './protocol.ts';

/**
 * An error raised inside the worker (the informer factory, a view operator, a `get`), re-created
 * on the page. The original class does not survive `postMessage`; its name, message, `code` and
 * `reason` do.
 *
 * @example
 * ```ts
 * import { WorkerError } from 'rxkube/worker';
 * const e = new WorkerError({ name: 'ApiError', message: 'forbidden', code: 403 }, 'byNode');
 * e.remoteName; // 'ApiError'
 * e.view; // 'byNode'
 * ```
 */
export class WorkerError extends Error {
  /** Always `'WorkerError'`. */
  override readonly name = 'WorkerError';
  /** The name of the error thrown in the worker (`ApiError`, `TypeError`, …). */
  readonly remoteName: string;
  /** The `code` of the error thrown in the worker, if it had one. */
  readonly code: number | string | undefined;
  /** The `reason` of the error thrown in the worker, if it had one. */
  readonly reason: string | undefined;
  /** The view that failed, or `undefined` for an error of the worker as a whole or of a `get`. */
  readonly view: string | undefined;

  /**
   * @param error - the error as it crossed.
   * @param view - the view that failed, if any.
   */
  constructor(error: WireError, view?: string) {
    super(`${error.name} in worker${view === undefined ? '' : ` (view "${view}")`}: ${error.message}`);
    this.remoteName = error.name;
    this.code = error.code;
    this.reason = error.reason;
    this.view = view;
  }
}
