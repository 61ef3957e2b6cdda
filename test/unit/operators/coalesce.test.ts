import { map, mergeAll, type Observable } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { coalesce } from '../../../src/operators/coalesce.ts';
import { reflect } from '../../../src/operators/reflect.ts';
import { resync } from '../../../src/operators/resync.ts';
import { E, obj, summarize, type Obj } from './reflect-helpers.ts';
import { StoreModel } from '../../support/store-model.ts';
import { operatorChecklist } from '../../support/operator-checklist.ts';

const uidObj = (name: string, rv: string, uid: string): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion: rv, uid } });

/** `l` = a first list of a@1 and b@2 (one event: the bracket is fed as one array). */
function events(): Record<string, ListWatchEvent<Obj>[]> {
  return {
    l: [E.start(), E.page(obj('a', '1'), obj('b', '2')), E.done('2')],
    m: [E.modified(obj('a', '3'))],
    n: [E.modified(obj('a', '4'))],
    c: [E.added(obj('c', '5'))],
    d: [E.deleted(obj('c', '6'))],
    x: [E.deleted(obj('b', '7'))],
    y: [E.added(obj('b', '8'))],
  };
}

const deltasOf = (r: Reflection<Obj>) => summarize(r).deltas;

/** Marble values are arrays of events (a whole list bracket fits in one frame). */
const reflected = (source: Observable<ListWatchEvent<Obj>[]>) => source.pipe(mergeAll(), reflect<Obj>());

describe('coalesce', () => {
  const pipeline = (source: Observable<ListWatchEvent<Obj>[]>, window = 3) => reflected(source).pipe(coalesce<Obj>(window), map(deltasOf));

  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<Obj>([[['put', 'a', obj('a', '1')]], [['put', 'b', obj('b', '2')]]]);
    operatorChecklist({ operator: (scheduler) => coalesce<Obj>(3, scheduler), values: { a: a!, b: b! }, throwing: { none: 'coalesce takes no callback' } });
  });

  it('passes the first Reflection at once, then folds a window into one Reflection', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('l-mcn-', events());
      expectObservable(pipeline(source)).toBe('l----w', {
        l: ['added ns/a@1', 'added ns/b@2'],
        w: ['updated ns/a@4<1', 'added ns/c@5'],
      });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('emits nothing when every change cancels out (added then deleted)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(pipeline(cold('l-c-d-----', events()))).toBe('l---------', { l: ['added ns/a@1', 'added ns/b@2'] });
    });
  });

  it('folds updated then deleted into the deleted delta', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ev = { ...events(), u: [E.modified(obj('b', '5'))] };
      expectObservable(pipeline(cold('l-ux---', ev))).toBe('l----w-', { l: ['added ns/a@1', 'added ns/b@2'], w: ['deleted ns/b@7'] });
    });
  });

  it('reports deleted then added as a recreation: deleted, then added', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(pipeline(cold('l-xy---', events()))).toBe('l----w-', {
        l: ['added ns/a@1', 'added ns/b@2'],
        w: ['deleted ns/b@7', 'added ns/b@8'],
      });
    });
  });

  it('flushes the open window on complete', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('l-m|', events());
      expectObservable(pipeline(source)).toBe('l--(w|)', { l: ['added ns/a@1', 'added ns/b@2'], w: ['updated ns/a@3<1'] });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('drops the open window on error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(pipeline(cold('l-m#', events()))).toBe('l--#', { l: ['added ns/a@1', 'added ns/b@2'] });
    });
  });

  it('cancels the window on early unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('l-m-----', events());
      expectObservable(pipeline(source), '^---!').toBe('l----', { l: ['added ns/a@1', 'added ns/b@2'] });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('folds a resync into an update, and keeps it as synced when nothing else changed', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('l-m----', events());
      const out = reflected(source).pipe(
        resync<Obj>(3),
        coalesce<Obj>(2),
        map((r) => deltasOf(r).slice().sort()),
      );
      // Resync ticks at 3 (inside the window opened by m at 2) and at 6 (a window of its own).
      expectObservable(out, '^---------!').toBe('l---w---s-', {
        l: ['added ns/a@1', 'added ns/b@2'],
        w: ['synced ns/b@2', 'updated ns/a@3<1'],
        s: ['synced ns/a@3', 'synced ns/b@2'],
      });
    });
  });

  it('ends windows on animation frames', () => {
    testScheduler().run(({ animate, cold, expectObservable }) => {
      animate('-----x---x');
      const source = cold<ListWatchEvent<Obj>[]>('l-mn----c-', events());
      const out = reflected(source).pipe(coalesce<Obj>('animationFrame'), map(deltasOf));
      expectObservable(out).toBe('l----w---z', {
        l: ['added ns/a@1', 'added ns/b@2'],
        w: ['updated ns/a@4<1'],
        z: ['added ns/c@5'],
      });
    });
  });

  it('a recreation with a new uid inside a window is reported as deleted then added', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ev = {
        l: [E.start(), E.page(uidObj('a', '1', 'u1')), E.done('1')],
        r: [E.deleted(uidObj('a', '2', 'u1')), E.added(uidObj('a', '3', 'u2'))],
      };
      expectObservable(pipeline(cold('l-r----', ev))).toBe('l----w-', { l: ['added ns/a@1'], w: ['deleted ns/a@2', 'added ns/a@3'] });
    });
  });
});
