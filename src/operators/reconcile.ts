import {
  asyncScheduler,
  from,
  isObservable,
  Observable,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { Failure } from '../model/failure.ts';
import type { Reflection, Snapshot } from '../model/reflection.ts';
import { exponentialDelayMs } from '../backoff/exponential-delay.ts';
import { createTokenBucket } from '../backoff/token-bucket.ts';
import { describeError } from '../store/describe-error.ts';
import { WorkQueue } from '../store/work-queue.ts';

/** What a reconciler may ask for after a successful run. */
export interface ReconcileAction {
  /** Run this key again after this many milliseconds (unless a change runs it sooner). */
  readonly requeueAfter?: number;
}

/** The fourth argument of a {@link Reconciler}. */
export interface ReconcileContext {
  /** Aborted when the loop is unsubscribed while this run is in flight; pass it to `fetch`. */
  readonly signal: AbortSignal;
  /** How many runs of this key failed in a row before this one (0 on a fresh key). */
  readonly attempt: number;
}

/**
 * The function {@link reconcile} runs per key: it receives the key, the object as in the latest
 * snapshot (`undefined` if it was deleted), that snapshot and a {@link ReconcileContext}, and
 * returns an action (or nothing), synchronously, as a Promise or as an Observable. Throwing,
 * rejecting or erroring means "failed, retry with backoff". A Promise's value or an Observable's
 * last value is read as the action when it is an object with a numeric `requeueAfter`, and
 * ignored otherwise, so an API call can be returned as is.
 *
 * @example
 * ```ts
 * import type { KubeObject, Reconciler } from 'rxkube';
 * const log: Reconciler<KubeObject> = async (key, object) => {
 *   console.log(object ? `ensure ${key}` : `clean up ${key}`);
 *   return { requeueAfter: 60_000 };
 * };
 * ```
 */
export type Reconciler<T> = (
  key: string,
  object: T | undefined,
  snapshot: Snapshot<T>,
  context: ReconcileContext,
) => ObservableInput<unknown> | ReconcileAction | void;

/**
 * A token bucket for {@link ReconcileOptions.retryRateLimit}.
 *
 * @example
 * ```ts
 * import type { RetryRateLimit } from 'rxkube';
 * const gentle: RetryRateLimit = { qps: 2, burst: 20 };
 * ```
 */
export interface RetryRateLimit {
  /** Tokens added per second. */
  readonly qps: number;
  /** The most tokens the bucket holds (retries allowed at once after a quiet period). */
  readonly burst: number;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /** How many keys run at the same time (never the same key twice). @defaultValue 1 */
  concurrency?: number;
  /** Retry delay after the first failure of a key; doubles per failure in a row. @defaultValue 5 */
  baseDelayMs?: number;
  /** Cap of the retry delay. @defaultValue 1_000_000 (1000 s, as client-go's controller rate limiter) */
  maxDelayMs?: number;
  /**
   * An overall limit on retries of failed keys, shared by all keys: a token bucket refilled at
   * `qps` per second holding at most `burst` tokens. A retry waits for the later of its key's own
   * backoff and its turn in the bucket, as client-go's default controller rate limiter (the
   * maximum of a per-item exponential limiter and a 10 qps / 100 burst bucket). Changes, requeues
   * and resyncs are not limited. `false` turns the bucket off.
   * @defaultValue `{ qps: 10, burst: 100 }`
   */
  retryRateLimit?: RetryRateLimit | false;
  /** When set, every key of the latest snapshot is queued again this often. @defaultValue undefined (off) */
  resyncPeriodMs?: number;
  /** Scheduler for every delay (retries, requeues, resyncs), so tests run in virtual time. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
  /** A name for logs and metrics (controller-runtime's controller name). @defaultValue undefined */
  name?: string;
  /**
   * Called on every change of the work queue (see {@link WorkQueueEvent}): what workqueue and
   * controller metrics count. Runs inline; a throw errors the output.
   * @defaultValue undefined
   */
  onQueueEvent?: (event: WorkQueueEvent) => void;
  /**
   * Called with every failed run, before the key is retried (see {@link Failure}): the reconciler's
   * error with the object key, for your logger. Runs inline; a throw errors the output.
   * @defaultValue undefined
   */
  onError?: (failure: Failure) => void;
}

/**
 * A change of {@link reconcile}'s work queue, for metrics (see {@link ReconcileOptions.onQueueEvent}).
 * Mirrors client-go's workqueue: `queued` when a key enters the queue (a key already waiting is not
 * queued twice, so this counts client-go's `adds`), `started` when a run takes it (with how long it
 * waited), `finished` with the run's outcome, and `stopped` once when the loop ends (completed or
 * unsubscribed; runs still in flight are abandoned, the queue dropped). `depth` is the number of
 * keys waiting, `running` the runs in flight, after the change.
 *
 * @example
 * ```ts
 * import type { WorkQueueEvent } from 'rxkube';
 * const log = (e: WorkQueueEvent) => e.type === 'started' && e.waitedMs > 1000 && console.warn(`${e.key} waited ${e.waitedMs} ms`);
 * ```
 */
export type WorkQueueEvent =
  | {
      /** A key entered the queue. */
      readonly type: 'queued';
      /** The key. */
      readonly key: string;
      /** Keys waiting, this one included. */
      readonly depth: number;
    }
  | {
      /** A run took a key from the queue. */
      readonly type: 'started';
      /** The key. */
      readonly key: string;
      /** Scheduler time since the key was queued. */
      readonly waitedMs: number;
      /** Keys still waiting. */
      readonly depth: number;
      /** Runs in flight, this one included. */
      readonly running: number;
    }
  | {
      /** A run ended. */
      readonly type: 'finished';
      /** How it ended (also emitted by the operator). */
      readonly outcome: ReconcileOutcome;
      /** Runs still in flight. */
      readonly running: number;
    }
  | {
      /** The loop ended: nothing is queued or running any more. */
      readonly type: 'stopped';
    };

/** What {@link reconcile} emits after each run. */
export type ReconcileOutcome =
  | {
      /** The run succeeded. */
      readonly type: 'reconciled';
      /** The key that ran. */
      readonly key: string;
      /** The requeue the reconciler asked for, if any. */
      readonly requeueAfter: number | undefined;
      /** Scheduler time the run took. */
      readonly durationMs: number;
    }
  | {
      /** The run threw, rejected or errored. */
      readonly type: 'failed';
      /** The key that ran. */
      readonly key: string;
      /** What it failed with. */
      readonly error: unknown;
      /** Failures in a row for this key, this one included. */
      readonly attempt: number;
      /** When the key runs again, unless a change runs it sooner. */
      readonly retryAfterMs: number;
      /** Scheduler time the run took. */
      readonly durationMs: number;
    };

function requeueOf(action: unknown): number | undefined {
  if (typeof action !== 'object' || action === null) return undefined;
  const after = (action as ReconcileAction).requeueAfter;
  return typeof after === 'number' && after >= 0 ? after : undefined;
}

interface Run {
  readonly controller: AbortController;
  subscription: Subscription | undefined;
}

function isAsync(value: unknown): value is ObservableInput<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  return (
    isObservable(value) ||
    typeof (value as PromiseLike<unknown>).then === 'function' ||
    Symbol.asyncIterator in value
  );
}

