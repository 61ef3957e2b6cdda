import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { omitMember } from '../../../src/sources/omit-member.ts';
import { NdjsonDecoder } from '../../../src/sources/ndjson.ts';
import { ListBodyDecoder } from '../../../src/sources/list-body-decoder.ts';

const PATH = ['object', 'metadata', 'managedFields'] as const;

/** The parsed value with the member at PATH deleted (what omitting must give). */
function expected(text: string): unknown {
  const value = JSON.parse(text) as { object?: { metadata?: Record<string, unknown> } };
  const metadata = value.object?.metadata;
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) delete metadata['managedFields'];
  return value;
}

/** Keys likely to confuse a scanner: decoys of the target, escapes, brackets in strings. */
const trickyKey = fc.constantFrom('managedFields', 'metadata', 'object', 'a"b', 'x\\', '{', ']', 'managedFields\\"', '__proto__', '');
const leaf = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('"managedFields":[', '\\', '}]{[', '"'), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(trickyKey, fc.string({ maxLength: 5 })), tie('value'), { maxKeys: 4 }),
})).value;

const metadata = fc.record({
  before: fc.dictionary(fc.oneof(trickyKey, fc.string({ maxLength: 5 })).filter((k) => k !== 'managedFields'), json, { maxKeys: 3 }),
  managed: fc.option(json, { nil: undefined }),
  after: fc.dictionary(fc.oneof(trickyKey, fc.string({ maxLength: 5 })).filter((k) => k !== 'managedFields'), json, { maxKeys: 3 }),
});

function eventText(m: { before: Record<string, unknown>; managed: unknown; after: Record<string, unknown> }, space: boolean): string {
  const meta: Record<string, unknown> = { ...m.before };
  if (m.managed !== undefined) meta['managedFields'] = m.managed;
  Object.assign(meta, m.after);
  return JSON.stringify({ type: 'MODIFIED', object: { kind: 'Pod', metadata: meta, spec: { managedFields: 1 } } }, null, space ? 1 : undefined);
}

describe('omitMember', () => {
  it('parses to the value with exactly that member removed, whatever the neighbours, decoys and whitespace', () => {
    fc.assert(
      fc.property(metadata, fc.boolean(), (m, space) => {
        const text = eventText(m, space);
        expect(JSON.parse(omitMember(text, PATH))).toEqual(expected(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps decoys elsewhere: the key at another depth, inside strings, in the spec', () => {
    const text = '{"type":"ADDED","object":{"managedFields":0,"metadata":{"name":"\\"managedFields\\":[","labels":{"managedFields":"x"},"managedFields":[{"f:{\\"a\\"}":{}}],"uid":"u"},"spec":{"managedFields":[]}}}';
    expect(JSON.parse(omitMember(text, PATH))).toEqual({
      type: 'ADDED',
      object: { managedFields: 0, metadata: { name: '"managedFields":[', labels: { managedFields: 'x' }, uid: 'u' }, spec: { managedFields: [] } },
    });
  });

  it('removes the member whether it comes first, in the middle, last or alone', () => {
    for (const [meta, rest] of [
      ['{"managedFields":[],"a":1}', { a: 1 }],
      ['{"a":1,"managedFields":[],"b":2}', { a: 1, b: 2 }],
      ['{"a":1,"managedFields":[]}', { a: 1 }],
      ['{"managedFields":[]}', {}],
    ] as const) {
      expect(JSON.parse(omitMember(`{"object":{"metadata":${meta}}}`, PATH))).toEqual({ object: { metadata: rest } });
    }
  });

  it('returns malformed or unexpected text unchanged, so JSON.parse reports it', () => {
    for (const text of ['', 'null', '[1]', '{"object":', '{"object":[]}', '{"object":{"metadata":"x"}}', '{"object":{"metadata":{"a":1', '{"object":{"metadata":{"managedFields":[1,2', '{"object" 1}']) {
      expect(omitMember(text, PATH)).toBe(text);
    }
  });

  it('is what NdjsonDecoder applies to each line with the omitMember option', () => {
    const decoder = new NdjsonDecoder({ omitMember: PATH });
    const values: unknown[] = [];
    decoder.write(new TextEncoder().encode('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1","managedFields":[{}]}}}\n'), (v) => values.push(v));
    expect(values).toEqual([{ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } }]);
  });

  it('is what ListBodyDecoder applies to each item, wherever the chunks are cut', () => {
    const item = (name: string) => ({ metadata: { name, resourceVersion: '1', managedFields: [{ manager: 'x', fieldsV1: { 'f:spec': { '.': {} } } }], uid: name }, spec: { managedFields: name } });
    const body = new TextEncoder().encode(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: '9' }, items: [item('a'), item('b'), item('c')] }));
    const want = ['a', 'b', 'c'].map((name) => ({ metadata: { name, resourceVersion: '1', uid: name }, spec: { managedFields: name } }));
    for (let cut = 0; cut <= body.length; cut++) {
      const decoder = new ListBodyDecoder({ omitMember: ['metadata', 'managedFields'] });
      decoder.write(body.subarray(0, cut));
      decoder.write(body.subarray(cut));
      expect(decoder.end().items).toEqual(want);
    }
  });
});
