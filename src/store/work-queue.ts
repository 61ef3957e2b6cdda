/**
 * Internal, not API: the deduplicating work queue behind {@link reconcile}, without timers or
 * RxJS (client-go's `workqueue.Type`): which keys wait, which run, and how often each failed.
 *
 * A key waits at most once. A key added while it runs is not handed out again until that run is
 * {@link WorkQueue.done}: then it goes to the back of the queue. So a key never runs twice at once
 * and a change during a run is never lost.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * Keys waiting in order, keys running (each with the caller's handle of its run), failures in a
 * row per key. Mutable; one owner.
 *
 * @example
 * ```ts
 * import { WorkQueue } from './work-queue.ts'; // internal, not API
 * const queue = new WorkQueue<AbortController>();
 * queue.add('a'); // true
 * queue.add('a'); // false: already waiting
 * const key = queue.take()!; // 'a'
 * queue.start(key, new AbortController());
 * queue.add('a'); // true, but not handed out while it runs
 * queue.take(); // undefined
 * queue.done('a'); // back in the queue
 * queue.take(); // 'a'
 * ```
 * @internal
 */
export class WorkQueue<R> {
  private queue: string[] = [];
  private head = 0;
  private readonly waiting = new Set<string>();
  private readonly runs = new Map<string, R>();
  private readonly failures = new Map<string, number>();

  /** Keys added and not yet handed out (running keys added again included). */
  get depth(): number {
    return this.waiting.size;
  }

  /** Runs in flight. */
  get running(): number {
    return this.runs.size;
  }

  /** Whether no key waits to be handed out and none runs. */
  get idle(): boolean {
    return this.head >= this.queue.length && this.runs.size === 0;
  }

  /** Queues `key`; `false` when it was already waiting (nothing changes). */
  add(key: string): boolean {
    if (this.waiting.has(key)) return false;
    this.waiting.add(key);
    if (!this.runs.has(key)) this.queue.push(key);
    return true;
  }

  /** Whether a key is waiting to be handed out (or to run again after its current run). */
  isWaiting(key: string): boolean {
    return this.waiting.has(key);
  }

  /** The next key to run, in queue order, or `undefined`; it stops waiting. Call {@link WorkQueue.start} next. */
  take(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++]!;
    // Drop the consumed prefix now and then, so a long-lived queue does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.waiting.delete(key);
    return key;
  }

  /** Records that `key` runs, as `run`. */
  start(key: string, run: R): void {
    this.runs.set(key, run);
  }

  /** The handle of `key`'s run in flight, if any. */
  runOf(key: string): R | undefined {
    return this.runs.get(key);
  }

  /** Every run in flight. */
  inFlight(): IterableIterator<R> {
    return this.runs.values();
  }

  /** `key`'s run ended; if `key` was added meanwhile it goes to the back of the queue. */
  done(key: string): void {
    this.runs.delete(key);
    if (this.waiting.has(key)) this.queue.push(key);
  }

  /** How many runs of `key` failed in a row (0 after a success). */
  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** One more failure of `key` in a row; returns the new count. */
  failed(key: string): number {
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    return attempt;
  }

  /** A success: `key`'s failure count starts again from 0. */
  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Forgets every run in flight (on teardown). */
  clearRuns(): void {
    this.runs.clear();
  }
}