/**
 * A controller loop: turns the keys of incoming deltas into a deduplicating work queue and runs
 * `reconciler` for each, with bounded concurrency, per-key exponential retry, requeues and an
 * optional periodic resync — client-go's workqueue and controller-runtime's defaults, as an
 * operator.
 *
 * Algorithm:
 * 1. Every delta (any type) queues its key. A key is queued at most once; a key that changes
 *    while it runs is run once more after the current run ends, never twice at once.
 * 2. Up to `concurrency` keys run at a time, in queue order. A run receives the object and the
 *    snapshot as of the latest Reflection when it starts (level-based: intermediate versions may
 *    be skipped).
 * 3. A failed run queues its key again after `baseDelayMs × 2^(failures in a row − 1)`, capped at
 *    `maxDelayMs` (5 ms, 10 ms, 20 ms, … 1000 s), or later when more retries than
 *    `retryRateLimit` allows are due (all keys together: 10 per second after a burst of 100,
 *    by default); a success resets the count and honours
 *    `requeueAfter`. Each key has at most one pending delayed run (the earliest wins), and a run
 *    starting for any reason cancels it: the latest run decides what comes next.
 * 4. With `resyncPeriodMs`, every key of the latest snapshot is queued each period.
 *
 * Emission contract: one {@link ReconcileOutcome} per finished run. A Promise or Observable
 * result ends the run when it settles or completes (an Observable's last value is the action).
 * Errors only when the source errors (reconciler failures are outcomes, never errors). After the
 * source completes, the periodic resync stops and the output completes once nothing is queued,
 * running or scheduled. Unsubscribing unsubscribes the source, aborts `context.signal` and
 * unsubscribes in-flight Observables (a Promise cannot be cancelled: honour the signal), and
 * cancels every timer. Do not rely on a run per delta: a key's changes are coalesced.
 *
 * @example
 * ```ts
 * import type { Observable } from 'rxjs';
 * import { reconcile, type KubeObject, type Reflection } from 'rxkube';
 * declare const configMaps$: Observable<Reflection<KubeObject>>;
 * declare function ensureMirror(key: string, cm: KubeObject | undefined, signal: AbortSignal): Promise<void>;
 * configMaps$
 *   .pipe(reconcile((key, cm, _snapshot, { signal }) => ensureMirror(key, cm, signal), { concurrency: 4 }))
 *   .subscribe((o) => o.type === 'failed' && console.warn(o.key, o.error));
 * ```
 * @param reconciler - the work per key.
 * @param options - concurrency, backoff, resync and scheduler.
 * @returns an operator from reflections to run outcomes.
 */
