import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { filterObjects } from '../../../src/operators/filter-objects.ts';
import { withIndex } from '../../../src/operators/with-index.ts';
import { summary } from './pipeline-helpers.ts';
import { StoreModel } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

interface Pod {
  readonly phase: string;
  readonly n?: number;
}
const running = (p: Pod) => p.phase === 'Running';

function run(batches: Parameters<StoreModel<Pod>['batch']>[0][]) {
  const m = new StoreModel<Pod>();
  const input = new Subject<Reflection<Pod>>();
  const out: Reflection<Pod>[] = [];
  input.pipe(filterObjects(running)).subscribe((r) => out.push(r));
  batches.forEach((b, i) => input.next(m.batch(b, { first: i === 0 })));
  return out;
}

describe('filterObjects', () => {
  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<Pod>([[['put', 'p1', { phase: 'Running' }]], [['put', 'p2', { phase: 'Running' }]]]);
    operatorChecklist({ operator: () => filterObjects(running), values: { a: a!, b: b! }, throwing: () => filterObjects<Pod>(boom) });
  });

  it('emits matching objects as added and ignores the others', () => {
    const out = run([[['put', 'a', { phase: 'Running' }], ['put', 'b', { phase: 'Pending' }]]]);
    expect(out.map(summary)).toEqual([{ size: 1, entries: [['a', { phase: 'Running' }]], deltas: [{ type: 'added', key: 'a', object: { phase: 'Running' } }] }]);
  });

  it('turns an update that enters the filter into added and one that leaves it into deleted with the new object', () => {
    const out = run([[['put', 'a', { phase: 'Pending' }], ['put', 'b', { phase: 'Running' }]], [['put', 'a', { phase: 'Running' }]], [['put', 'b', { phase: 'Failed' }]]]);
    expect(out.slice(1).map((r) => r.deltas)).toEqual([
      [{ type: 'added', key: 'a', object: { phase: 'Running' } }],
      [{ type: 'deleted', key: 'b', object: { phase: 'Failed' } }],
    ]);
    expect(summary(out[2]!).entries).toEqual([['a', { phase: 'Running' }]]);
  });

  it('passes updates inside the filter as updated with the previous view object', () => {
    const out = run([[['put', 'a', { phase: 'Running', n: 1 }]], [['put', 'a', { phase: 'Running', n: 2 }]]]);
    expect(out[1]!.deltas).toEqual([{ type: 'updated', key: 'a', object: { phase: 'Running', n: 2 }, previous: { phase: 'Running', n: 1 } }]);
  });

  it('emits nothing for a batch that does not touch the view, and keeps snapshot identity', () => {
    const out = run([[['put', 'a', { phase: 'Running' }]], [['put', 'b', { phase: 'Pending' }]], [['del', 'b']], [['put', 'a', { phase: 'Running', n: 1 }]]]);
    expect(out).toHaveLength(2);
    expect(out[1]!.deltas.map((d) => d.type)).toEqual(['updated']);
  });

  it('emits the first reflection even when nothing matches, so readiness propagates', () => {
    const out = run([[['put', 'a', { phase: 'Pending' }]]]);
    expect(out.map(summary)).toEqual([{ size: 0, entries: [], deltas: [] }]);
  });

  it('passes deletes of matching objects, keeping finalStateUnknown', () => {
    const input = new Subject<Reflection<Pod>>();
    const out: Reflection<Pod>[] = [];
    input.pipe(filterObjects(running)).subscribe((r) => out.push(r));
    const m = new StoreModel<Pod>();
    input.next(m.batch([['put', 'a', { phase: 'Running' }]]));
    const r = m.batch([['del', 'a']]);
    input.next({ snapshot: r.snapshot, deltas: [{ ...r.deltas[0]!, finalStateUnknown: true }] });
    expect(out[1]!.deltas).toEqual([{ type: 'deleted', key: 'a', object: { phase: 'Running' }, finalStateUnknown: true }]);
  });

  it('re-evaluates the predicate on synced deltas', () => {
    let threshold = 0;
    const input = new Subject<Reflection<Pod>>();
    const out: Reflection<Pod>[] = [];
    input.pipe(filterObjects<Pod>((p) => (p.n ?? 0) > threshold)).subscribe((r) => out.push(r));
    const m = new StoreModel<Pod>();
    input.next(m.batch([['put', 'a', { phase: 'x', n: 1 }]]));
    threshold = 5;
    input.next(m.batch([['sync', 'a']]));
    expect(out[1]!.deltas).toEqual([{ type: 'deleted', key: 'a', object: { phase: 'x', n: 1 } }]);
  });

  it('emits frozen reflections and snapshots that withIndex can extend', () => {
    const input = new Subject<Reflection<Pod>>();
    const out: Reflection<Pod>[] = [];
    input.pipe(filterObjects(running), withIndex('phase', (p: Pod) => p.phase)).subscribe((r) => out.push(r));
    input.next(new StoreModel<Pod>().batch([['put', 'a', { phase: 'Running' }], ['put', 'b', { phase: 'Pending' }]]));
    expect(out[0]!.snapshot.indexKeys('phase', 'Running')).toEqual(['a']);
    expect(Object.isFrozen(out[0]!.deltas)).toBe(true);
  });

  it('narrows the output type with a type guard (s.x only compiles when narrowed)', () => {
    type Shape = { kind: 'a'; x: number } | { kind: 'b' };
    const [a] = StoreModel.reflections<Shape>([[['put', 'k', { kind: 'a', x: 1 }], ['put', 'l', { kind: 'b' }]]]);
    const xs: number[] = [];
    of(a!)
      .pipe(filterObjects((s: Shape): s is Extract<Shape, { kind: 'a' }> => s.kind === 'a'))
      .subscribe((r) => xs.push(...[...r.snapshot.values()].map((s) => s.x)));
    expect(xs).toEqual([1]);
  });
});
