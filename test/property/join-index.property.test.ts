import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Joined } from '../../src/model/derived-views.ts';
import type { Delta } from '../../src/model/reflection.ts';
import { JoinIndex } from '../../src/store/join-index.ts';

// The join index on its own: random batches of deltas on either side, a flush after each batch;
// the rows must equal the join recomputed from both sides' current contents.
interface Side {
  readonly on: readonly string[];
  readonly v: number;
}

type Op = { side: 'left' | 'right'; key: string; del: boolean; on: string[]; v: number };
const opArb: fc.Arbitrary<Op> = fc.record({
  side: fc.constantFrom('left' as const, 'right' as const),
  key: fc.constantFrom('a', 'b', 'c', 'd'),
  del: fc.boolean(),
  on: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 2 }),
  v: fc.integer({ min: 0, max: 2 }),
});

function expected(lefts: Map<string, Side>, rights: Map<string, Side>, inner: boolean, where: boolean): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const [lk, l] of lefts) {
    const matched = [...rights].filter(([, r]) => r.on.some((k) => l.on.includes(k)) && (!where || l.v <= r.v)).map(([rk]) => rk);
    if (!inner || matched.length > 0) rows.set(lk, matched.sort());
  }
  return rows;
}

describe('JoinIndex (property)', () => {
  it('after every flush, the rows equal the join recomputed from both sides; row deltas turn the old rows into the new', () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { maxLength: 5 }), { maxLength: 15 }), fc.boolean(), fc.boolean(), (batches, inner, where) => {
        const index = new JoinIndex<Side, Side>({
          leftKey: (l) => l.on,
          rightKey: (r) => r.on,
          where: where ? (l, r) => l.v <= r.v : undefined,
          inner,
        });
        const sides = { left: new Map<string, Side>(), right: new Map<string, Side>() };
        let rows = new Map<string, Joined<Side, Side>>();
        for (const batch of batches) {
          for (const op of batch) {
            const side = sides[op.side];
            const old = side.get(op.key);
            let d: Delta<Side>;
            if (op.del) {
              if (old === undefined) continue;
              side.delete(op.key);
              d = { type: 'deleted', key: op.key, object: old };
            } else {
              const obj = { on: op.on, v: op.v };
              side.set(op.key, obj);
              d = old === undefined ? { type: 'added', key: op.key, object: obj } : { type: 'updated', key: op.key, object: obj, previous: old };
            }
            if (op.side === 'left') index.applyLeft(d);
            else index.applyRight(d);
          }
          const deltas = index.flush('1');
          if (deltas !== undefined) {
            for (const d of deltas) {
              if (d.type === 'deleted') rows.delete(d.key);
              else rows.set(d.key, d.object);
            }
          }
          const view = new Map(index.view.entries());
          expect([...rows.keys()].sort()).toEqual([...view.keys()].sort());
          rows = view;
          const want = expected(sides.left, sides.right, inner, where);
          expect([...view.keys()].sort()).toEqual([...want.keys()].sort());
          for (const [lk, row] of view) {
            expect(row.left).toBe(sides.left.get(lk));
            expect([...row.rightKeys].sort()).toEqual(want.get(lk));
            row.rightKeys.forEach((rk, i) => expect(row.right[i]).toBe(sides.right.get(rk)));
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
