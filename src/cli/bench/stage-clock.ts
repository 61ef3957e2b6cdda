import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { FetchFunction, ResponseBody } from '../../index.ts';

/** The stages `rxkube bench` times; `idle` is waiting (network, timers) and is not reported. @internal */
export type Stage = 'transport' | 'reflect' | 'indexes' | 'user' | 'subscriber' | 'idle';

/**
 * Exclusive time per stage of a synchronous pipeline, from marks placed between the stages: each
 * mark charges the time since the previous one to the stage that was running, so a stage's time
 * excludes the stages downstream of it that it called. Nothing here runs inside rxkube's
 * operators: the marks wrap them from outside.
 * @internal
 */
export class StageClock {
  /** Milliseconds per stage. */
  readonly totals: Record<Stage, number> = { transport: 0, reflect: 0, indexes: 0, user: 0, subscriber: 0, idle: 0 };
  /** The stage running now. */
  current: Stage = 'idle';
  /** When the newest chunk of bytes was handed to rxkube's parser (performance.now()). */
  lastBytesAt = 0;
  readonly #now: () => number;
  #last: number;

  /** @param now - the time source. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#last = now();
  }

  /** The clock's current time. */
  now(): number {
    return this.#now();
  }

  /** Charges the time since the last mark to the running stage and makes `stage` the running one; returns the previous. */
  enter(stage: Stage): Stage {
    const now = this.#now();
    this.totals[this.current] += now - this.#last;
    this.#last = now;
    const previous = this.current;
    this.current = stage;
    return previous;
  }
}

/**
 * A mark before `stage`: values passing run `stage` (and what it calls downstream) under the
 * clock, and the upstream stage again when they return.
 * @internal
 */
export function enterStage<T>(clock: StageClock, stage: Stage): MonoTypeOperatorFunction<T> {
  return (source) => new Observable<T>((subscriber) => source.subscribe({
    next: (value) => {
      const previous = clock.enter(stage);
      try {
        subscriber.next(value);
      } finally {
        clock.enter(previous);
      }
    },
    error: (error: unknown) => subscriber.error(error),
    complete: () => subscriber.complete(),
  }));
}

/**
 * Wraps a fetch so that its response bodies mark the clock: waiting for a chunk is `idle`, the
 * work from a chunk's arrival to the next read (decoding, parsing, the list/watch loop and
 * everything downstream it calls) starts as `transport`, and `lastBytesAt` is the arrival time.
 * @internal
 */
export function timedFetch(inner: FetchFunction, clock: StageClock): FetchFunction {
  return async (url, init) => {
    clock.enter('idle');
    const response = await inner(url, init);
    clock.enter('transport');
    const body = response.body;
    if (body === null) return response;
    return { ok: response.ok, status: response.status, statusText: response.statusText, headers: response.headers, body: timedBody(body, clock) };
  };
}

function timedBody(body: Exclude<ResponseBody, null>, clock: StageClock): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      return {
        async next() {
          clock.enter('idle');
          const result = await iterator.next();
          clock.enter('transport');
          clock.lastBytesAt = clock.now();
          return result;
        },
        async return(value?: unknown) {
          return iterator.return === undefined ? { done: true, value: undefined } : iterator.return(value);
        },
      };
    },
  };
}
