import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABSENT, HamtMap, hashString, type TransientHamt } from '../../../src/store/hamt.ts';

type Op = { op: 'set'; key: string; value: number } | { op: 'delete'; key: string };

const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'a', 'b', 'ns/a'));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), key: keyArb, value: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant('delete' as const), key: keyArb }),
);

/** Applies `op` to the model and to the transient `t`, or else persistently to `m`; returns the map. */
function applyOp(op: Op, model: Map<string, number>, m: HamtMap<number>, t: TransientHamt<number> | undefined): HamtMap<number> {
  if (op.op === 'set') {
    model.set(op.key, op.value);
    if (t) t.set(op.key, op.value);
    else return m.set(op.key, op.value);
  } else {
    model.delete(op.key);
    if (t) t.delete(op.key);
    else return m.delete(op.key);
  }
  return m;
}

// Hash functions that force collisions and deep shared prefixes.
const hashes: Record<string, (k: string) => number> = {
  good: hashString,
  constant: () => 42,
  twoBuckets: (k) => (k.length % 2 === 0 ? 0x7fffffff : 0xffffffff),
  highBitsOnly: (k) => (hashString(k) & 0xc0000000) >>> 0,
  lowBitsOnly: (k) => hashString(k) & 0x3,
};

/**
 * A trie node with its transient owner blanked and a collision node's pairs sorted (they are kept
 * in insertion order), for comparing shapes.
 */
function shape(node: unknown): unknown {
  if (!Array.isArray(node)) return node;
  const out = node.map((x, i) => (i === 2 ? null : shape(x)));
  if (out[0] === 0 && out[1] === 0) {
    const pairs: [unknown, unknown][] = [];
    for (let i = 3; i < out.length; i += 2) pairs.push([out[i], out[i + 1]]);
    pairs.sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    return [0, 0, null, ...pairs.flat()];
  }
  return out;
}

/** The number of node levels on the deepest path. */
function depthOf(node: unknown[]): number {
  let deepest = 0;
  for (let i = 3; i < node.length; i++) if (Array.isArray(node[i])) deepest = Math.max(deepest, depthOf(node[i] as unknown[]));
  return 1 + deepest;
}

