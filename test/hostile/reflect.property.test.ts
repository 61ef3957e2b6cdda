import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import type { Reflection } from '../../src/model/reflection.ts';
import { predicates } from '../../src/operators/predicates.ts';
import { reflect } from '../../src/operators/reflect.ts';
import { withIndex } from '../../src/operators/with-index.ts';
import { deepFreeze, shareStructure } from '../../src/store/freeze.ts';
import { jsonPatch } from '../../src/json-patch/json-patch.ts';

const DANGEROUS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'polluted'];

/** Every property a successful pollution would leave behind. */
function assertUnpolluted(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe['polluted']).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(Object.getOwnPropertyNames(Array.prototype)).not.toContain('polluted');
  expect(typeof probe['toString']).toBe('function');
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

afterEach(() => {
  // A polluted prototype would leak into every later test: clean up, and let the assertion fail.
  delete (Object.prototype as Record<string, unknown>)['polluted'];
  delete (Array.prototype as unknown as Record<string, unknown>)['polluted'];
});

/** JSON text of an object tree whose keys include __proto__ and friends (as a server could send). */
const hostileJson: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', '"x"', 'null', 'true', '{"polluted":"yes"}', '[{"polluted":"yes"}]'),
    tie('object'),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
  ),
  object: fc
    .uniqueArray(fc.tuple(fc.constantFrom(...DANGEROUS, 'a', 'b'), tie('value')), { maxLength: 5, selector: ([k]) => k })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
})).object;

function pod(name: string, rv: string, extraJson: string, namespace = 'ns'): KubeObject {
  return JSON.parse(`{"metadata":{"name":${JSON.stringify(name)},"namespace":${JSON.stringify(namespace)},"resourceVersion":"${rv}","labels":${extraJson}},"spec":${extraJson},"__proto__":${extraJson}}`) as KubeObject;
}

async function run(events: ListWatchEvent[], options: Parameters<typeof reflect>[0]): Promise<Reflection<KubeObject>[]> {
  return lastValueFrom(from(events).pipe(reflect<KubeObject>(options), toArray()));
}

describe('hostile input: no prototype pollution anywhere in reflect', () => {
  it.each([
    ['freeze', { freeze: true }],
    ['no freeze', { freeze: false }],
    ['structural sharing + freeze', { structuralSharing: true, freeze: true }],
    ['structural sharing, no freeze', { structuralSharing: true, freeze: false }],
  ] as const)('with %s: keys __proto__/constructor/prototype stay data, the stored objects equal the wire', async (_name, options) => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileJson, { minLength: 1, maxLength: 6 }), fc.constantFrom(...DANGEROUS), async (versions, name) => {
        const events: ListWatchEvent[] = [
          { type: 'LIST_START', reason: 'initial', mode: 'list' },
          { type: 'LIST_PAGE', items: [pod(name, '1', versions[0]!, name)] },
          { type: 'LIST_DONE', resourceVersion: '1' },
          ...versions.slice(1).map((v, i): ListWatchEvent => ({ type: 'MODIFIED', object: pod(name, String(i + 2), v, name) })),
          // A relist carrying the last version again (unchanged) and a new one under a dangerous key.
          { type: 'LIST_START', reason: 'expired', mode: 'list' },
          { type: 'LIST_PAGE', items: [pod(name, String(versions.length), versions.at(-1)!, name), pod('constructor', '99', versions[0]!, '__proto__')] },
          { type: 'LIST_DONE', resourceVersion: '99' },
        ];
        const out = await run(events, options);
        assertUnpolluted();
        const last = out.at(-1)!.snapshot;
        const stored = last.get(`${name}/${name}`)!;
        expect(JSON.stringify(stored)).toBe(JSON.stringify(pod(name, String(versions.length), versions.at(-1)!, name)));
        expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
        expect(last.get('__proto__/constructor')?.metadata?.resourceVersion).toBe('99');
        expect(last.has('__proto__')).toBe(false);
        expect(last.size).toBe(2);
      }),
      { numRuns: 150 },
    );
  });

  it('deepFreeze and shareStructure leave Object.prototype alone', () => {
    fc.assert(
      fc.property(hostileJson, hostileJson, (a, b) => {
        deepFreeze(JSON.parse(a));
        const prev = deepFreeze(JSON.parse(a));
        const shared = shareStructure(prev, JSON.parse(b));
        assertUnpolluted();
        expect(JSON.stringify(shared)).toBe(JSON.stringify(JSON.parse(b)));
      }),
      { numRuns: 500 },
    );
  });

  it('index values and keys named like prototype members work as ordinary strings', async () => {
    const events: ListWatchEvent[] = [
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: DANGEROUS.map((n, i) => ({ metadata: { name: n, namespace: DANGEROUS[(i + 1) % DANGEROUS.length], resourceVersion: '1', labels: { app: n } } })) },
      { type: 'LIST_DONE', resourceVersion: '1' },
    ];
    const out = await lastValueFrom(from(events).pipe(reflect<KubeObject>(), withIndex('app', (o: KubeObject) => o.metadata?.labels?.['app']), toArray()));
    const snapshot = out.at(-1)!.snapshot;
    for (const n of DANGEROUS) expect(snapshot.byIndex('app', n).map((o) => o.metadata?.name)).toEqual([n]);
    expect(snapshot.byIndex('app', 'missing')).toEqual([]);
    assertUnpolluted();
  });
});

