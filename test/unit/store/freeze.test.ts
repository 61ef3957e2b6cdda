import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { deepFreeze, shareStructure, freezeFresh } from '../../../src/store/freeze.ts';

function isDeepFrozen(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (!Object.isFrozen(v)) return false;
  return Object.keys(v).every((k) => isDeepFrozen((v as Record<string, unknown>)[k]));
}

const POLLUTING_JSON =
  '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"spec":{"__proto__":{"polluted":"yes"}}}';

afterEach(() => {
  // A polluted Object.prototype would leak into every other test; fail loudly and clean up.
  const polluted = (Object.prototype as Record<string, unknown>)['polluted'];
  delete (Object.prototype as Record<string, unknown>)['polluted'];
  expect(polluted).toBeUndefined();
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and returns its argument', () => {
    const o = { a: { b: [1, { c: 2 }] }, d: 'x' };
    expect(deepFreeze(o)).toBe(o);
    expect(isDeepFrozen(o)).toBe(true);
    expect(() => {
      (o.a.b[1] as { c: number }).c = 3;
    }).toThrow(TypeError);
  });

  it('returns primitives and null unchanged', () => {
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
    expect(deepFreeze('s')).toBe('s');
  });

  it('skips subtrees that are already frozen', () => {
    const shared = Object.freeze({ inner: { mutable: 1 } });
    const o = deepFreeze({ shared, own: { x: 1 } });
    expect(Object.isFrozen(o.own)).toBe(true);
    // The documented contract: a frozen subtree is not revisited.
    expect(Object.isFrozen(shared.inner)).toBe(false);
  });

  it('leaves typed arrays alone instead of throwing', () => {
    const o = { bytes: new Uint8Array([1, 2]) };
    expect(() => deepFreeze(o)).not.toThrow();
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('freezes own __proto__ properties without touching any prototype', () => {
    const o = JSON.parse(POLLUTING_JSON) as Record<string, unknown>;
    deepFreeze(o);
    expect(isDeepFrozen(o)).toBe(true);
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('shareStructure', () => {
  it('returns previous when next deep-equals it', () => {
    const prev = deepFreeze({ a: { b: [1, 2] }, c: 'x' });
    expect(shareStructure(prev, { a: { b: [1, 2] }, c: 'x' })).toBe(prev);
  });

  it('keeps the identity of unchanged subtrees and freezes only the new ones', () => {
    const prev = deepFreeze({ metadata: { name: 'a', resourceVersion: '1', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } });
    const next = { metadata: { name: 'a', resourceVersion: '2', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } };
    const out = shareStructure(prev, next);
    expect(out).not.toBe(prev);
    expect(out).toEqual(next);
    expect(out.spec).toBe(prev.spec);
    expect(out.metadata.labels).toBe(prev.metadata.labels);
    expect(out.metadata).not.toBe(prev.metadata);
    expect(isDeepFrozen(out)).toBe(true);
  });

  it('detects added keys, removed keys, length changes and type changes', () => {
    const prev = deepFreeze({ a: { x: 1 }, b: [1, 2], c: { y: 1 }, d: [1] });
    const out = shareStructure(prev, { a: { x: 1, z: 2 }, b: [1], c: [1], d: { 0: 1 } } as unknown as typeof prev);
    expect(out).toEqual({ a: { x: 1, z: 2 }, b: [1], c: [1], d: { 0: 1 } });
    expect(out.a).not.toBe(prev.a);
    expect(shareStructure(prev, { a: { x: 1 }, b: [1, 2], c: { y: 1 } } as unknown as typeof prev)).not.toBe(prev);
  });

  it('does not freeze when freeze is false', () => {
    const prev = { a: { x: 1 }, b: { y: 1 } };
    const out = shareStructure(prev, { a: { x: 1 }, b: { y: 2 } }, false);
    expect(out.a).toBe(prev.a);
    expect(Object.isFrozen(out)).toBe(false);
    expect(Object.isFrozen(out.b)).toBe(false);
  });

  it('copies a frozen next instead of writing into it', () => {
    const prev = deepFreeze({ a: { x: 1 }, b: [{ y: 1 }, { y: 2 }] });
    const next = deepFreeze({ a: { x: 1 }, b: [{ y: 1 }, { y: 3 }] });
    const out = shareStructure(prev, next);
    expect(out).toEqual(next);
    expect(out.a).toBe(prev.a);
    expect(out.b[0]).toBe(prev.b[0]);
    expect(next.a).not.toBe(prev.a);
  });

  it('with no previous only freezes next', () => {
    const next = { a: { b: 1 } };
    expect(shareStructure(undefined, next)).toBe(next);
    expect(isDeepFrozen(next)).toBe(true);
  });

  it('never pollutes a prototype with __proto__, constructor and prototype keys', () => {
    const prev = deepFreeze(JSON.parse(POLLUTING_JSON.replaceAll('yes', 'no')) as Record<string, unknown>);
    const next = JSON.parse(POLLUTING_JSON) as Record<string, unknown>;
    const out = shareStructure(prev, next);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out['spec'])).toBe(Object.prototype);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor', 'prototype', 'spec']);
    expect(JSON.stringify(out)).toBe(POLLUTING_JSON);
  });

  it('shares an own __proto__ subtree and copies frozen objects holding one', () => {
    const prev = deepFreeze(JSON.parse('{"__proto__":{"a":1},"x":{"y":1}}') as Record<string, unknown>);
    const next = deepFreeze(JSON.parse('{"__proto__":{"a":1},"x":{"y":2}}') as Record<string, unknown>);
    const out = shareStructure(prev, next);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(Object.getOwnPropertyDescriptor(prev, '__proto__')?.value);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":1},"x":{"y":2}}');
    expect(({} as Record<string, unknown>)['a']).toBeUndefined();
  });

  it('property: the result deep-equals next, is deeply frozen, and shares every equal subtree', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, json, fc.boolean(), (a, b, mixed) => {
        // Mix: make next share parts with prev's shape half of the time.
        const prevV = deepFreeze(structuredClone(a));
        const nextSrc = mixed && typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)
          ? { ...structuredClone(a as object), ...(b as object) }
          : b;
        const expected = JSON.stringify(nextSrc);
        const out = shareStructure(prevV, structuredClone(nextSrc));
        expect(JSON.stringify(out)).toBe(expected);
        expect(isDeepFrozen(out)).toBe(true);
        if (JSON.stringify(prevV) === expected && typeof prevV === 'object' && prevV !== null) {
          // Key order can differ for equal contents; equality here means same keys and values.
          expect(out).toBe(prevV);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('freezeFresh', () => {
  it('freezes everything reachable below the first two levels, frozen parents with mutable children included', () => {
    const reused = Object.freeze({ inner: { mutable: 1 } });
    const o = freezeFresh({ nested: { deeper: { reused } }, list: [{ a: { b: [1, { c: 2 }] } }], s: 'x' });
    expect(Object.isFrozen(o.list[0]!.a.b[1])).toBe(true);
    expect(Object.isFrozen(reused.inner)).toBe(true);
  });

  it('ends on cycles and on hostile nesting deeper than the call stack', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = { back: a };
    freezeFresh(a);
    expect(Object.isFrozen(a['self'])).toBe(true);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep['next'] = {}) as Record<string, unknown>;
    freezeFresh(root);
    expect(Object.isFrozen(deep)).toBe(true);
  });
});

describe('freezeFresh and shared top-level parts', () => {
  it('does not walk again the frozen parts near the top that an update shares with its previous version', () => {
    const spec = deepFreeze({ containers: [{ name: 'a' }] });
    let reads = 0;
    // Frozen parts whose walk would show: reading `containers` counts.
    const watched = (): object => Object.freeze(Object.defineProperty({}, 'containers', { enumerable: true, get: () => (reads++, spec.containers) }));
    freezeFresh({ metadata: { name: 'p', managedFields: watched() }, spec: watched() });
    expect(reads).toBe(0);
  });
});
