import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { groupBy, groupObjects, type Grouping } from '../../../src/operators/group-objects.ts';
import { entriesOf } from './pipeline-helpers.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

interface Pod {
  readonly node?: string;
  readonly n?: number;
}
const byNode = (p: Pod) => p.node;

function run(batches: Op<Pod>[][]) {
  const m = new StoreModel<Pod>();
  const input = new Subject<Reflection<Pod>>();
  const out: Grouping<Pod>[] = [];
  input.pipe(groupObjects(byNode)).subscribe((r) => out.push(r));
  batches.forEach((b, i) => input.next(m.batch(b, { first: i === 0 })));
  return out;
}
const groups = (g: Grouping<Pod>) => Object.fromEntries([...g.groups.entries()].map(([k, s]) => [k, entriesOf(s).map(([key]) => key)]).sort());

describe('groupObjects', () => {
  it('is still exported under its deprecated former name groupBy', () => {
    expect(groupBy).toBe(groupObjects);
  });

  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<Pod>([[['put', 'p1', { node: 'n1' }]], [['put', 'p2', { node: 'n1' }]]]);
    operatorChecklist({ operator: () => groupObjects(byNode), values: { a: a!, b: b! }, throwing: () => groupObjects<Pod>(boom) });
  });

  it('partitions objects into one snapshot per group', () => {
    const out = run([
      [
        ['put', 'a', { node: 'n1' }],
        ['put', 'b', { node: 'n2' }],
        ['put', 'c', { node: 'n1' }],
        ['put', 'd', {}],
      ],
    ]);
    expect(groups(out[0]!)).toEqual({ n1: ['a', 'c'], n2: ['b'] });
    expect(out[0]!.changes.map((c) => [c.group, c.reflection.deltas.map((d) => `${d.type} ${d.key}`)])).toEqual([
      ['n1', ['added a', 'added c']],
      ['n2', ['added b']],
    ]);
  });

  it('moves an object between groups as deleted + added and drops emptied groups', () => {
    const out = run([[['put', 'a', { node: 'n1' }]], [['put', 'a', { node: 'n2', n: 1 }]]]);
    expect(groups(out[1]!)).toEqual({ n2: ['a'] });
    expect(out[1]!.changes.map((c) => [c.group, c.reflection.snapshot.size, c.reflection.deltas])).toEqual([
      ['n1', 0, [{ type: 'deleted', key: 'a', object: { node: 'n2', n: 1 } }]],
      ['n2', 1, [{ type: 'added', key: 'a', object: { node: 'n2', n: 1 } }]],
    ]);
  });

  it('keeps the snapshot identity of untouched groups', () => {
    const out = run([[['put', 'a', { node: 'n1' }], ['put', 'b', { node: 'n2' }]], [['put', 'b', { node: 'n2', n: 2 }]]]);
    expect(out[1]!.groups.get('n1')).toBe(out[0]!.groups.get('n1'));
    expect(out[1]!.groups.get('n2')).not.toBe(out[0]!.groups.get('n2'));
    expect(out[1]!.changes[0]!.reflection.deltas).toEqual([{ type: 'updated', key: 'b', object: { node: 'n2', n: 2 }, previous: { node: 'n2' } }]);
  });

  it('passes synced deltas to the object group and emits nothing for ungrouped objects', () => {
    const out = run([[['put', 'a', { node: 'n1' }], ['put', 'b', {}]], [['sync', 'a']], [['put', 'b', { n: 3 }]]]);
    expect(out).toHaveLength(2);
    expect(out[1]!.changes[0]!.reflection.deltas).toEqual([{ type: 'synced', key: 'a', object: { node: 'n1' } }]);
  });
});
