import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/model/errors.ts';
import { retryAfterMs, retryBackoff } from '../../../src/operators/retry-backoff.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

describe('retryBackoff', () => {
  describe('checklist (retries refused: a mirror)', () => {
    operatorChecklist<string>({
      operator: (scheduler) => retryBackoff({ scheduler, shouldRetry: () => false }),
      values: { a: 'a', b: 'b' },
      throwing: { operator: (scheduler) => retryBackoff({ scheduler, shouldRetry: boom }), source: '-#' },
    });
  });

  it('mirrors values and completion', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b|').pipe(retryBackoff())).toBe('-a-b|');
    });
  });

  it('resubscribes after an error, waiting 800 ms then 1600 ms with no jitter', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a#');
      const result = source.pipe(retryBackoff({ scheduler, random: () => 0 }));
      expectObservable(result, '^ 3000ms !').toBe('a 800ms a 1600ms a');
      expectSubscriptions(source.subscriptions).toBe(['^!', '801ms ^!', '2402ms ^!']);
    });
  });

  it('waits at least the server\'s Retry-After', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a#', undefined, new ApiError({ code: 429, retryAfterSeconds: 5 }));
      expectObservable(source.pipe(retryBackoff({ scheduler, random: () => 0 })), '^ 5002ms !').toBe('a 5000ms a');
    });
  });

  it('errors when shouldRetry refuses', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#').pipe(retryBackoff({ shouldRetry: () => false }))).toBe('a#');
    });
  });

  it('forwards an error thrown by shouldRetry or onBackoff', () => {
    const boom = new Error('boom');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#').pipe(retryBackoff({ shouldRetry: () => { throw boom; } }))).toBe('a#', { a: 'a' }, boom);
      expectObservable(cold('a#').pipe(retryBackoff({ onBackoff: () => { throw boom; } }))).toBe('a#', { a: 'a' }, boom);
    });
  });

  it('cancels the pending wait when unsubscribed early', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#');
      expectObservable(source.pipe(retryBackoff({ scheduler, random: () => 0 })), '^ 100ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('reports each wait through onBackoff', () => {
    const scheduler = testScheduler();
    const seen: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const result = cold('#').pipe(retryBackoff({ scheduler, random: () => 0, onBackoff: ({ delayMs }) => seen.push(delayMs) }));
      expectObservable(result, '^ 3000ms !').toBe('');
    });
    expect(seen).toEqual([800, 1600, 3200]);
  });
});

describe('retryAfterMs', () => {
  it('reads retryAfterSeconds in milliseconds and ignores nonsense', () => {
    expect(retryAfterMs(new ApiError({ code: 429, retryAfterSeconds: 2 }))).toBe(2000);
    expect(retryAfterMs({ retryAfterSeconds: -1 })).toBeUndefined();
    expect(retryAfterMs({ retryAfterSeconds: Number.NaN })).toBeUndefined();
    expect(retryAfterMs('x')).toBeUndefined();
  });
});
