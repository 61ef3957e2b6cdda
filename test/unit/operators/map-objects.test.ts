import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { mapObjects, type MapObjectsOptions } from '../../../src/operators/map-objects.ts';
import { summary } from './pipeline-helpers.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

interface Pod {
  readonly node?: string;
  readonly n: number;
}

function run<R>(project: (p: Pod, key: string) => R, batches: Op<Pod>[][], options?: MapObjectsOptions<R>) {
  const m = new StoreModel<Pod>();
  const input = new Subject<Reflection<Pod>>();
  const out: Reflection<R>[] = [];
  let calls = 0;
  input
    .pipe(
      mapObjects((p: Pod, k: string) => {
        calls++;
        return project(p, k);
      }, options),
    )
    .subscribe((r) => out.push(r));
  batches.forEach((b, i) => input.next(m.batch(b, { first: i === 0 })));
  return { out, calls: () => calls };
}

describe('mapObjects', () => {
  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<Pod>([[['put', 'p1', { n: 1 }]], [['put', 'p2', { n: 2 }]]]);
    operatorChecklist({ operator: () => mapObjects((p: Pod) => p.n), values: { a: a!, b: b! }, throwing: () => mapObjects<Pod, number>(boom) });
  });

  it('projects every object under the same key, with the key passed to project', () => {
    const { out } = run((p, k) => `${k}:${p.n}`, [[['put', 'a', { n: 1 }], ['put', 'b', { n: 2 }]]]);
    expect(summary(out[0]!)).toEqual({
      size: 2,
      entries: [['a', 'a:1'], ['b', 'b:2']],
      deltas: [{ type: 'added', key: 'a', object: 'a:1' }, { type: 'added', key: 'b', object: 'b:2' }],
    });
  });

  it('gives updated deltas the previous projection and deleted deltas the last projection, without re-projecting', () => {
    const { out, calls } = run((p) => p.n * 10, [[['put', 'a', { n: 1 }]], [['put', 'a', { n: 2 }]], [['sync', 'a']], [['del', 'a']]]);
    expect(out.slice(1).map((r) => r.deltas)).toEqual([
      [{ type: 'updated', key: 'a', object: 20, previous: 10 }],
      [{ type: 'synced', key: 'a', object: 20 }],
      [{ type: 'deleted', key: 'a', object: 20 }],
    ]);
    expect(calls()).toBe(2);
  });

  it('drops updates whose projection is equal under `equals`, and emits nothing for such a batch', () => {
    const { out } = run((p) => ({ node: p.node }), [[['put', 'a', { n: 1, node: 'x' }]], [['put', 'a', { n: 2, node: 'x' }]], [['put', 'a', { n: 3, node: 'y' }]]], {
      equals: (l, r) => l.node === r.node,
    });
    expect(out).toHaveLength(2);
    expect(out[1]!.deltas).toEqual([{ type: 'updated', key: 'a', object: { node: 'y' }, previous: { node: 'x' } }]);
  });

  it('carries the input resourceVersion', () => {
    const { out } = run((p) => p.n, [[['put', 'a', { n: 1 }]], [['put', 'a', { n: 2 }]]]);
    expect(out.map((r) => r.snapshot.resourceVersion)).toEqual(['1', '2']);
  });
});
