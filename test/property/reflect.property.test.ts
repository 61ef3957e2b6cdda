import fc from 'fast-check';
import { share, Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import type { Delta, Reflection, Snapshot } from '../../src/model/reflection.ts';
import { coalesce } from '../../src/operators/coalesce.ts';
import { reflect } from '../../src/operators/reflect.ts';
import { namespaceIndex, withIndex } from '../../src/operators/with-index.ts';
import { APPS, appOf, canonical, fresh, keyOf, NAMESPACES, scriptArb, type Obj } from '../support/list-watch-scripts.ts';
import { applyDeltas, StoreModel } from '../support/store-model.ts';

function contents(s: Snapshot<Obj>): Map<string, Obj> {
  return new Map(s.entries());
}

function expectSameContents(actual: Map<string, Obj>, expected: Map<string, Obj>): void {
  expect(actual.size).toBe(expected.size);
  for (const [k, o] of expected) expect(actual.get(k)).toBe(o);
}

function expectIndexesFresh(s: Snapshot<Obj>): void {
  const recompute = (fn: (o: Obj) => string | undefined) => {
    const m = new Map<string, string[]>();
    for (const [k, o] of s.entries()) {
      const v = fn(o);
      if (v !== undefined) m.set(v, [...(m.get(v) ?? []), k]);
    }
    return m;
  };
  for (const [name, fn] of [['ns', namespaceIndex], ['app', appOf]] as const) {
    const expected = recompute(fn);
    expect([...s.indexValues(name)].sort()).toEqual([...expected.keys()].sort());
    for (const v of name === 'ns' ? NAMESPACES : APPS) {
      expect(s.indexKeys(name, v).slice().sort()).toEqual((expected.get(v) ?? []).sort());
      const objs = s.byIndex(name, v);
      expect(objs.length).toBe(expected.get(v)?.length ?? 0);
      for (const o of objs) expect(s.get(keyOf(o))).toBe(o);
    }
  }
}

describe('reflect (property)', () => {
  it('equals a plain-Map model after every event; deltas, immutability, indexes and no-ops hold', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const events = fresh(script);
        const model = new StoreModel<Obj>();
        const input = new Subject<ListWatchEvent<Obj>>();
        const out: Reflection<Obj>[] = [];
        input.pipe(reflect<Obj>(), withIndex('ns', namespaceIndex), withIndex('app', appOf)).subscribe({
          next: (r) => out.push(r),
          error: (e: unknown) => {
            throw e;
          },
        });
        const copies: { rv: string; json: string }[] = [];
        let previous: Map<string, Obj> = new Map();
        for (const e of events) {
          const before = out.length;
          const expected = model.apply(e);
          input.next(e);
          if (expected === undefined) {
            expect(out.length).toBe(before);
            continue;
          }
          expect(out.length).toBe(before + 1);
          const r = out[before]!;
          expectSameContents(contents(r.snapshot), model.objects);
          expect(r.snapshot.resourceVersion).toBe(model.resourceVersion);
          expect(canonical(r.deltas)).toEqual(canonical(expected));
          // Object identity in deltas, not only equality.
          canonical(r.deltas).forEach((d, i) => {
            expect(d.object).toBe(canonical(expected)[i]!.object);
            expect(d.previous).toBe(canonical(expected)[i]!.previous);
          });
          expectSameContents(applyDeltas(previous, r.deltas), contents(r.snapshot));
          for (const o of r.snapshot.values()) expect(Object.isFrozen(o) && Object.isFrozen(o.metadata) && Object.isFrozen(o.spec)).toBe(true);
          expectIndexesFresh(r.snapshot);
          previous = contents(r.snapshot);
          copies.push({ rv: r.snapshot.resourceVersion, json: JSON.stringify([...r.snapshot.entries()].sort()) });
        }
        // Snapshots never change after emission.
        out.forEach((r, i) => {
          expect(r.snapshot.resourceVersion).toBe(copies[i]!.rv);
          expect(JSON.stringify([...r.snapshot.entries()].sort())).toBe(copies[i]!.json);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('coalesce: previous emitted snapshot + folded deltas = next, the last snapshot matches reflect', () => {
    fc.assert(
      fc.property(scriptArb, fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 }), (script, gaps) => {
        const events = fresh(script);
        const scheduler = new VirtualTimeScheduler();
        const input = new Subject<ListWatchEvent<Obj>>();
        const raw: Reflection<Obj>[] = [];
        const folded: Reflection<Obj>[] = [];
        const reflected$ = input.pipe(reflect<Obj>(), share());
        const sub = reflected$.subscribe((r) => raw.push(r));
        const sub2 = reflected$.pipe(coalesce<Obj>(3, scheduler)).subscribe((r) => folded.push(r));
        let t = 0;
        events.forEach((e, i) => {
          t += gaps[i % gaps.length]!;
          scheduler.schedule(() => input.next(e), t);
        });
        scheduler.schedule(() => input.complete(), t + 1);
        scheduler.flush();
        sub.unsubscribe();
        sub2.unsubscribe();
        if (raw.length === 0) {
          expect(folded).toEqual([]);
          return;
        }
        expect(folded[0]).toBe(raw[0]);
        let previous = contents(folded[0]!.snapshot);
        for (const r of folded.slice(1)) {
          expect(r.deltas.length).toBeGreaterThan(0);
          const keys = r.deltas.map((d) => d.key);
          // One net delta per key, except a recreation (deleted then added).
          for (const d of r.deltas) if (keys.filter((k) => k === d.key).length > 1) expect(['deleted', 'added']).toContain(d.type);
          const next = applyDeltas(previous, r.deltas);
          expectSameContents(next, contents(r.snapshot));
          previous = next;
        }
        expectSameContents(previous, contents(raw.at(-1)!.snapshot));
      }),
      { numRuns: 300 },
    );
  });
});
