import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../../src/model/reflection.ts';
import type { Joined } from '../../../../src/model/derived-views.ts';
import { joinReflections } from '../../../../src/operators/internal/join-engine.ts';
import { StoreModel, type Op } from '../../../support/store-model.ts';

interface Pod {
  readonly node?: string;
  readonly v?: number;
}
interface Node {
  readonly name: string;
  readonly v?: number;
}

function harness() {
  const pods = new StoreModel<Pod>();
  const nodes = new StoreModel<Node>();
  const left = new Subject<Reflection<Pod>>();
  const right = new Subject<Reflection<Node>>();
  const out: Reflection<Joined<Pod, Node>>[] = [];
  joinReflections(left, right, { leftKey: (p) => p.node, rightKey: (n) => n.name, where: undefined, inner: false }).subscribe((r) => out.push(r));
  let firstLeft = true;
  let firstRight = true;
  return {
    out,
    last: () => out[out.length - 1]!,
    pods: (ops: Op<Pod>[]) => {
      left.next(pods.batch(ops, { first: firstLeft }));
      firstLeft = false;
    },
    nodes: (ops: Op<Node>[]) => {
      right.next(nodes.batch(ops, { first: firstRight }));
      firstRight = false;
    },
  };
}

describe('joinReflections', () => {
  it('shares the right arrays of a row whose matches did not change', () => {
    const h = harness();
    h.nodes([['put', 'n1', { name: 'n1' }]]);
    h.pods([['put', 'p1', { node: 'n1', v: 1 }]]);
    const before = h.last().snapshot.get('p1')!;
    h.pods([['put', 'p1', { node: 'n1', v: 2 }]]);
    const after = h.last().snapshot.get('p1')!;
    expect(after).not.toBe(before);
    expect(after.left.v).toBe(2);
    expect(after.right).toBe(before.right);
    expect(after.rightKeys).toBe(before.rightKeys);
    expect(Object.isFrozen(after)).toBe(true);
  });

  it('makes new right arrays when a matched object or the matches change', () => {
    const h = harness();
    h.nodes([['put', 'n1', { name: 'n1' }], ['put', 'n2', { name: 'n2' }]]);
    h.pods([['put', 'p1', { node: 'n1' }]]);
    const first = h.last().snapshot.get('p1')!;
    h.nodes([['put', 'n1', { name: 'n1', v: 2 }]]);
    const updated = h.last().snapshot.get('p1')!;
    expect(updated.right).not.toBe(first.right);
    expect(updated.right).toEqual([{ name: 'n1', v: 2 }]);
    // A later pod update carries the updated node and shares the arrays of the row it replaces.
    h.pods([['put', 'p1', { node: 'n1', v: 5 }]]);
    const later = h.last().snapshot.get('p1')!;
    expect(later.right).toBe(updated.right);
    expect(later.right).toEqual([{ name: 'n1', v: 2 }]);
    h.pods([['put', 'p1', { node: 'n2' }]]);
    const moved = h.last().snapshot.get('p1')!;
    expect(moved.rightKeys).toEqual(['n2']);
    expect(Object.isFrozen(moved.right)).toBe(true);
    h.pods([['put', 'p1', { node: 'gone' }]]);
    expect(h.last().snapshot.get('p1')!.right).toEqual([]);
    // n2 no longer lists p1: updating it touches no row.
    const emitted = h.out.length;
    h.nodes([['put', 'n2', { name: 'n2', v: 3 }]]);
    expect(h.out.length).toBe(emitted);
  });
});
