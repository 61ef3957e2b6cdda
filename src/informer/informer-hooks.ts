import type { Failure } from '../model/failure.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';
import { describeError } from '../store/describe-error.ts';

/**
 * The observation hooks of an informer: where its loop events and failures go besides `status$`.
 *
 * @example
 * ```ts
 * import type { InformerHooks, KubeObject } from 'rxkube';
 * const hooks: InformerHooks<KubeObject> = {
 *   name: 'pods',
 *   onError: (f) => console.warn(f.message),
 * };
 * ```
 */
export interface InformerHooks<T extends KubeObject> {
  /** A name for logs and metrics (`pods`, `nodes`). @defaultValue undefined */
  name?: string;
  /**
   * Called with every event of the list/watch loop, before the store applies it (see
   * {@link ListWatchEvent}): what metrics count. Keep it cheap and non-throwing: it runs inline,
   * and a throw errors `reflections$` like any user callback.
   * @defaultValue undefined
   */
  onEvent?: (event: ListWatchEvent<T>) => void;
  /**
   * Called with every failure: each failed list or watch request before the loop backs off, and
   * a user callback that threw (then `reflections$` errors). See {@link Failure}.
   * @defaultValue undefined
   */
  onError?: (failure: Failure) => void;
}

/** What an informer calls per loop event and on a pipeline error, or nothing when no hook is set. */
export interface HookReporter<T extends KubeObject> {
  readonly event: (event: ListWatchEvent<T>) => void;
  readonly pipelineError: (error: unknown) => void;
}

/**
 * Binds hooks to one run of the loop: tracks which request is in flight, so a `BACKOFF` can say
 * whether a list or a watch failed, and from which resourceVersion.
 */
export function hookReporter<T extends KubeObject>(hooks: InformerHooks<T>): HookReporter<T> | undefined {
  const { name, onEvent, onError } = hooks;
  if (onEvent === undefined && onError === undefined) return undefined;
  let operation: 'list' | 'watch' = 'list';
  let request = 'list (initial)';
  const prefix = name === undefined ? 'informer' : `informer ${name}`;
  return {
    event: (event) => {
      onEvent?.(event);
      if (event.type === 'LIST_START') {
        operation = 'list';
        request = event.mode === 'stream' ? `streaming list (${event.reason})` : `list (${event.reason})`;
      } else if (event.type === 'WATCH_START') {
        operation = 'watch';
        request = `watch from resourceVersion ${event.resourceVersion}`;
      } else if (event.type === 'BACKOFF' && onError !== undefined) {
        const then = event.next === 'relist' ? 'then relisting' : 'then resuming the watch';
        onError(
          Object.freeze({
            source: 'informer',
            name,
            operation,
            request,
            error: event.error,
            attempt: event.attempt,
            willRetry: true,
            retryInMs: event.delayMs,
            message: `${prefix}: ${request} failed: ${describeError(event.error)}; retrying in ${event.delayMs} ms (attempt ${event.attempt}), ${then}`,
          }),
        );
      }
    },
    pipelineError: (error) => {
      onError?.(
        Object.freeze({
          source: 'informer',
          name,
          operation: 'pipeline',
          error,
          attempt: 1,
          willRetry: false,
          retryInMs: undefined,
          message: `${prefix}: a callback in the pipeline threw: ${describeError(error)}; reflections$ errors, not retried`,
        }),
      );
    },
  };
}
