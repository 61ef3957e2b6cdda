import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editMap, emptyMap } from '../../../src/store/persistent-map.ts';
import { HamtMap } from '../../../src/store/hamt.ts';

describe('editMap', () => {
  it('returns the base map when no edit changed anything', () => {
    const base = HamtMap.empty<number>().set('a', 1).set('b', 2);
    const edit = editMap(base);
    edit.set('a', 1);
    edit.delete('zzz');
    expect(edit.commit()).toBe(base);
  });

  it('returns the base map after a long batch of no-op edits (past the switch to a transient)', () => {
    let base = HamtMap.empty<number>();
    for (let i = 0; i < 20; i++) base = base.set(`k${i}`, i);
    const edit = editMap(base);
    for (let i = 0; i < 20; i++) edit.set(`k${i}`, i);
    expect(edit.commit()).toBe(base);
  });

  it('applies short and long batches like a Map and never changes the base', () => {
    const op = fc.tuple(fc.constantFrom('set', 'delete', 'setHashed', 'deleteHashed'), fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.integer({ min: 0, max: 3 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3 })), { maxLength: 3 }), fc.array(op, { maxLength: 30 }), (initial, ops) => {
        let base = emptyMap<number>();
        for (const [k, v] of initial) base = base.set(k, v);
        const baseEntries = [...base.entries()];
        const model = new Map(base.entries());
        const edit = editMap(base);
        for (const [kind, key, value] of ops) {
          if (kind === 'set') edit.set(key, value);
          else if (kind === 'setHashed') edit.setHashed(edit.hashOf(key), key, value);
          else if (kind === 'delete') edit.delete(key);
          else edit.deleteHashed(edit.hashOf(key), key);
          if (kind.startsWith('set')) model.set(key, value);
          else model.delete(key);
          expect(edit.get(key)).toBe(model.get(key));
          expect(edit.getHashed(edit.hashOf(key), key)).toBe(model.get(key));
          expect(edit.has(key)).toBe(model.has(key));
        }
        const result = edit.commit();
        expect(new Map(result.entries())).toEqual(model);
        expect(result.size).toBe(model.size);
        expect([...base.entries()]).toEqual(baseEntries);
      }),
      { numRuns: 300 },
    );
  });
});