export function reconcile<T>(reconciler: Reconciler<T>, options: ReconcileOptions = {}): OperatorFunction<Reflection<T>, ReconcileOutcome> {
  const { concurrency = 1, baseDelayMs = 5, maxDelayMs = 1_000_000, resyncPeriodMs, scheduler = asyncScheduler } = options;
  if (!(concurrency >= 1)) throw new RangeError(`reconcile: concurrency must be at least 1, got ${concurrency}`);
  const limit = options.retryRateLimit ?? { qps: 10, burst: 100 };
  if (limit !== false && !(limit.qps > 0 && limit.burst >= 1)) {
    throw new RangeError(`reconcile: retryRateLimit needs qps > 0 and burst >= 1, got ${JSON.stringify(limit)}`);
  }
  return (source) =>
    new Observable<ReconcileOutcome>((subscriber) => {
      const work = new WorkQueue<Run>();
      const timers = new Map<string, { readonly due: number; readonly subscription: Subscription }>();
      let latest: Snapshot<T> | undefined;
      let resync: Subscription | undefined;
      let sourceDone = false;
      let pumping = false;
      const bucket = limit === false ? undefined : createTokenBucket(limit.qps, limit.burst, scheduler.now());
      const { onQueueEvent, onError, name } = options;
      const queuedAt = onQueueEvent === undefined ? undefined : new Map<string, number>();
      let hookFailed = false;
      const observe = (event: WorkQueueEvent): void => {
        try {
          onQueueEvent!(event);
        } catch (error) {
          hookFailed = true;
          subscriber.error(error);
        }
      };

      const enqueue = (key: string): void => {
        if (!work.add(key)) return;
        if (queuedAt !== undefined) {
          queuedAt.set(key, scheduler.now());
          observe({ type: 'queued', key, depth: work.depth });
        }
      };

      const cancelTimer = (key: string): void => {
        timers.get(key)?.subscription.unsubscribe();
        timers.delete(key);
      };

      const later = (key: string, delay: number): void => {
        const due = scheduler.now() + delay;
        const pending = timers.get(key);
        if (pending && pending.due <= due) return;
        pending?.subscription.unsubscribe();
        const subscription = scheduler.schedule(() => {
          timers.delete(key);
          enqueue(key);
          pump();
        }, Math.max(0, delay));
        timers.set(key, { due, subscription });
      };

      const finish = (key: string, run: Run, startedAt: number, result: { error: unknown } | { action: unknown }): void => {
        if (work.runOf(key) !== run) return;
        work.done(key);
        const durationMs = scheduler.now() - startedAt;
        let outcome: ReconcileOutcome;
        if ('error' in result) {
          const attempt = work.failed(key);
          const backoffMs = exponentialDelayMs(attempt, { initialMs: baseDelayMs, factor: 2, capMs: maxDelayMs });
          const retryAfterMs = bucket === undefined ? backoffMs : Math.max(backoffMs, bucket.reserve(scheduler.now()));
          later(key, retryAfterMs);
          outcome = { type: 'failed', key, error: result.error, attempt, retryAfterMs, durationMs };
          if (onError !== undefined) reportFailure(key, result.error, attempt, retryAfterMs);
        } else {
          work.succeeded(key);
          const requeueAfter = requeueOf(result.action);
          if (requeueAfter !== undefined) later(key, requeueAfter);
          outcome = { type: 'reconciled', key, requeueAfter, durationMs };
        }
        Object.freeze(outcome);
        if (queuedAt !== undefined) observe({ type: 'finished', outcome, running: work.running });
        subscriber.next(outcome);
        pump();
      };

      const reportFailure = (key: string, error: unknown, attempt: number, retryInMs: number): void => {
        const failure: Failure = Object.freeze({
          source: 'reconcile',
          name,
          operation: 'reconcile',
          key,
          error,
          attempt,
          willRetry: true,
          retryInMs,
          message: `reconcile${name === undefined ? '' : ` ${name}`}: ${key} failed: ${describeError(error)}; retrying in ${retryInMs} ms (attempt ${attempt})`,
        });
        try {
          onError!(failure);
        } catch (hookError) {
          subscriber.error(hookError);
        }
      };

      const start = (key: string): void => {
        cancelTimer(key);
        const run: Run = { controller: new AbortController(), subscription: undefined };
        work.start(key, run);
        const startedAt = scheduler.now();
        if (queuedAt !== undefined) {
          const waitedMs = startedAt - (queuedAt.get(key) ?? startedAt);
          queuedAt.delete(key);
          observe({ type: 'started', key, waitedMs, depth: work.depth, running: work.running });
          if (work.runOf(key) !== run) return;
        }
        const snapshot = latest!;
        let result: ReturnType<Reconciler<T>>;
        try {
          result = reconciler(key, snapshot.get(key), snapshot, { signal: run.controller.signal, attempt: work.failuresOf(key) });
        } catch (error) {
          finish(key, run, startedAt, { error });
          return;
        }
        if (!isAsync(result)) {
          finish(key, run, startedAt, { action: result });
          return;
        }
        let action: unknown;
        const subscription = from(result).subscribe({
          next: (value) => (action = value),
          error: (error: unknown) => finish(key, run, startedAt, { error }),
          complete: () => finish(key, run, startedAt, { action }),
        });
        if (work.runOf(key) === run) run.subscription = subscription;
      };

      const pump = (): void => {
        // Runs that finish synchronously call pump again; the outer loop picks their work up.
        if (pumping) return;
        pumping = true;
        try {
          while (!subscriber.closed && work.running < concurrency) {
            const key = work.take();
            if (key === undefined) break;
            start(key);
          }
        } finally {
          pumping = false;
        }
        if (sourceDone && work.idle && timers.size === 0) subscriber.complete();
      };

      const sourceSubscription = source.subscribe({
        next: (reflection) => {
          latest = reflection.snapshot;
          for (const d of reflection.deltas) enqueue(d.key);
          if (resyncPeriodMs !== undefined && resyncPeriodMs > 0 && resync === undefined) {
            resync = scheduler.schedule(function (this: SchedulerAction<undefined>) {
              if (latest) for (const key of latest.keys()) enqueue(key);
              pump();
              this.schedule(undefined, resyncPeriodMs);
            }, resyncPeriodMs);
          }
          pump();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          resync?.unsubscribe();
          pump();
        },
      });

      return () => {
        sourceSubscription.unsubscribe();
        resync?.unsubscribe();
        for (const { subscription } of timers.values()) subscription.unsubscribe();
        timers.clear();
        for (const run of work.inFlight()) {
          run.controller.abort();
          run.subscription?.unsubscribe();
        }
        work.clearRuns();
        // Last, so a throwing hook (reported by rxjs as an UnsubscriptionError) cannot skip cleanup.
        if (queuedAt !== undefined && !hookFailed) onQueueEvent!({ type: 'stopped' });
      };
    });
}
