import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Delta } from '../../src/model/reflection.ts';
import { applyEvent, emptyStoreState, type StorePolicy } from '../../src/store/apply-event.ts';
import { HamtMap } from '../../src/store/hamt.ts';
import { advanceIndex, buildIndex, type IndexTable } from '../../src/store/index-table.ts';
import { closeRelist, openRelist, relistDelete, relistPut } from '../../src/store/relist.ts';
import { StoreSnapshot } from '../../src/store/snapshot.ts';
import { APPS, appOf, canonical, fresh, keyOf, scriptArb, type Obj } from '../support/list-watch-scripts.ts';
import { applyDeltas, StoreModel } from '../support/store-model.ts';

// The store functions on their own: no operator, no RxJS, no freezing (identity is the model's).
const policy: StorePolicy<Obj> = { keyOf, prepare: (raw) => raw };

function contents<V>(m: HamtMap<V>): Map<string, V> {
  return new Map(m.entries());
}

function expectSame<V>(actual: Map<string, V>, expected: Map<string, V>): void {
  expect(actual.size).toBe(expected.size);
  for (const [k, v] of expected) expect(actual.get(k)).toBe(v);
}

/** The index `fn` of `m` recomputed from scratch: value → sorted keys. */
function recompute(m: Map<string, Obj>, fn: (o: Obj) => string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, o] of m) {
    const v = fn(o);
    if (v !== undefined) out.set(v, [...(out.get(v) ?? []), k].sort());
  }
  return out;
}

function tableContents(t: IndexTable<Obj>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [v, entry] of t) out.set(v, [...entry.keys()].sort());
  return out;
}

describe('applyEvent (property)', () => {
  it('any event sequence leaves the state a plain-Map model reaches, and returns its deltas', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const state = emptyStoreState<Obj>();
        const model = new StoreModel<Obj>();
        // The model's first report is its first LIST_DONE: from then on it is synced.
        let synced = false;
        for (const e of fresh(script)) {
          const objectsBefore = state.objects;
          const expected = model.apply(e);
          const deltas = applyEvent(state, e, policy);
          if (expected === undefined) {
            expect(deltas).toBeUndefined();
            // Nothing to report: the map a reader holds is still the current one.
            expect(state.objects).toBe(objectsBefore);
          } else {
            synced = true;
            expect(canonical(deltas!)).toEqual(canonical(expected));
            canonical(deltas!).forEach((d, i) => {
              expect(d.object).toBe(canonical(expected)[i]!.object);
              expect(d.previous).toBe(canonical(expected)[i]!.previous);
            });
            // previous state + deltas = next state.
            expectSame(applyDeltas(contents(objectsBefore), deltas!, { strict: true }), contents(state.objects));
          }
          expectSame(contents(state.objects), model.objects);
          if (synced) expect(state.resourceVersion).toBe(model.resourceVersion);
          expect(state.synced).toBe(synced);
          expect(state.objects.size).toBe(contents(state.objects).size);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the maps it replaced untouched (earlier snapshots stay valid)', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const state = emptyStoreState<Obj>();
        const kept: [HamtMap<Obj>, Map<string, Obj>][] = [];
        for (const e of fresh(script)) {
          applyEvent(state, e, policy);
          kept.push([state.objects, contents(state.objects)]);
        }
        for (const [m, copy] of kept) expectSame(contents(m), copy);
      }),
      { numRuns: 200 },
    );
  });
});

const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const versionArb = fc.integer({ min: 0, max: 3 });
const oldArb = fc.array(fc.tuple(keyArb, versionArb), { maxLength: 8 });
type ListOp = { op: 'put'; key: string; v: number; same: boolean } | { op: 'delete'; key: string };
const listOpArb: fc.Arbitrary<ListOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('put' as const), key: keyArb, v: versionArb, same: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
);

describe('closeRelist (property)', () => {
  it('its deltas turn the old state into the listed one; kept objects make no delta; vanished keys are finalStateUnknown', () => {
    fc.assert(
      fc.property(oldArb, fc.array(listOpArb, { maxLength: 20 }), (oldEntries, ops) => {
        let old = HamtMap.empty<{ v: number }>();
        for (const [k, v] of oldEntries) old = old.set(k, { v });
        const relist = openRelist<{ v: number }>();
        const listed = new Map<string, { v: number }>();
        const order: string[] = [];
        for (const op of ops) {
          const hash = old.hashOf(op.key);
          if (op.op === 'delete') {
            relistDelete(relist, hash, op.key, old.has(op.key));
            listed.delete(op.key);
            continue;
          }
          // `same`: the listed object is the stored one (an unchanged resourceVersion).
          const obj = op.same && old.has(op.key) ? old.get(op.key)! : { v: op.v };
          relistPut(relist, hash, op.key, obj, old.has(op.key));
          if (!order.includes(op.key)) order.push(op.key);
          listed.set(op.key, obj);
        }
        const deltas: Delta<{ v: number }>[] = [];
        const next = closeRelist(old, relist, deltas);
        expectSame(contents(next), listed);
        expectSame(applyDeltas(contents(old), deltas), listed);
        for (const d of deltas) {
          if (d.type === 'deleted') {
            expect(d.finalStateUnknown).toBe(true);
            expect(d.object).toBe(old.get(d.key));
          } else {
            expect(d.object).not.toBe(old.get(d.key));
            expect(d.previous).toBe(old.get(d.key));
            expect(d.type).toBe(old.has(d.key) ? 'updated' : 'added');
          }
        }
        // One delta per key; added/updated in order of first appearance in the list.
        expect(new Set(deltas.map((d) => d.key)).size).toBe(deltas.length);
        const changedKeys = deltas.filter((d) => d.type !== 'deleted').map((d) => d.key);
        expect(changedKeys).toEqual(order.filter((k) => changedKeys.includes(k)));
        // The deleted deltas come first.
        const firstChange = deltas.findIndex((d) => d.type !== 'deleted');
        if (firstChange >= 0) expect(deltas.slice(firstChange).every((d) => d.type !== 'deleted')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('advanceIndex (property)', () => {
  it('after any event sequence, the incrementally kept index equals one recomputed from the snapshot', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const state = emptyStoreState<Obj>();
        let snapshot: StoreSnapshot<Obj> | undefined;
        let table: IndexTable<Obj> | undefined;
        for (const e of fresh(script)) {
          const deltas = applyEvent(state, e, policy);
          if (deltas === undefined) continue;
          const next = new StoreSnapshot(state.objects, state.resourceVersion);
          table = snapshot === undefined || table === undefined ? buildIndex(next, appOf) : advanceIndex(table, snapshot, next, deltas, appOf);
          snapshot = next;
          const expected = recompute(contents(state.objects), appOf);
          expect(tableContents(table)).toEqual(expected);
          for (const app of APPS) for (const o of table.get(app)?.values() ?? []) expect(appOf(o)).toBe(app);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('returns the same table when the snapshot did not change', () => {
    const s = new StoreSnapshot(HamtMap.empty<Obj>().set('n1/a', { metadata: { name: 'a', namespace: 'n1', labels: { app: 'x' } }, spec: { v: 0 } }), '1');
    const t = buildIndex(s, appOf);
    expect(advanceIndex(t, s, s, [], appOf)).toBe(t);
  });
});