function sorted<V>(it: Iterable<[string, V]>): [string, V][] {
  return [...it].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('HamtMap', () => {
  it('starts empty', () => {
    const m = HamtMap.empty<number>();
    expect(m.size).toBe(0);
    expect(m.get('a')).toBeUndefined();
    expect(m.has('a')).toBe(false);
    expect([...m.keys()]).toEqual([]);
  });

  it('set and delete return new maps and leave the original unchanged', () => {
    const m0 = HamtMap.empty<number>();
    const m1 = m0.set('a', 1);
    const m2 = m1.set('b', 2);
    const m3 = m2.delete('a');
    expect(m0.size).toBe(0);
    expect(m1.get('a')).toBe(1);
    expect(m1.has('b')).toBe(false);
    expect(m2.size).toBe(2);
    expect(m3.has('a')).toBe(false);
    expect(m3.get('b')).toBe(2);
    expect(m2.get('a')).toBe(1);
  });

  it('returns the same map when a set or delete changes nothing', () => {
    const v = { x: 1 };
    const m = HamtMap.empty<object>().set('a', v);
    expect(m.set('a', v)).toBe(m);
    expect(m.delete('zzz')).toBe(m);
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const m = HamtMap.empty<number>().set('__proto__', 1).set('constructor', 2);
    expect(m.get('__proto__')).toBe(1);
    expect(m.get('constructor')).toBe(2);
    expect(m.get('toString')).toBeUndefined();
    expect(m.size).toBe(2);
  });

  it('iterates keys, values and entries consistently', () => {
    let m = HamtMap.empty<number>();
    for (let i = 0; i < 2000; i++) m = m.set(`k${i}`, i);
    const keys = [...m.keys()];
    const values = [...m.values()];
    const entries = [...m.entries()];
    expect(keys).toHaveLength(2000);
    expect(new Set(keys).size).toBe(2000);
    expect(entries.map(([k]) => k)).toEqual(keys);
    expect(entries.map(([, v]) => v)).toEqual(values);
    const viaForEach: [string, number][] = [];
    m.forEach((v, k) => viaForEach.push([k, v]));
    expect(viaForEach).toEqual(entries);
    expect([...m]).toEqual(entries);
  });

  it('builds 100k entries through a transient and freezes it', () => {
    const t = HamtMap.empty<number>().asTransient();
    let added = 0;
    for (let i = 0; i < 100_000; i++) if (t.set(`ns/${i}`, i) === ABSENT) added++;
    expect(added).toBe(100_000);
    expect(t.set('ns/5', 6)).toBe(5);
    expect(t.delete('ns/7')).toBe(7);
    expect(t.delete('ns/7')).toBe(ABSENT);
    const m = t.persistent();
    expect(m.size).toBe(99_999);
    expect(m.get('ns/5')).toBe(6);
    expect(m.get('ns/99999')).toBe(99_999);
    expect(m.has('ns/7')).toBe(false);
    expect(() => t.set('x', 1)).toThrow(/after persistent/);
  });

  it('a transient of an existing map does not change that map', () => {
    let m = HamtMap.empty<number>();
    for (let i = 0; i < 500; i++) m = m.set(`k${i}`, i);
    const t = m.asTransient();
    for (let i = 0; i < 500; i += 2) t.delete(`k${i}`);
    for (let i = 0; i < 500; i += 3) t.set(`k${i}`, -i);
    const m2 = t.persistent();
    for (let i = 0; i < 500; i++) expect(m.get(`k${i}`)).toBe(i);
    expect(m.size).toBe(500);
    expect(m2.get('k3')).toBe(-3);
    expect(m2.has('k2')).toBe(false);
  });

  for (const [name, hash] of Object.entries(hashes)) {
    it(`behaves like a Map under random operations (hash: ${name})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 200 }), fc.boolean(), (ops, transient) => {
          const model = new Map<string, number>();
          const versions: [HamtMap<number>, [string, number][]][] = [];
          let m = HamtMap.empty<number>(hash);
          const t = transient ? m.asTransient() : undefined;
          for (const op of ops) {
            if (op.op === 'set') {
              const isNew = !model.has(op.key);
              model.set(op.key, op.value);
              if (t) expect(t.set(op.key, op.value) === ABSENT).toBe(isNew);
              else m = m.set(op.key, op.value);
            } else {
              const had = model.delete(op.key);
              if (t) expect(t.delete(op.key) !== ABSENT).toBe(had);
              else m = m.delete(op.key);
            }
            if (!t) versions.push([m, sorted(model.entries())]);
            else expect(t.size).toBe(model.size);
          }
          if (t) m = t.persistent();
          expect(m.size).toBe(model.size);
          for (const [k, v] of model) {
            expect(m.get(k)).toBe(v);
            expect(m.has(k)).toBe(true);
          }
          expect(sorted(m.entries())).toEqual(sorted(model.entries()));
          // Persistence: every older version still holds exactly what it held.
          for (const [version, expected] of versions) {
            expect(version.size).toBe(expected.length);
            expect(sorted(version.entries())).toEqual(expected);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('removing colliding keys down to one keeps the survivor reachable', () => {
    const m = HamtMap.empty<number>(() => 7).set('a', 1).set('b', 2).set('c', 3);
    const one = m.delete('a').delete('c');
    expect(one.size).toBe(1);
    expect(one.get('b')).toBe(2);
    expect([...one.keys()]).toEqual(['b']);
    expect(one.delete('b').size).toBe(0);
  });

  it('the hashed methods agree with the plain ones', () => {
    let m = HamtMap.empty<number>();
    for (let i = 0; i < 300; i++) {
      const key = `k${i}`;
      m = i % 2 === 0 ? m.set(key, i) : m.setHashed(m.hashOf(key), key, i);
    }
    for (let i = 0; i < 300; i += 3) m = m.deleteHashed(m.hashOf(`k${i}`), `k${i}`);
    expect(m.size).toBe(200);
    for (let i = 0; i < 300; i++) {
      const key = `k${i}`;
      const expected = i % 3 === 0 ? undefined : i;
      expect(m.getHashed(m.hashOf(key), key)).toBe(expected);
      expect(m.get(key)).toBe(expected);
      expect(m.hasHashed(m.hashOf(key), key)).toBe(expected !== undefined);
    }
    const t = m.asTransient();
    expect(t.setHashed(t.hashOf('new'), 'new', 1)).toBe(ABSENT);
    expect(t.getHashed(t.hashOf('new'), 'new')).toBe(1);
    expect(t.hasHashed(t.hashOf('k1'), 'k1')).toBe(true);
    expect(t.deleteHashed(t.hashOf('k1'), 'k1')).toBe(1);
    expect(t.persistent().size).toBe(200);
  });

  it('a transient edit returns the value it replaced or removed, ABSENT when there was none', () => {
    const a = { v: 'a' };
    const b = { v: 'b' };
    const t = HamtMap.empty<object | undefined>().asTransient();
    expect(t.set('x', a)).toBe(ABSENT);
    expect(t.set('x', b)).toBe(a);
    expect(t.set('x', b)).toBe(b);
    expect(t.setHashed(t.hashOf('u'), 'u', undefined)).toBe(ABSENT);
    expect(t.setHashed(t.hashOf('u'), 'u', a)).toBeUndefined();
    expect(t.delete('x')).toBe(b);
    expect(t.delete('x')).toBe(ABSENT);
    expect(t.deleteHashed(t.hashOf('u'), 'u')).toBe(a);
    expect(t.persistent().size).toBe(0);
  });

  for (const [name, hash] of Object.entries(hashes)) {
    it(`transient edits return the previous value like a Map would have held it (hash: ${name})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 100 }), (ops) => {
          const model = new Map<string, number>();
          const t = HamtMap.empty<number>(hash).asTransient();
          for (const op of ops) {
            const before = model.has(op.key) ? model.get(op.key) : ABSENT;
            const replaced = op.op === 'set' ? t.set(op.key, op.value) : t.delete(op.key);
            if (op.op === 'set') model.set(op.key, op.value);
            else model.delete(op.key);
            expect(replaced).toBe(before);
            expect(t.size).toBe(model.size);
          }
        }),
        { numRuns: 200 },
      );
    });

    it(`is canonical: the trie's shape depends only on its contents (hash: ${name})`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 150 }), fc.boolean(), (ops, transient) => {
          const model = new Map<string, number>();
          let m = HamtMap.empty<number>(hash);
          const t = transient ? m.asTransient() : undefined;
          for (const op of ops) m = applyOp(op, model, m, t);
          if (t) m = t.persistent();
          // The same contents inserted afresh, in sorted order, into an untouched map.
          let fresh = HamtMap.empty<number>(hash);
          for (const [k, v] of sorted(model.entries())) fresh = fresh.set(k, v);
          expect(shape(m.root)).toEqual(shape(fresh.root));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('keeps keys with equal hashes in one collision node below the last level', () => {
    let m = HamtMap.empty<number>(() => 0x12345678);
    for (const k of ['a', 'b', 'c', 'd']) m = m.set(k, k.charCodeAt(0));
    expect(m.size).toBe(4);
    expect(depthOf(m.root)).toBe(8);
    expect(m.get('c')).toBe(99);
    expect(m.get('e')).toBeUndefined();
    expect(m.has('e')).toBe(false);
    const two = m.delete('a').delete('b');
    expect(depthOf(two.root)).toBe(8);
    expect(sorted(two.entries())).toEqual([
      ['c', 99],
      ['d', 100],
    ]);
    // The last one is pulled up into the root: no chain of single-child nodes is left.
    const one = two.delete('c');
    expect(depthOf(one.root)).toBe(1);
    expect([...one.entries()]).toEqual([['d', 100]]);
  });

  it('pulls a lone remaining entry up when a deletion leaves one key in a subtree', () => {
    // 'x' and 'y' share their first two 5-bit levels and split at the third.
    const hashOf: Record<string, number> = { x: 0b00001_00011_00001, y: 0b00010_00011_00001, z: 0b00010 };
    let m = HamtMap.empty<number>((k) => hashOf[k]!);
    m = m.set('x', 1).set('y', 2).set('z', 3);
    expect(depthOf(m.root)).toBe(3);
    const after = m.delete('x');
    expect(depthOf(after.root)).toBe(1);
    expect(after.get('y')).toBe(2);
    expect(after.get('z')).toBe(3);
    expect(depthOf(m.root)).toBe(3);
    expect(m.get('x')).toBe(1);
  });

  it('hashString answers equal strings alike whether or not they are the same string', () => {
    const a = ['ns', 'pod-1'].join('/');
    const b = `ns/${'pod-'}${1}`;
    expect(hashString(a)).toBe(hashString('ns/pod-1'));
    expect(hashString(b)).toBe(hashString(a));
    expect(hashString('ns/pod-2')).not.toBe(hashString(a));
    expect(hashString(a)).toBe(hashString(b));
  });

  it('hashString spreads similar keys over the low bits', () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 256; i++) buckets.add(hashString(`default/pod-${i}`) & 31);
    expect(buckets.size).toBe(32);
  });
});
