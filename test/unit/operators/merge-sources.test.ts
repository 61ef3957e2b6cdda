import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { mergeSources } from '../../../src/operators/merge-sources.ts';
import { entriesOf } from './pipeline-helpers.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

function harness(names: string[], prefixKeys?: boolean | ((s: string, k: string) => string)) {
  const subjects = Object.fromEntries(names.map((n) => [n, new Subject<Reflection<number>>()]));
  const models = Object.fromEntries(names.map((n) => [n, { m: new StoreModel<number>(), first: true }]));
  const out: Reflection<number>[] = [];
  mergeSources(subjects, prefixKeys === undefined ? {} : { prefixKeys }).subscribe((r) => out.push(r));
  const push = (name: string, ops: Op<number>[]) => {
    const s = models[name]!;
    subjects[name]!.next(s.m.batch(ops, { first: s.first }));
    s.first = false;
  };
  return { out, push, subjects };
}

describe('mergeSources', () => {
  const [a] = StoreModel.reflections<number>([[['put', 'ns-a/x', 1]]]);
  const [b] = StoreModel.reflections<number>([[['put', 'ns-b/y', 2]]]);

  describe('checklist (one source)', () => {
    operatorChecklist<Reflection<number>>({
      operator: () => (s1) => mergeSources({ s1 }),
      values: { a: a!, b: b! },
      throwing: () => (s1) => mergeSources({ s1 }, { prefixKeys: boom }),
    });
  });

  describe('several sources', () => {
    it('never: emits nothing while a source has not emitted, stays subscribed to all', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s1 = cold('a', { a: a! });
        const s2 = cold<Reflection<number>>('-');
        expectObservable(mergeSources({ s1, s2 })).toBe('-');
        expectSubscriptions(s1.subscriptions).toBe('^');
        expectSubscriptions(s2.subscriptions).toBe('^');
      });
    });
    it('empty: completes when a source completes without emitting, unsubscribing the others', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s1 = cold('a---', { a: a! });
        const s2 = cold<Reflection<number>>('--|');
        expectObservable(mergeSources({ s1, s2 })).toBe('--|');
        expectSubscriptions(s1.subscriptions).toBe('^-!');
      });
    });
    it('error: forwards any source error and unsubscribes the others', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s1 = cold('a---', { a: a! });
        const s2 = cold<Reflection<number>>('--#');
        expectObservable(mergeSources({ s1, s2 })).toBe('--#');
        expectSubscriptions(s1.subscriptions).toBe('^-!');
      });
    });
    it('values, never-ending and completion: ready when all emitted, completes when all completed', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const s1 = cold('a---|', { a: a! });
        const s2 = cold('--b----|', { b: b! });
        expectObservable(mergeSources({ s1, s2 })).toBe('--x----|', { x: expect.objectContaining({ deltas: expect.arrayContaining([expect.anything(), expect.anything()]) }) });
      });
    });
    it('early unsubscribe: unsubscribes every source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const s1 = cold('a-----', { a: a! });
        const s2 = cold('-b----', { b: b! });
        expectObservable(mergeSources({ s1, s2 }), '---!').toBe('-x', { x: expect.anything() });
        expectSubscriptions(s1.subscriptions).toBe('^--!');
        expectSubscriptions(s2.subscriptions).toBe('^--!');
      });
    });
  });

  it('waits for every source, then emits the union as added', () => {
    const h = harness(['ns-a', 'ns-b']);
    h.push('ns-a', [['put', 'ns-a/x', 1]]);
    h.push('ns-a', [['put', 'ns-a/x', 2]]);
    expect(h.out).toHaveLength(0);
    h.push('ns-b', [['put', 'ns-b/y', 3]]);
    expect(h.out).toHaveLength(1);
    expect(entriesOf(h.out[0]!.snapshot)).toEqual([['ns-a/x', 2], ['ns-b/y', 3]]);
    expect(h.out[0]!.deltas.map((d) => d.type)).toEqual(['added', 'added']);
  });

  it('passes later deltas through with their types and previous objects', () => {
    const h = harness(['ns-a', 'ns-b']);
    h.push('ns-a', [['put', 'ns-a/x', 1]]);
    h.push('ns-b', [['put', 'ns-b/y', 3]]);
    h.push('ns-b', [['put', 'ns-b/y', 4], ['del', 'ns-b/y']]);
    expect(h.out[1]!.deltas).toEqual([
      { type: 'updated', key: 'ns-b/y', object: 4, previous: 3 },
      { type: 'deleted', key: 'ns-b/y', object: 4 },
    ]);
    expect(entriesOf(h.out[1]!.snapshot)).toEqual([['ns-a/x', 1]]);
  });

  it('prefixes keys with the source name for several clusters', () => {
    const h = harness(['prod', 'staging'], true);
    h.push('prod', [['put', 'default/web', 1]]);
    h.push('staging', [['put', 'default/web', 2]]);
    expect(entriesOf(h.out[0]!.snapshot)).toEqual([['prod/default/web', 1], ['staging/default/web', 2]]);
    h.push('staging', [['del', 'default/web']]);
    expect(h.out[1]!.deltas).toEqual([{ type: 'deleted', key: 'staging/default/web', object: 2 }]);
  });

  it('emits an empty reflection and completes with no source', () => {
    const out: unknown[] = [];
    let done = false;
    mergeSources<number>({}).subscribe({ next: (r) => out.push(r.snapshot.size), complete: () => (done = true) });
    expect([out, done]).toEqual([[0], true]);
  });
});
