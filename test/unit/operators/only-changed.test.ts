import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { onlyChanged } from '../../../src/operators/only-changed.ts';
import { predicates, type Predicate } from '../../../src/operators/predicates.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

type Obj = KubeObject & { metadata: { finalizers?: string[] }; spec?: { replicas?: number; tags?: Record<string, number> } };
const o = (meta: Partial<Obj['metadata']> & Record<string, unknown> = {}, spec?: Obj['spec']): Obj => ({ metadata: { name: 'x', ...meta }, ...(spec ? { spec } : {}) });

function run(predicate: Predicate<Obj>, batches: Op<Obj>[][]) {
  const m = new StoreModel<Obj>();
  const input = new Subject<Reflection<Obj>>();
  const out: Reflection<Obj>[] = [];
  input.pipe(onlyChanged(predicate)).subscribe((r) => out.push(r));
  batches.forEach((b, i) => input.next(m.batch(b, { first: i === 0 })));
  return out;
}
const types = (out: Reflection<Obj>[]) => out.map((r) => r.deltas.map((d) => `${d.type} ${d.key}`));

describe('onlyChanged', () => {
  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<Obj>([[['put', 'k', o({ generation: 1 })]], [['put', 'k', o({ generation: 2 })]]]);
    operatorChecklist<Reflection<Obj>>({ operator: () => onlyChanged(predicates.generation), values: { a: b!, b: a! }, throwing: () => onlyChanged<Obj>(boom) });
  });

  it('drops status-only updates under predicates.generation and keeps spec changes, adds, deletes and resyncs', () => {
    const out = run(predicates.generation, [
      [['put', 'a', o({ generation: 1 })]],
      [['put', 'a', o({ generation: 1, resourceVersion: '2' })]],
      [['put', 'a', o({ generation: 2 })], ['put', 'b', o({ generation: 1 })]],
      [['sync', 'a']],
      [['del', 'a']],
    ]);
    expect(types(out)).toEqual([['added a'], ['updated a', 'added b'], ['synced a'], ['deleted a']]);
  });

  it('keeps the input snapshot, which includes the dropped update', () => {
    const out = run(predicates.generation, [[['put', 'a', o({ generation: 1 })], ['put', 'b', o({ generation: 1 })]], [['put', 'a', o({ generation: 1, uid: 'new' })], ['put', 'b', o({ generation: 2 })]]]);
    expect(out[1]!.deltas.map((d) => d.key)).toEqual(['b']);
    expect(out[1]!.snapshot.get('a')!.metadata.uid).toBe('new');
  });

  it('keeps updates that carry no previous object', () => {
    const input = new Subject<Reflection<Obj>>();
    const out: Reflection<Obj>[] = [];
    input.pipe(onlyChanged(predicates.generation)).subscribe((r) => out.push(r));
    const r = new StoreModel<Obj>().batch([['put', 'a', o({ generation: 1 })]]);
    input.next({ snapshot: r.snapshot, deltas: [{ type: 'updated', key: 'a', object: o({ generation: 1 }) }] });
    expect(out).toHaveLength(1);
  });

  it('compares labels and annotations regardless of key order, finalizers in order', () => {
    expect(predicates.labels(o({ labels: { a: '1', b: '2' } }))).toBe(predicates.labels(o({ labels: { b: '2', a: '1' } })));
    expect(predicates.labels(o({ labels: { a: '1' } }))).not.toBe(predicates.labels(o({ labels: { a: '2' } })));
    expect(predicates.annotations(o({ annotations: { a: '1', b: '2' } }))).toBe(predicates.annotations(o({ annotations: { b: '2', a: '1' } })));
    expect(predicates.finalizers(o({ finalizers: ['a', 'b'] }))).not.toBe(predicates.finalizers(o({ finalizers: ['b', 'a'] })));
    expect(predicates.labels(o())).toBeUndefined();
  });

  it('combine changes when any part changes; fallback uses the second where the first is undefined', () => {
    const both = predicates.combine<Obj>(predicates.generation, predicates.labels);
    expect(both(o({ generation: 1, labels: { a: '1' } }))).toBe(both(o({ generation: 1, labels: { a: '1' } })));
    expect(both(o({ generation: 1, labels: { a: '1' } }))).not.toBe(both(o({ generation: 1, labels: { a: '2' } })));
    expect(predicates.combine<Obj>(() => 1)(o())).not.toBe(predicates.combine<Obj>(() => '1')(o()));
    const genOrRv = predicates.fallback<Obj>(predicates.generation, predicates.resourceVersion);
    expect(genOrRv(o({ resourceVersion: '7' }))).toBe('7');
    expect(genOrRv(o({ generation: 3, resourceVersion: '7' }))).toBe(3);
  });

  it('field compares derived values structurally', () => {
    const tags = predicates.field((x: Obj) => x.spec?.tags);
    expect(tags(o({}, { tags: { a: 1, b: 2 } }))).toBe(tags(o({}, { tags: { b: 2, a: 1 } })));
    expect(tags(o({}, { tags: { a: 1 } }))).not.toBe(tags(o({}, { tags: { a: 2 } })));
    const out = run(predicates.field((x: Obj) => x.spec?.replicas), [[['put', 'a', o({}, { replicas: 1 })]], [['put', 'a', o({ uid: 'u' }, { replicas: 1 })]], [['put', 'a', o({}, { replicas: 2 })]]]);
    expect(types(out)).toEqual([['added a'], ['updated a']]);
  });
});
