import { map, Subject, timer } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import type { Failure } from '../../../src/model/failure.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { reconcile, type ReconcileOutcome, type Reconciler, type WorkQueueEvent } from '../../../src/operators/reconcile.ts';
import { StoreModel } from '../../support/store-model.ts';

describe('reconcile hooks', () => {
  it('onQueueEvent follows the queue: queued (deduplicated), started with its wait, finished with the outcome, stopped on teardown', () => {
    const s = testScheduler();
    const events: string[] = [];
    s.run(() => {
      const model = new StoreModel<number>();
      const input = new Subject<Reflection<number>>();
      // Each run takes 10 frames; concurrency 1, so b waits for a.
      const reconciler: Reconciler<number> = () => timer(10, s).pipe(map(() => undefined));
      const describe = (e: WorkQueueEvent): string =>
        e.type === 'queued'
          ? `${s.now()} queued ${e.key} depth=${e.depth}`
          : e.type === 'started'
            ? `${s.now()} started ${e.key} waited=${e.waitedMs} depth=${e.depth} running=${e.running}`
            : e.type === 'finished'
              ? `${s.now()} finished ${e.outcome.key} ${e.outcome.type} running=${e.running}`
              : `${s.now()} stopped`;
      const sub = input.pipe(reconcile(reconciler, { scheduler: s, onQueueEvent: (e) => events.push(describe(e)) })).subscribe();
      s.schedule(() => input.next(model.batch([['put', 'a', 1], ['put', 'b', 1]], { first: true })), 0);
      s.schedule(() => input.next(model.batch([['put', 'b', 2]])), 5);
      s.schedule(() => sub.unsubscribe(), 100);
    });
    expect(events).toEqual([
      '0 queued a depth=1',
      '0 queued b depth=2',
      '0 started a waited=0 depth=1 running=1',
      // b changes while waiting: not queued twice, no event.
      '10 finished a reconciled running=0',
      '10 started b waited=10 depth=0 running=1',
      '20 finished b reconciled running=0',
      '100 stopped',
    ]);
  });

  it('onError receives every failed run with the key, attempt and retry, before the outcome is emitted', () => {
    const s = testScheduler();
    const log: string[] = [];
    const failures: Failure[] = [];
    s.run(() => {
      const model = new StoreModel<number>();
      const input = new Subject<Reflection<number>>();
      let calls = 0;
      const reconciler: Reconciler<number> = () => {
        calls += 1;
        if (calls <= 2) throw new Error(`quota exceeded\n(call ${calls})`);
      };
      const sub = input
        .pipe(reconcile(reconciler, { scheduler: s, name: 'mirror', onError: (f) => (failures.push(f), log.push(`error ${f.attempt}`)) }))
        .subscribe((o: ReconcileOutcome) => log.push(o.type));
      s.schedule(() => input.next(model.batch([['put', 'ns/cm', 1]], { first: true })), 0);
      s.schedule(() => sub.unsubscribe(), 100);
    });
    expect(log).toEqual(['error 1', 'failed', 'error 2', 'failed', 'reconciled']);
    expect(failures[1]).toMatchObject({ source: 'reconcile', name: 'mirror', operation: 'reconcile', key: 'ns/cm', attempt: 2, willRetry: true, retryInMs: 10 });
    expect(failures[1]!.message).toBe('reconcile mirror: ns/cm failed: Error: quota exceeded (call 2); retrying in 10 ms (attempt 2)');
  });

  it('a throwing hook errors the output and tears the loop down', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const model = new StoreModel<number>();
      const source = cold<Reflection<number>>('a-', { a: model.batch([['put', 'k', 1]], { first: true }) });
      const boom = new Error('metrics broke');
      const out = source.pipe(
        reconcile(() => undefined, {
          onQueueEvent: () => {
            throw boom;
          },
        }),
      );
      expectObservable(out).toBe('#', undefined, boom);
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });
});
