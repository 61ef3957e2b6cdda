import { map, Subject, throwError, timer, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { reconcile, type ReconcileOptions, type Reconciler, type ReconcileOutcome } from '../../../src/operators/reconcile.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

/**
 * Runs `reconcile` in virtual time: `batches[t]` are pushed at frame t, the run is observed until
 * `until`. Returns the log of run starts (`t:key`) and outcomes.
 */
function simulate<T>(
  batches: Record<number, Op<T>[]>,
  reconciler: (log: (s: string) => void, s: TestScheduler) => Reconciler<T>,
  options: Omit<ReconcileOptions, 'scheduler'> = {},
  until = 10_000,
  complete?: number,
) {
  const s = testScheduler();
  const starts: string[] = [];
  const outcomes: ReconcileOutcome[] = [];
  let completed: number | undefined;
  s.run(() => {
    const model = new StoreModel<T>();
    const input = new Subject<Reflection<T>>();
    let first = true;
    for (const [t, ops] of Object.entries(batches)) {
      s.schedule(() => {
        input.next(model.batch(ops, { first }));
        first = false;
      }, Number(t));
    }
    if (complete !== undefined) s.schedule(() => input.complete(), complete);
    const sub = input
      .pipe(reconcile(reconciler((x) => starts.push(`${s.now()}:${x}`), s), { ...options, scheduler: s }))
      .subscribe({ next: (o) => outcomes.push(o), complete: () => (completed = s.now()) });
    s.schedule(() => sub.unsubscribe(), until);
  });
  return { starts, outcomes, completed: () => completed };
}

const ok =
  (ms = 0) =>
  (log: (s: string) => void, s: TestScheduler): Reconciler<number> =>
  (key) => {
    log(key);
    return ms === 0 ? undefined : timer(ms, s).pipe(map(() => undefined));
  };

describe('reconcile', () => {
  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<number>([[['put', 'k', 1]], [['put', 'k', 2]]]);
    operatorChecklist({
      operator: (scheduler) => reconcile(() => undefined, { scheduler }),
      values: { a: a!, b: b! },
      throwing: (scheduler) => reconcile(() => undefined, { scheduler, onQueueEvent: boom }),
    });
    it('error: forwards the source error and cancels in-flight runs', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const [a] = StoreModel.reflections<number>([[['put', 'k', 1]]]);
        const work = cold('-----x|');
        const source = cold('a-#', { a: a! });
        expectObservable(source.pipe(reconcile(() => work))).toBe('--#');
        expectSubscriptions(work.subscriptions).toBe('^-!');
      });
    });
    it('values, never-ending: one outcome per run, output stays open', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const [a] = StoreModel.reflections<number>([[['put', 'k', 1]]]);
        const source = cold('a-', { a: a! });
        const work = cold('--(x|)', { x: { requeueAfter: undefined } });
        expectObservable(source.pipe(reconcile(() => work))).toBe('--o', { o: { type: 'reconciled', key: 'k', requeueAfter: undefined, durationMs: 2 } });
        expectSubscriptions(source.subscriptions).toBe('^');
      });
    });
    it('early unsubscribe: unsubscribes the source, the in-flight observable and aborts the signal', () => {
      const signals: AbortSignal[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const [a] = StoreModel.reflections<number>([[['put', 'k', 1]]]);
        const source = cold('a------', { a: a! });
        const work = cold('-----x|');
        expectObservable(
          source.pipe(
            reconcile((_k, _o, _s, { signal }) => {
              signals.push(signal);
              return work;
            }),
          ),
          '---!',
        ).toBe('-');
        expectSubscriptions(source.subscriptions).toBe('^--!');
        expectSubscriptions(work.subscriptions).toBe('^--!');
      });
      expect(signals.map((s) => s.aborted)).toEqual([true]);
    });
    it('throwing reconciler: a failed outcome (never an error), retried after the base delay', () => {
      const { starts, outcomes } = simulate<number>({ 0: [['put', 'k', 1]] }, (log) => (key, _o, _s, { attempt }) => {
        log(`${key}#${attempt}`);
        if (attempt < 2) throw new Error('callback');
      }, {}, 100);
      expect(starts).toEqual(['0:k#0', '5:k#1', '15:k#2']);
      expect(outcomes.map((o) => (o.type === 'failed' ? `failed ${o.attempt} ${o.retryAfterMs}` : o.type))).toEqual(['failed 1 5', 'failed 2 10', 'reconciled']);
    });
  });

  it('passes the object from the latest snapshot, and undefined once deleted', () => {
    const seen: [string, number | undefined, number][] = [];
    simulate<number>({ 0: [['put', 'a', 1], ['put', 'b', 2]], 1: [['put', 'a', 3]], 2: [['del', 'b']] }, () => (key, object, snapshot) => {
      seen.push([key, object, snapshot.size]);
      return timer(10);
    }, { concurrency: 1 }, 100);
    expect(seen).toEqual([
      ['a', 1, 2],
      ['b', undefined, 1],
      ['a', 3, 1],
    ]);
  });

  it('deduplicates a key while it is queued', () => {
    const { starts } = simulate<number>({ 0: [['put', 'a', 1], ['put', 'b', 1], ['put', 'b', 2]], 1: [['put', 'b', 3]] }, ok(10), {}, 100);
    expect(starts).toEqual(['0:a', '10:b']);
  });

  it('re-runs a key that changed while in flight exactly once, after the run', () => {
    const { starts } = simulate<number>({ 0: [['put', 'a', 1]], 2: [['put', 'a', 2]], 4: [['put', 'a', 3]] }, ok(10), { concurrency: 4 }, 100);
    expect(starts).toEqual(['0:a', '10:a']);
  });

  it('runs at most `concurrency` keys at once, never the same key twice', () => {
    const { starts } = simulate<number>({ 0: [['put', 'a', 1], ['put', 'b', 1], ['put', 'c', 1]], 1: [['put', 'a', 2]] }, ok(10), { concurrency: 2 }, 100);
    expect(starts).toEqual(['0:a', '0:b', '10:c', '10:a']);
  });

  it('retries a failing key with exponential backoff from 5 ms, capped at maxDelayMs', () => {
    const fail = (log: (s: string) => void) => (key: string) => {
      log(key);
      return throwError(() => new Error('nope'));
    };
    expect(simulate<number>({ 0: [['put', 'k', 1]] }, fail, {}, 100).starts).toEqual(['0:k', '5:k', '15:k', '35:k', '75:k']);
    expect(simulate<number>({ 0: [['put', 'k', 1]] }, fail, { baseDelayMs: 10, maxDelayMs: 25 }, 100).starts).toEqual(['0:k', '10:k', '30:k', '55:k', '80:k']);
  });

  it('spaces retries of all keys by the shared token bucket once its burst is spent (client-go: 10 qps, burst 100)', () => {
    const fail = (log: (s: string) => void) => (key: string) => {
      log(key);
      throw new Error('nope');
    };
    const keys: Op<number>[] = [['put', 'a', 1], ['put', 'b', 1], ['put', 'c', 1], ['put', 'd', 1]];
    const { outcomes } = simulate<number>({ 0: keys }, fail, { concurrency: 4, retryRateLimit: { qps: 10, burst: 2 } }, 1);
    // Two tokens in the bucket, then one per 100 ms: the third and fourth retries wait 100 and 200 ms.
    expect(outcomes.map((o) => (o.type === 'failed' ? `${o.key}+${o.retryAfterMs}` : ''))).toEqual(['a+5', 'b+5', 'c+100', 'd+200']);
    const { starts } = simulate<number>({ 0: keys }, fail, { concurrency: 4, retryRateLimit: { qps: 10, burst: 2 } }, 250);
    expect(starts.filter((s) => s.startsWith('100:') || s.startsWith('200:'))).toEqual(['100:c', '200:d']);
  });

  it('leaves retries to the per-key backoff alone with retryRateLimit: false', () => {
    const keys: Op<number>[] = Array.from({ length: 150 }, (_, i) => ['put', `k${i}`, 1] as const);
    const { outcomes } = simulate<number>({ 0: keys }, () => () => {
      throw new Error('x');
    }, { concurrency: 200, retryRateLimit: false }, 1);
    expect(new Set(outcomes.map((o) => (o.type === 'failed' ? o.retryAfterMs : -1)))).toEqual(new Set([5]));
    const limited = simulate<number>({ 0: keys }, () => () => {
      throw new Error('x');
    }, { concurrency: 200 }, 1);
    expect(limited.outcomes.filter((o) => o.type === 'failed' && o.retryAfterMs > 5)).toHaveLength(50);
  });

  it('rejects an unusable retryRateLimit', () => {
    expect(() => reconcile(() => undefined, { retryRateLimit: { qps: 0, burst: 1 } })).toThrow(RangeError);
  });

  it('resets the failure count after a success', () => {
    let calls = 0;
    const { outcomes } = simulate<number>({ 0: [['put', 'k', 1]], 50: [['put', 'k', 2]] }, () => () => {
      calls++;
      if (calls !== 2) throw new Error('x');
      return undefined;
    }, {}, 52);
    expect(outcomes.map((o) => (o.type === 'failed' ? o.attempt : 'ok'))).toEqual([1, 'ok', 1]);
  });

  it('honours requeueAfter, and a change runs the key sooner and supersedes the requeue', () => {
    const { starts } = simulate<number>({ 0: [['put', 'k', 1]], 150: [['put', 'k', 2]] }, (log) => (key) => {
      log(key);
      return { requeueAfter: 100 };
    }, {}, 300);
    expect(starts).toEqual(['0:k', '100:k', '150:k', '250:k']);
  });

  it('queues every key of the latest snapshot each resync period', () => {
    const { starts } = simulate<number>({ 0: [['put', 'a', 1], ['put', 'b', 1]], 30: [['del', 'b']] }, ok(), { resyncPeriodMs: 50, concurrency: 2 }, 120);
    expect(starts).toEqual(['0:a', '0:b', '30:b', '50:a', '100:a']);
  });

  it('completes after the source completes and all queued, running and scheduled work is done', () => {
    let n = 0;
    const { completed } = simulate<number>({ 0: [['put', 'k', 1]] }, () => () => (n++ < 1 ? Promise.reject(new Error('x')) : undefined) as never, {}, 1000, 1);
    // a run still in flight (a Promise settles outside virtual time) keeps the output open
    expect(completed()).toBeUndefined();
    const sync = simulate<number>({ 0: [['put', 'k', 1]] }, () => () => (n++ < 3 ? { requeueAfter: 0 } : undefined), {}, 1000, 1);
    expect(sync.completed()).toBe(1);
    const slow = simulate<number>({ 0: [['put', 'k', 1]] }, () => () => timer(40) as Observable<never>, {}, 1000, 1);
    expect(slow.completed()).toBe(40);
  });

  it('treats a Promise result as the action', async () => {
    const outcomes: ReconcileOutcome[] = [];
    const input = new Subject<Reflection<number>>();
    const sub = input.pipe(reconcile(async () => ({ requeueAfter: 5_000_000 }))).subscribe((o) => outcomes.push(o));
    input.next(new StoreModel<number>().batch([['put', 'k', 1]]));
    await Promise.resolve();
    await Promise.resolve();
    expect(outcomes).toMatchObject([{ type: 'reconciled', key: 'k', requeueAfter: 5_000_000 }]);
    sub.unsubscribe();
  });

  it('rejects a concurrency below 1', () => {
    expect(() => reconcile(() => undefined, { concurrency: 0 })).toThrow(RangeError);
  });

  it('does not loop synchronously on requeueAfter: 0', () => {
    const { starts } = simulate<number>({ 0: [['put', 'k', 1]] }, (log) => (key) => {
      log(key);
      return { requeueAfter: 0 };
    }, {}, 0);
    expect(starts).toEqual(['0:k']);
  });
});