describe('hostile input: objects nested very deeply', () => {
  const nested = (depth: number, leaf: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`);
  const deepPod = (depth: number, rv: string, leaf = 1): KubeObject => ({ metadata: { name: 'deep', namespace: 'ns', resourceVersion: rv }, spec: nested(depth, leaf) } as KubeObject);
  const events = (depth: number): ListWatchEvent[] => [
    { type: 'LIST_START', reason: 'initial', mode: 'list' },
    { type: 'LIST_PAGE', items: [deepPod(depth, '1')] },
    { type: 'LIST_DONE', resourceVersion: '1' },
    { type: 'MODIFIED', object: deepPod(depth, '2', 2) },
  ];

  it('stores an object 1,000 levels deep, frozen and shared', async () => {
    for (const options of [{ freeze: true }, { structuralSharing: true }]) {
      const out = await run(events(1000), options);
      expect(out.map((r) => r.snapshot.resourceVersion)).toEqual(['1', '2']);
    }
  });

  // BUG (src/store/freeze.ts, freezeValue and share): both recurse once per level, so an object
  // 100,000 levels deep — valid JSON that JSON.parse and the NDJSON decoder accept — overflows the
  // stack. reflect() catches the RangeError and errors the stream: the informer's reflections$
  // errors for every subscriber, and relisting brings the same object back. These tests show it.
  it('stores an object 100,000 levels deep without overflowing the stack (deepFreeze)', async () => {
    const out = await run(events(100_000), { freeze: true });
    expect(out.map((r) => r.snapshot.resourceVersion)).toEqual(['1', '2']);
  });

  it('stores an object 100,000 levels deep without overflowing the stack (structural sharing)', async () => {
    const out = await run(events(100_000), { freeze: false, structuralSharing: true });
    expect(out.map((r) => r.snapshot.resourceVersion)).toEqual(['1', '2']);
  });

  it('without freezing or sharing, reflect never walks the object', async () => {
    const out = await run(events(100_000), { freeze: false });
    expect(out.map((r) => r.snapshot.resourceVersion)).toEqual(['1', '2']);
  });
});

describe('hostile input: predicates.field', () => {
  // BUG (src/operators/predicates.ts, sortKeys used by predicates.field): `out[k] = v[k]` with
  // k === '__proto__' sets the prototype of the copy instead of a key, so JSON.stringify drops it:
  // two values that differ only under a "__proto__" key canonicalise alike, and onlyChanged()
  // would swallow a real change. (No global pollution: only the copy's prototype changes.)
  it('tells apart values that differ under a "__proto__" key', () => {
    const field = predicates.field((o: { spec?: unknown }) => o.spec);
    const a = JSON.parse('{"spec":{"__proto__":{"x":1}}}') as { spec?: unknown };
    const b = JSON.parse('{"spec":{"__proto__":{"x":2}}}') as { spec?: unknown };
    expect(field(a)).not.toBe(field(b));
    assertUnpolluted();
  });
});

describe('hostile input: immer (jsonPatch) on cached objects with prototype-named keys', () => {
  it('edits the object without touching any prototype, keeping own "__proto__" keys as data', () => {
    fc.assert(
      fc.property(hostileJson, fc.integer(), (extra, n) => {
        const cached = deepFreeze(pod('p', '7', extra));
        const { operations, result } = jsonPatch(cached, (draft) => {
          (draft as { metadata: { labels?: Record<string, string> } }).metadata.labels = { n: String(n) };
        }, { testResourceVersion: true });
        assertUnpolluted();
        expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
        const expected = JSON.parse(JSON.stringify(cached)) as { metadata: Record<string, unknown> };
        expected.metadata['labels'] = { n: String(n) };
        expect(JSON.stringify(result)).toBe(JSON.stringify(expected));
        expect(operations[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '7' });
        expect(operations.slice(1)).toEqual([{ op: 'replace', path: '/metadata/labels', value: { n: String(n) } }]);
      }),
      { numRuns: 200 },
    );
  });
});
