import { map } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { resync } from '../../../src/operators/resync.ts';
import { HamtMap } from '../../../src/store/hamt.ts';
import { StoreSnapshot } from '../../../src/store/snapshot.ts';
import { obj, summarize, type Obj } from './reflect-helpers.ts';
import { operatorChecklist } from '../../support/operator-checklist.ts';

function reflection(rv: string, ...objs: Obj[]): Reflection<Obj> {
  let m = HamtMap.empty<Obj>();
  for (const o of objs) m = m.set(o.metadata!.name!, o);
  const deltas = objs.map((o) => Object.freeze({ type: 'added' as const, key: o.metadata!.name!, object: o }));
  return Object.freeze({ snapshot: new StoreSnapshot(m, rv), deltas: Object.freeze(deltas) });
}

const a = reflection('1', obj('a', '1'));
const ab = reflection('2', obj('a', '1'), obj('b', '2'));
const empty = reflection('0');

describe('resync', () => {
  describe('checklist', () => {
    operatorChecklist({ operator: (scheduler) => resync<Obj>(1000, scheduler), values: { a, b: ab }, throwing: { none: 'resync takes no callback' } });
  });

  it('forwards an error after a resync timer started, and stops the timer', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-#', { a });
      expectObservable(source.pipe(resync(5)), '^ 20ms !').toBe('a-#', { a });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('passes Reflections through and replays the latest snapshot every period, from the first Reflection', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a 5ms b 8ms |', { a, b: ab });
      const sortedSummary = (r: Reflection<Obj>) => {
        const x = summarize(r);
        return { ...x, deltas: x.deltas.slice().sort() };
      };
      expectObservable(source.pipe(resync(4), map(sortedSummary))).toBe('--a 3ms s-b-t 3ms u 2ms |', {
        a: summarize(a),
        b: summarize(ab),
        s: { rv: '1', objects: { a: '1' }, deltas: ['synced a@1'] },
        t: { rv: '2', objects: { a: '1', b: '2' }, deltas: ['synced a@1', 'synced b@2'] },
        u: { rv: '2', objects: { a: '1', b: '2' }, deltas: ['synced a@1', 'synced b@2'] },
      });
      expectSubscriptions(source.subscriptions).toBe('^ 16ms !');
    });
  });

  it('emits nothing for an empty store', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('e---', { e: empty }).pipe(resync(1)), '^--!').toBe('e--', { e: empty });
    });
  });

  it('freezes resync Reflections of frozen input', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const frozen = (r: Reflection<Obj>) => Object.isFrozen(r) && Object.isFrozen(r.deltas) && Object.isFrozen(r.deltas[0]);
      expectObservable(cold('a---', { a }).pipe(resync(2), map(frozen)), '^---!').toBe('t-t-', { t: true });
    });
  });

  it('stops the timer on early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a------', { a });
      expectObservable(source.pipe(resync(2), map((r) => r.deltas[0]!.type)), '^----!').toBe('a-s-s-', { a: 'added', s: 'synced' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes through without a timer when the period is 0', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-----|', { a }).pipe(resync(0))).toBe('a-----|', { a });
    });
  });
});
