import { NEVER, Observable, throwError, type Subscription } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { informer } from '../../../src/informer/informer.ts';
import { ApiError } from '../../../src/model/errors.ts';
import type { Failure } from '../../../src/model/failure.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { ListWatch, ObjectList, WatchEvent } from '../../../src/model/wire.ts';

const pod = (name: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: '1' } });

const listing = (items: KubeObject[]) =>
  new Observable<ObjectList<KubeObject>>((s) => {
    s.next({ metadata: { resourceVersion: '10' }, items });
    s.complete();
  });

/** An error carrying what must never reach a log: the request with its credentials. */
class LeakyError extends Error {
  override readonly name = 'LeakyError';
  readonly request = { headers: { authorization: 'Bearer s3cr3t-token' } };
}

describe('informer hooks', () => {
  it('reports every failed list of a typo\'d resource to onError, with the request, attempt and retry', () => {
    const scheduler = testScheduler();
    const failures: Failure[] = [];
    scheduler.run(({ flush }) => {
      const lw: ListWatch = {
        list: () => throwError(() => new ApiError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' })),
        watch: () => NEVER,
      };
      const inf = informer(lw, { scheduler, random: () => 0, name: 'podz', onError: (f) => failures.push(f) });
      const sub = inf.reflections$.subscribe();
      scheduler.schedule(() => sub.unsubscribe(), 5_000);
      flush();
    });
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.map((f) => f.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(failures[0]).toMatchObject({ source: 'informer', name: 'podz', operation: 'list', request: 'list (initial)', willRetry: true });
    expect(failures[0]!.error).toBeInstanceOf(ApiError);
    expect(failures[0]!.retryInMs).toBeGreaterThan(0);
    expect(failures[0]!.message).toBe(
      `informer podz: list (initial) failed: ApiError 404 NotFound: the server could not find the requested resource; retrying in ${failures[0]!.retryInMs} ms (attempt 1), then relisting`,
    );
    expect(Object.isFrozen(failures[0])).toBe(true);
  });

  it('names a failed watch by the resourceVersion it resumed from, and keeps credentials out of the message', () => {
    const scheduler = testScheduler();
    const failures: Failure[] = [];
    scheduler.run(({ cold, flush }) => {
      const lw: ListWatch = { list: () => listing([pod('a')]), watch: () => cold<WatchEvent>('--#', undefined, new LeakyError('connection reset')) };
      const inf = informer(lw, { scheduler, random: () => 0, onError: (f) => failures.push(f) });
      const sub = inf.reflections$.subscribe();
      scheduler.schedule(() => sub.unsubscribe(), 3);
      flush();
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ name: undefined, operation: 'watch', request: 'watch from resourceVersion 10', attempt: 1 });
    expect(failures[0]!.message).toMatch(/^informer: watch from resourceVersion 10 failed: LeakyError: connection reset; retrying in \d+ ms \(attempt 1\), then resuming the watch$/);
    expect(failures[0]!.message).not.toContain('s3cr3t');
  });

  it('reports a throwing user callback as not retried, and reflections$ errors', () => {
    const failures: Failure[] = [];
    const lw: ListWatch = { list: () => listing([pod('a')]), watch: () => NEVER };
    const boom = new Error('bad key');
    const inf = informer(lw, {
      random: () => 0,
      keyOf: () => {
        throw new Error('unkeyable');
      },
      // A bad object is skipped and reported; a hook that throws stops the informer.
      onObjectError: () => {
        throw boom;
      },
      onError: (f) => failures.push(f),
    });
    let errored: unknown;
    inf.reflections$.subscribe({ error: (e: unknown) => (errored = e) });
    expect(errored).toBe(boom);
    expect(failures).toEqual([
      {
        source: 'informer',
        name: undefined,
        operation: 'pipeline',
        error: boom,
        attempt: 1,
        willRetry: false,
        retryInMs: undefined,
        message: 'informer: a callback in the pipeline threw: Error: bad key; reflections$ errors, not retried',
      },
    ]);
  });

  it('errors reflections$ with the error of a throwing onEvent, reported as a pipeline failure', () => {
    const failures: Failure[] = [];
    const lw: ListWatch = { list: () => listing([pod('a')]), watch: () => NEVER };
    const boom = new Error('metrics broke');
    const inf = informer(lw, {
      random: () => 0,
      onEvent: () => {
        throw boom;
      },
      onError: (f) => failures.push(f),
    });
    let errored: unknown;
    inf.reflections$.subscribe({ error: (e: unknown) => (errored = e) });
    expect(errored).toBe(boom);
    expect(failures.map((f) => [f.operation, f.willRetry, f.error])).toEqual([['pipeline', false, boom]]);
  });

  it('hands every loop event to onEvent, in order, once however many subscribe', () => {
    const events: string[] = [];
    const lw: ListWatch = {
      list: () => listing([pod('a'), pod('b')]),
      watch: () => new Observable<WatchEvent>((s) => s.next({ type: 'MODIFIED', object: pod('a') })),
    };
    const inf = informer(lw, { random: () => 0, onEvent: (e: ListWatchEvent) => events.push(e.type) });
    const subs: Subscription[] = [inf.reflections$.subscribe(), inf.reflections$.subscribe()];
    expect(events).toEqual(['LIST_START', 'LIST_PAGE', 'LIST_DONE', 'WATCH_START', 'MODIFIED']);
    for (const s of subs) s.unsubscribe();
  });
});
