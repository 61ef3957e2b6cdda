import fc from 'fast-check';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { Reflection, Snapshot } from '../../src/model/reflection.ts';
import { filterObjects } from '../../src/operators/filter-objects.ts';
import { groupObjects, type Grouping } from '../../src/operators/group-objects.ts';
import { groupCount, type GroupCounts } from '../../src/operators/group-count.ts';
import { joinWith, type Joined } from '../../src/operators/join-with.ts';
import { mapObjects } from '../../src/operators/map-objects.ts';
import { mergeSources } from '../../src/operators/merge-sources.ts';
import { selectorJoin, type LabelSelector } from '../../src/operators/selector-join.ts';
import { applyDeltas, StoreModel, type Op } from '../support/store-model.ts';

interface Pod extends KubeObject {
  readonly node?: string;
  readonly phase: string;
  readonly tags: readonly string[];
  readonly v: number;
}
interface Node {
  readonly name: string;
  readonly zone: string;
}
interface Svc {
  readonly selector?: LabelSelector;
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const NODES = ['n1', 'n2', 'n3'];
const LABELS = ['app', 'tier', 'env'];
const VALUES = ['x', 'y'];

const labelsArb = fc.dictionary(fc.constantFrom(...LABELS), fc.constantFrom(...VALUES), { maxKeys: 3 });
const podArb: fc.Arbitrary<Pod> = fc.record({
  node: fc.option(fc.constantFrom(...NODES), { nil: undefined }),
  phase: fc.constantFrom('Pending', 'Running', 'Failed'),
  tags: fc.uniqueArray(fc.constantFrom('t1', 't2', 't3'), { maxLength: 3 }),
  v: fc.integer({ min: 0, max: 2 }),
  labels: fc.option(labelsArb, { nil: undefined }),
}).map(({ labels, ...p }) => ({ ...p, metadata: { name: 'p', ...(labels ? { labels } : {}) } }));
const nodeArb = (key: string): fc.Arbitrary<Node> => fc.constantFrom('z1', 'z2').map((zone) => ({ name: key, zone }));
const requirementArb = fc.record({
  key: fc.constantFrom(...LABELS),
  operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
  values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
});
const svcArb: fc.Arbitrary<Svc> = fc.option(
  fc.record({ matchLabels: fc.option(labelsArb, { nil: undefined }), matchExpressions: fc.option(fc.array(requirementArb, { maxLength: 2 }), { nil: undefined }) }),
  { nil: undefined },
).map((selector) => (selector === undefined ? {} : { selector }));

function opsArb<T>(valueArb: (key: string) => fc.Arbitrary<T>, keys = KEYS): fc.Arbitrary<Op<T>[]> {
  const op: fc.Arbitrary<Op<T>> = fc.constantFrom(...keys).chain((key) =>
    fc.oneof(
      { weight: 5, arbitrary: valueArb(key).map((v): Op<T> => ['put', key, v]) },
      { weight: 2, arbitrary: fc.constant<Op<T>>(['del', key]) },
      { weight: 1, arbitrary: fc.constant<Op<T>>(['sync', key]) },
    ),
  );
  return fc.array(op, { minLength: 1, maxLength: 8 });
}
const batchesArb = fc.array(opsArb(() => podArb), { minLength: 1, maxLength: 25 });

/** Feeds batches through a StoreModel, skipping batches that change nothing (reflect would not emit). */
function feed<T>(model: StoreModel<T>, input: Subject<Reflection<T>>, ops: Op<T>[], first: boolean): boolean {
  let r: Reflection<T>;
  try {
    r = model.batch(ops, { first });
  } catch {
    return false;
  }
  input.next(r);
  return true;
}

const sorted = <V>(s: Snapshot<V>): [string, V][] => [...s.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const sourceEntries = <T>(m: StoreModel<T>): [string, T][] => [...m.objects.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

/** previous snapshot + deltas = next snapshot, for every emitted Reflection, with the delta protocol held. */
function assertChain<T>(out: Reflection<T>[]): void {
  let state = new Map<string, T>();
  for (const r of out) {
    state = applyDeltas(state, r.deltas, { strict: true });
    expect([...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(sorted(r.snapshot));
    state = new Map(r.snapshot.entries());
  }
}

function matches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = k(labels, r.key);
    const ok =
      r.operator === 'In' ? has && r.values!.includes(labels[r.key]!) : r.operator === 'NotIn' ? !has || !r.values!.includes(labels[r.key]!) : r.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}
const k = (o: object, key: string) => Object.hasOwn(o, key);

describe('derived views equal recomputation from scratch after every batch', () => {
  it('filterObjects', () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const model = new StoreModel<Pod>();
        const input = new Subject<Reflection<Pod>>();
        const out: Reflection<Pod>[] = [];
        const keep = (p: Pod) => p.phase === 'Running' || p.v === 2;
        input.pipe(filterObjects(keep)).subscribe((r) => out.push(r));
        let first = true;
        for (const ops of batches) {
          if (!feed(model, input, ops, first)) continue;
          first = false;
          expect(sorted(out.at(-1)!.snapshot)).toEqual(sourceEntries(model).filter(([, p]) => keep(p)));
        }
        assertChain(out);
      }),
    );
  });

  it('mapObjects (with and without equals)', () => {
    fc.assert(
      fc.property(batchesArb, fc.boolean(), (batches, withEquals) => {
        const model = new StoreModel<Pod>();
        const input = new Subject<Reflection<Pod>>();
        const out: Reflection<string>[] = [];
        const project = (p: Pod) => `${p.node}:${p.phase}`;
        input.pipe(mapObjects(project, withEquals ? { equals: (a, b) => a === b } : {})).subscribe((r) => out.push(r));
        let first = true;
        for (const ops of batches) {
          if (!feed(model, input, ops, first)) continue;
          first = false;
          expect(sorted(out.at(-1)!.snapshot)).toEqual(sourceEntries(model).map(([key, p]) => [key, project(p)]));
        }
        assertChain(out);
      }),
    );
  });

  it('groupCount (multi-valued groups)', () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const model = new StoreModel<Pod>();
        const input = new Subject<Reflection<Pod>>();
        const out: GroupCounts[] = [];
        input.pipe(groupCount((p: Pod) => [...p.tags, `${p.node ?? '-'}/${p.phase}`])).subscribe((r) => out.push(r));
        let first = true;
        for (const ops of batches) {
          if (!feed(model, input, ops, first)) continue;
          first = false;
          const expected = new Map<string, number>();
          for (const [, p] of sourceEntries(model)) for (const g of new Set([...p.tags, `${p.node ?? '-'}/${p.phase}`])) expected.set(g, (expected.get(g) ?? 0) + 1);
          expect([...out.at(-1)!.counts.entries()].sort()).toEqual([...expected.entries()].sort());
        }
        for (let i = 1; i < out.length; i++) {
          for (const c of out[i]!.changes) expect([c.previous, c.count]).toEqual([out[i - 1]!.counts.get(c.group) ?? 0, out[i]!.counts.get(c.group) ?? 0]);
        }
      }),
    );
  });

  it('groupObjects: each group snapshot equals the members; each group reflection chains', () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const model = new StoreModel<Pod>();
        const input = new Subject<Reflection<Pod>>();
        const out: Grouping<Pod>[] = [];
        const perGroup = new Map<string, Reflection<Pod>[]>();
        input.pipe(groupObjects((p: Pod) => p.tags)).subscribe((g) => {
          out.push(g);
          for (const c of g.changes) perGroup.set(c.group, [...(perGroup.get(c.group) ?? []), c.reflection]);
        });
        let first = true;
        for (const ops of batches) {
          if (!feed(model, input, ops, first)) continue;
          first = false;
          const expected = new Map<string, [string, Pod][]>();
          for (const [key, p] of sourceEntries(model)) for (const t of p.tags) expected.set(t, [...(expected.get(t) ?? []), [key, p]]);
          expect([...out.at(-1)!.groups.entries()].map(([g, s]) => [g, sorted(s)]).sort()).toEqual([...expected.entries()].sort());
        }
        for (const reflections of perGroup.values()) assertChain(reflections);
      }),
    );
  });

  it('joinWith pods ⋈ nodes (left and inner), interleaving both sides', () => {
    const stepArb = fc.oneof(
      opsArb(() => podArb).map((ops) => ({ side: 'L' as const, ops })),
      opsArb(nodeArb, NODES).map((ops) => ({ side: 'R' as const, ops })),
    );
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 30 }), fc.constantFrom('left' as const, 'inner' as const), (steps, mode) => {
        const pods = new StoreModel<Pod>();
        const nodes = new StoreModel<Node>();
        const left = new Subject<Reflection<Pod>>();
        const right = new Subject<Reflection<Node>>();
        const out: Reflection<Joined<Pod, Node>>[] = [];
        // What each snapshot held when it was emitted: the engine's mutable per-object entries must
        // never leak into a snapshot that later events could change.
        const asEmitted: string[] = [];
        left.pipe(joinWith(right, { leftKey: (p) => p.node, rightKey: (n) => n.name, where: (_p, n) => n.zone === 'z1', mode })).subscribe((r) => {
          out.push(r);
          asEmitted.push(JSON.stringify(sorted(r.snapshot)));
        });
        const firsts = { L: true, R: true };
        for (const { side, ops } of steps) {
          const fed = side === 'L' ? feed(pods, left, ops as Op<Pod>[], firsts.L) : feed(nodes, right, ops as Op<Node>[], firsts.R);
          if (!fed) continue;
          firsts[side] = false;
          if (firsts.L || firsts.R) {
            expect(out).toHaveLength(0);
            continue;
          }
          const expected = sourceEntries(pods)
            .map(([key, p]): [string, string[]] => [key, sourceEntries(nodes).filter(([, n]) => n.name === p.node && n.zone === 'z1').map(([nk]) => nk)])
            .filter(([, rs]) => mode === 'left' || rs.length > 0);
          const actual = sorted(out.at(-1)!.snapshot).map(([key, row]): [string, string[]] => {
            expect(row.right.map((n) => n.name)).toEqual(row.rightKeys);
            expect(row.left).toBe(pods.objects.get(key));
            for (const [i, n] of row.right.entries()) expect(n).toBe(nodes.objects.get(row.rightKeys[i]!));
            return [key, [...row.rightKeys].sort()];
          });
          expect(actual).toEqual(expected);
        }
        assertChain(out);
        expect(out.map((r) => JSON.stringify(sorted(r.snapshot)))).toEqual(asEmitted);
      }),
    );
  });

  it('selectorJoin pods ⋈ selectors equals brute-force selector matching', () => {
    const SVCS = ['s1', 's2', 's3', 's4'];
    const stepArb = fc.oneof(
      opsArb(() => podArb).map((ops) => ({ side: 'L' as const, ops })),
      opsArb(() => svcArb, SVCS).map((ops) => ({ side: 'R' as const, ops })),
    );
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 2, maxLength: 30 }), (steps) => {
        const pods = new StoreModel<Pod>();
        const svcs = new StoreModel<Svc>();
        const left = new Subject<Reflection<Pod>>();
        const right = new Subject<Reflection<Svc>>();
        const out: Reflection<Joined<Pod, Svc>>[] = [];
        left.pipe(selectorJoin(right, { selector: (s: Svc) => s.selector })).subscribe((r) => out.push(r));
        const firsts = { L: true, R: true };
        for (const { side, ops } of steps) {
          const fed = side === 'L' ? feed(pods, left, ops as Op<Pod>[], firsts.L) : feed(svcs, right, ops as Op<Svc>[], firsts.R);
          if (!fed) continue;
          firsts[side] = false;
          if (firsts.L || firsts.R) continue;
          const expected = sourceEntries(pods).map(([key, p]): [string, string[]] => [
            key,
            sourceEntries(svcs)
              .filter(([, s]) => matches(s.selector, p.metadata?.labels as Record<string, string> | undefined))
              .map(([sk]) => sk),
          ]);
          expect(sorted(out.at(-1)!.snapshot).map(([key, row]) => [key, [...row.rightKeys].sort()])).toEqual(expected);
        }
        assertChain(out);
      }),
    );
  });

  it('mergeSources equals the (prefixed) union once every source has emitted', () => {
    const stepArb = fc.record({ source: fc.constantFrom('east', 'west'), ops: opsArb(() => podArb) });
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 30 }), (steps) => {
        const models = { east: new StoreModel<Pod>(), west: new StoreModel<Pod>() };
        const subjects = { east: new Subject<Reflection<Pod>>(), west: new Subject<Reflection<Pod>>() };
        const firsts = { east: true, west: true };
        const out: Reflection<Pod>[] = [];
        mergeSources(subjects, { prefixKeys: true }).subscribe((r) => out.push(r));
        for (const { source, ops } of steps) {
          if (!feed(models[source], subjects[source], ops, firsts[source])) continue;
          firsts[source] = false;
          if (firsts.east || firsts.west) {
            expect(out).toHaveLength(0);
            continue;
          }
          const expected = (['east', 'west'] as const).flatMap((s) => sourceEntries(models[s]).map(([key, p]): [string, Pod] => [`${s}/${key}`, p]));
          expect(sorted(out.at(-1)!.snapshot)).toEqual(expected.sort(([a], [b]) => (a < b ? -1 : 1)));
        }
        assertChain(out);
      }),
    );
  });
});
