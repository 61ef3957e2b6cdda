import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Reflection } from '../../../src/model/reflection.ts';
import { join } from '../../../src/operators/join.ts';
import { joinWith, type Joined, type JoinOptions } from '../../../src/operators/join-with.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

interface Pod {
  readonly node?: string;
  readonly owners?: string[];
  readonly n?: number;
}
interface Node {
  readonly name: string;
  readonly ready?: boolean;
}
const podsOnNodes: JoinOptions<Pod, Node> = { leftKey: (p) => p.node, rightKey: (n) => n.name };

function harness(options: JoinOptions<Pod, Node> = podsOnNodes) {
  const pods = new StoreModel<Pod>();
  const nodes = new StoreModel<Node>();
  const left = new Subject<Reflection<Pod>>();
  const right = new Subject<Reflection<Node>>();
  const out: Reflection<Joined<Pod, Node>>[] = [];
  let firstLeft = true;
  let firstRight = true;
  left.pipe(joinWith(right, options)).subscribe((r) => out.push(r));
  return {
    out,
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
const rows = (r: Reflection<Joined<Pod, Node>>) =>
  Object.fromEntries([...r.snapshot.entries()].sort().map(([k, row]) => [k, row.right.map((n) => n.name).sort()]));
const described = (r: Reflection<Joined<Pod, Node>>) => r.deltas.map((d) => `${d.type} ${d.key}→${d.object.right.map((n) => n.name).join(',')}`);

describe('joinWith', () => {
  describe('checklist (left side)', () => {
    const [a, b] = StoreModel.reflections<Pod>([[['put', 'p1', { node: 'n1' }]], [['put', 'p2', { node: 'n1' }]]]);
    const [r] = StoreModel.reflections<Node>([[['put', 'n1', { name: 'n1' }]]]);
    operatorChecklist({ operator: () => joinWith(of(r!), podsOnNodes), values: { a: a!, b: b! }, throwing: () => joinWith(of(r!), { ...podsOnNodes, leftKey: boom }) });
  });

  describe('checklist (join, the creation form, on its left side)', () => {
    const [a, b] = StoreModel.reflections<Pod>([[['put', 'p1', { node: 'n1' }]], [['put', 'p2', { node: 'n1' }]]]);
    const [r] = StoreModel.reflections<Node>([[['put', 'n1', { name: 'n1' }]]]);
    operatorChecklist<Reflection<Pod>>({
      operator: () => (left$) => join(left$, of(r!), podsOnNodes),
      values: { a: a!, b: b! },
      throwing: () => (left$) => join(left$, of(r!), { ...podsOnNodes, leftKey: boom }),
    });
  });

  describe('right side', () => {
    const [a] = StoreModel.reflections<Pod>([[['put', 'p1', { node: 'n1' }]]]);
    const [r] = StoreModel.reflections<Node>([[['put', 'n1', { name: 'n1' }]]]);
    it('emits nothing until the right side has emitted, then the joined state', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const left = cold('a', { a: a! });
        const right = cold('---r', { r: r! });
        expectObservable(left.pipe(joinWith(right, podsOnNodes)), '------!').toBe('---x', {
          x: expect.objectContaining({ deltas: [expect.objectContaining({ type: 'added', key: 'p1' })] }),
        });
        expectSubscriptions(right.subscriptions).toBe('^-----!');
      });
    });
    it('errors when the right side errors and unsubscribes the left', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const left = cold('a---', { a: a! });
        const right = cold<Reflection<Node>>('--#');
        expectObservable(left.pipe(joinWith(right, podsOnNodes))).toBe('--#');
        expectSubscriptions(left.subscriptions).toBe('^-!');
        expectSubscriptions(right.subscriptions).toBe('^-!');
      });
    });
    it('completes when the right side completes without emitting (never ready)', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const left = cold('a---', { a: a! });
        const right = cold<Reflection<Node>>('--|');
        expectObservable(left.pipe(joinWith(right, podsOnNodes))).toBe('--|');
        expectSubscriptions(left.subscriptions).toBe('^-!');
      });
    });
    it('completes only when both sides completed after emitting', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const left = cold('a-|', { a: a! });
        const right = cold('r----|', { r: r! });
        expectObservable(left.pipe(joinWith(right, podsOnNodes))).toBe('x----|', { x: expect.anything() });
      });
    });
    it('errors when rightKey throws', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const left = cold('a---', { a: a! });
        const right = cold('-r--', { r: r! });
        expectObservable(left.pipe(joinWith(right, { ...podsOnNodes, rightKey: boom }))).toBe('-#', undefined, new Error('callback'));
        expectSubscriptions(right.subscriptions).toBe('^!');
      });
    });
  });

  it('joins pods with their node; a left join keeps unscheduled pods with no right object', () => {
    const h = harness();
    h.pods([
      ['put', 'p1', { node: 'n1' }],
      ['put', 'p2', { node: 'n2' }],
      ['put', 'p3', {}],
    ]);
    expect(h.out).toHaveLength(0);
    h.nodes([['put', 'n1', { name: 'n1' }]]);
    expect(h.out.map(rows)).toEqual([{ p1: ['n1'], p2: [], p3: [] }]);
    expect(h.out[0]!.deltas.every((d) => d.type === 'added')).toBe(true);
  });

  it('updating a node updates exactly the rows of the pods on that node and keeps the others identical', () => {
    const h = harness();
    h.pods([
      ['put', 'p1', { node: 'n1' }],
      ['put', 'p2', { node: 'n1' }],
      ['put', 'p3', { node: 'n2' }],
    ]);
    h.nodes([
      ['put', 'n1', { name: 'n1' }],
      ['put', 'n2', { name: 'n2' }],
    ]);
    h.nodes([['put', 'n1', { name: 'n1', ready: true }]]);
    expect(described(h.out[1]!).sort()).toEqual(['updated p1→n1', 'updated p2→n1']);
    expect(h.out[1]!.snapshot.get('p1')!.right[0]!.ready).toBe(true);
    expect(h.out[1]!.snapshot.get('p3')).toBe(h.out[0]!.snapshot.get('p3'));
  });

  it('updating a pod costs its own row only: it re-keys the pod onto its new node', () => {
    const h = harness();
    h.nodes([
      ['put', 'n1', { name: 'n1' }],
      ['put', 'n2', { name: 'n2' }],
    ]);
    h.pods([
      ['put', 'p1', { node: 'n1' }],
      ['put', 'p2', { node: 'n1' }],
    ]);
    h.pods([['put', 'p1', { node: 'n2' }]]);
    expect(described(h.out[1]!)).toEqual(['updated p1→n2']);
    expect(h.out[1]!.deltas[0]!.previous!.right.map((n) => n.name)).toEqual(['n1']);
  });

  it('deleting a node empties its pods rows in a left join and deletes them in an inner join', () => {
    for (const mode of ['left', 'inner'] as const) {
      const h = harness({ ...podsOnNodes, mode });
      h.pods([['put', 'p1', { node: 'n1' }]]);
      h.nodes([['put', 'n1', { name: 'n1' }]]);
      h.nodes([['del', 'n1']]);
      expect([mode, described(h.out[1]!)]).toEqual([mode, mode === 'left' ? ['updated p1→'] : ['deleted p1→']]);
      h.nodes([['put', 'n1', { name: 'n1' }]]);
      expect([mode, described(h.out[2]!)]).toEqual([mode, mode === 'left' ? ['updated p1→n1'] : ['added p1→n1']]);
    }
  });

  it('joins on multi-valued keys (owner references) and applies `where`', () => {
    const h = harness({ leftKey: (p) => p.owners, rightKey: (n) => n.name, where: (_p, n) => n.ready !== false });
    h.pods([['put', 'p1', { owners: ['rs1', 'rs2', 'rs1'] }]]);
    h.nodes([
      ['put', 'rs1', { name: 'rs1' }],
      ['put', 'rs2', { name: 'rs2', ready: false }],
    ]);
    expect(h.out.map(rows)).toEqual([{ p1: ['rs1'] }]);
    h.nodes([['put', 'rs2', { name: 'rs2', ready: true }]]);
    expect(rows(h.out[1]!)).toEqual({ p1: ['rs1', 'rs2'] });
    expect(h.out[1]!.snapshot.get('p1')!.rightKeys.slice().sort()).toEqual(['rs1', 'rs2']);
  });

  it('passes a left resync as a synced row and ignores right resyncs', () => {
    const h = harness();
    h.pods([['put', 'p1', { node: 'n1' }]]);
    h.nodes([['put', 'n1', { name: 'n1' }]]);
    h.nodes([['sync', 'n1']]);
    h.pods([['sync', 'p1']]);
    expect(h.out.slice(1).map(described)).toEqual([['synced p1→n1']]);
  });

  it('deleting a pod deletes its row', () => {
    const h = harness();
    h.pods([['put', 'p1', { node: 'n1' }]]);
    h.nodes([['put', 'n1', { name: 'n1' }]]);
    h.pods([['del', 'p1']]);
    expect(described(h.out[1]!)).toEqual(['deleted p1→n1']);
    expect(h.out[1]!.snapshot.size).toBe(0);
  });

  it('costs O(pods on the node) per node update and O(matches) per pod update, counted in callback calls', () => {
    const calls = { leftKey: 0, rightKey: 0, where: 0 };
    const h = harness({
      leftKey: (p) => (calls.leftKey++, p.node),
      rightKey: (n) => (calls.rightKey++, n.name),
      where: () => (calls.where++, true),
    });
    h.pods(Array.from({ length: 1000 }, (_, i): Op<Pod> => ['put', `p${i}`, { node: `n${i % 10}` }]));
    h.nodes(Array.from({ length: 10 }, (_, i): Op<Node> => ['put', `n${i}`, { name: `n${i}` }]));
    Object.assign(calls, { leftKey: 0, rightKey: 0, where: 0 });
    h.nodes([['put', 'n3', { name: 'n3', ready: true }]]);
    expect(calls).toEqual({ leftKey: 0, rightKey: 1, where: 100 });
    expect(h.out.at(-1)!.deltas).toHaveLength(100);
    Object.assign(calls, { leftKey: 0, rightKey: 0, where: 0 });
    h.pods([['put', 'p7', { node: 'n3', n: 1 }]]);
    expect(calls).toEqual({ leftKey: 1, rightKey: 0, where: 1 });
    expect(h.out.at(-1)!.deltas).toHaveLength(1);
  });

  it('join(left$, right$) is the creation form of joinWith', () => {
    const [a] = StoreModel.reflections<Pod>([[['put', 'p1', { node: 'n1' }]]]);
    const [r] = StoreModel.reflections<Node>([[['put', 'n1', { name: 'n1' }]]]);
    const out: Reflection<Joined<Pod, Node>>[] = [];
    join(of(a!), of(r!), podsOnNodes).subscribe((x) => out.push(x));
    expect(out.map(rows)).toEqual([{ p1: ['n1'] }]);
  });
});
