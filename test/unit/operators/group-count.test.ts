import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { groupCount, type GroupCounts } from '../../../src/operators/group-count.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

interface Pod {
  readonly node?: string;
  readonly phase: string;
  readonly tags?: string[];
}
const nodePhase = (p: Pod) => `${p.node ?? '-'}/${p.phase}`;

function run(groupOf: (p: Pod) => string | string[] | undefined, batches: Op<Pod>[][]) {
  const m = new StoreModel<Pod>();
  const input = new Subject<Reflection<Pod>>();
  const out: GroupCounts[] = [];
  input.pipe(groupCount(groupOf)).subscribe((r) => out.push(r));
  batches.forEach((b, i) => input.next(m.batch(b, { first: i === 0 })));
  return out;
}
const counts = (g: GroupCounts) => Object.fromEntries([...g.counts.entries()].sort());

describe('groupCount', () => {
  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<Pod>([[['put', 'p1', { phase: 'Running' }]], [['put', 'p2', { phase: 'Running' }]]]);
    operatorChecklist({ operator: () => groupCount(nodePhase), values: { a: a!, b: b! }, throwing: () => groupCount<Pod>(boom) });
  });

  it('counts objects per node and phase', () => {
    const out = run(nodePhase, [
      [
        ['put', 'a', { node: 'n1', phase: 'Running' }],
        ['put', 'b', { node: 'n1', phase: 'Running' }],
        ['put', 'c', { node: 'n2', phase: 'Pending' }],
      ],
    ]);
    expect(counts(out[0]!)).toEqual({ 'n1/Running': 2, 'n2/Pending': 1 });
    expect(out[0]!.changes).toEqual([
      { group: 'n1/Running', previous: 0, count: 2 },
      { group: 'n2/Pending', previous: 0, count: 1 },
    ]);
  });

  it('moves an updated object between groups and removes groups that reach zero', () => {
    const out = run(nodePhase, [[['put', 'a', { node: 'n1', phase: 'Pending' }]], [['put', 'a', { node: 'n1', phase: 'Running' }]]]);
    expect(counts(out[1]!)).toEqual({ 'n1/Running': 1 });
    expect(out[1]!.changes).toEqual([
      { group: 'n1/Pending', previous: 1, count: 0 },
      { group: 'n1/Running', previous: 0, count: 1 },
    ]);
  });

  it('emits nothing when a batch leaves every count unchanged, even if groups moved back and forth', () => {
    const out = run(nodePhase, [
      [['put', 'a', { node: 'n1', phase: 'Pending' }]],
      [['put', 'a', { node: 'n1', phase: 'Running' }], ['put', 'a', { node: 'n1', phase: 'Pending' }]],
      [['sync', 'a']],
    ]);
    expect(out).toHaveLength(1);
  });

  it('counts a multi-valued object once in each of its distinct groups and none for undefined', () => {
    const out = run((p) => p.tags, [
      [
        ['put', 'a', { phase: 'x', tags: ['red', 'blue', 'red'] }],
        ['put', 'b', { phase: 'x' }],
      ],
      [['del', 'a']],
    ]);
    expect(counts(out[0]!)).toEqual({ red: 1, blue: 1 });
    expect(counts(out[1]!)).toEqual({});
  });

  it('shares structure: untouched counts keep their values and earlier emissions never change', () => {
    const out = run(nodePhase, [[['put', 'a', { node: 'n1', phase: 'Running' }]], [['put', 'b', { node: 'n2', phase: 'Running' }]]]);
    expect(counts(out[0]!)).toEqual({ 'n1/Running': 1 });
    expect(counts(out[1]!)).toEqual({ 'n1/Running': 1, 'n2/Running': 1 });
    expect(Object.isFrozen(out[1]!.changes)).toBe(true);
  });

  it('emits the first batch even when nothing is counted', () => {
    const out = run(() => undefined, [[['put', 'a', { phase: 'x' }]]]);
    expect(out.map((g) => [g.counts.size, g.changes.length, g.resourceVersion])).toEqual([[0, 0, '1']]);
  });
});
