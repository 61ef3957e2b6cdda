import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { resync } from '../../../src/operators/resync.ts';
import { HamtMap } from '../../../src/store/hamt.ts';
import { StoreSnapshot } from '../../../src/store/snapshot.ts';
import { obj, summarize, type Obj } from './reflect-helpers.ts';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

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
  it('never emits for a source that never emits', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Reflection<Obj>>('-');
      expectObservable(source.pipe(resync(5)), '^ 100ms !').toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^ 100ms !');
    });
  });

  it('completes with an empty source and forwards errors', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const e = cold<Reflection<Obj>>('|');
      const f = cold<Reflection<Obj>>('a-#', { a });
      expectObservable(e.pipe(resync(5))).toBe('|');
      expectObservable(f.pipe(resync(5))).toBe('a-#', { a });
      expectSubscriptions(e.subscriptions).toBe('(^!)');
      expectSubscriptions(f.subscriptions).toBe('^-!');
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
