import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchStreamError } from '../../src/model/errors.ts';
import { decodeWatchEvent } from '../../src/sources/decode-watch-event.ts';
import { NdjsonDecoder } from '../../src/sources/ndjson.ts';

const encoder = new TextEncoder();
const REASONS = ['MalformedJson', 'LineTooLong', 'UnknownEventType', 'InvalidEvent', 'Truncated'];

/** Feeds `bytes` cut at `cuts` and returns the values and the error (if any). */
function decode(bytes: Uint8Array, cuts: readonly number[], maxLineBytes?: number, asBuffers = false): { values: unknown[]; error: unknown } {
  const decoder = new NdjsonDecoder(maxLineBytes === undefined ? {} : { maxLineBytes });
  const values: unknown[] = [];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let at = 0;
  try {
    for (const p of [...points, bytes.length]) {
      // A copy per chunk: the decoder may keep views of a chunk's tail.
      const chunk = bytes.slice(at, p);
      decoder.write(asBuffers ? Buffer.from(chunk) : chunk, (v) => values.push(v));
      at = p;
    }
    decoder.end();
    return { values, error: undefined };
  } catch (error) {
    return { values, error };
  }
}

/** Lines a hostile or broken server might send. */
const hostileLine = fc.oneof(
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    '{"type":"ADDED","object":{"metadata":',
    '{"type":"ADDED"}',
    '{"type":"SURPRISE","object":{"metadata":{"name":"a","resourceVersion":"1"}}}',
    '{"type":"ADDED","object":{"kind":"Status","apiVersion":"v1","status":"Failure","code":500}}',
    '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":12345678901234567890123}}}',
    '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1","generation":1e400}}}',
    '{"type":"MODIFIED","object":null}',
    '{"type":"DELETED","object":[]}',
    '{"type":"BOOKMARK","object":{"metadata":{}}}',
    '{"type":"ERROR","object":"gone"}',
    '{"__proto__":{"type":"ADDED"},"object":{"metadata":{"name":"a","resourceVersion":"1"}}}',
    '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1","__proto__":{"polluted":true}}}}',
    '[1,2,3]',
    'null',
    '"ADDED"',
    '\u0000\u0001\u0002',
    '\uFEFF{"type":"ADDED"}',
    '{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}garbage',
  ),
);

describe('hostile input: NdjsonDecoder', () => {
  it('throws nothing but a WatchStreamError, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.array(hostileLine, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (lines, cuts, trailingNewline) => {
        const text = lines.join('\n') + (trailingNewline ? '\n' : '');
        const { error } = decode(encoder.encode(text), cuts, 256);
        if (error !== undefined) {
          expect(error).toBeInstanceOf(WatchStreamError);
          expect(REASONS).toContain((error as WatchStreamError).reason);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same values and the same error however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(hostileLine, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const bytes = encoder.encode(lines.join('\n') + '\n');
        const whole = decode(bytes, []);
        const chunked = decode(bytes, cuts);
        expect(chunked.values).toEqual(whole.values);
        expect((chunked.error as WatchStreamError | undefined)?.reason).toBe((whole.error as WatchStreamError | undefined)?.reason);
      }),
      { numRuns: 500 },
    );
  });

  it('decodes Node.js Buffer chunks (the node:http transport) exactly as plain Uint8Array chunks, cuts inside characters included', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => JSON.stringify({ type: 'ADDED', object: { metadata: { name: s, resourceVersion: '1' } } }));
    fc.assert(
      fc.property(fc.array(fc.oneof(hostileLine, text), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const bytes = encoder.encode(lines.join('\n') + '\n');
        const plain = decode(bytes, cuts);
        const buffers = decode(bytes, cuts, undefined, true);
        expect(buffers.values).toEqual(plain.values);
        expect((buffers.error as WatchStreamError | undefined)?.reason).toBe((plain.error as WatchStreamError | undefined)?.reason);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a line over the limit as soon as the limit is crossed, even before its newline', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 64 }), (limit, extra) => {
        const decoder = new NdjsonDecoder({ maxLineBytes: limit });
        const chunk = new Uint8Array(limit + extra).fill(0x61);
        let error: unknown;
        try {
          decoder.write(chunk, () => undefined);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(WatchStreamError);
        expect((error as WatchStreamError).reason).toBe('LineTooLong');
      }),
    );
  });

  it('accepts a line of exactly the limit', () => {
    const line = JSON.stringify({ pad: 'x'.repeat(100) });
    const { values, error } = decode(encoder.encode(`${line}\n`), [7, 50], line.length);
    expect(error).toBeUndefined();
    expect(values).toHaveLength(1);
  });

  it('never puts line content into its error messages', () => {
    const secret = 'sk-SECRET-TOKEN-0123456789';
    for (const text of [`{"token":"${secret}"\n`, `{"token":"${secret}"}`, `${'x'.repeat(300)}${secret}\n`]) {
      const { error } = decode(encoder.encode(text), [], 200);
      expect(error).toBeInstanceOf(WatchStreamError);
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });

  it('keeps JSON.parse semantics for huge numbers and lone surrogates without throwing', () => {
    const { values, error } = decode(encoder.encode('{"n":1e400,"m":-1e400,"i":123456789012345678901234567890,"s":"\\ud800"}\n'), [3]);
    expect(error).toBeUndefined();
    expect(values).toEqual([{ n: Infinity, m: -Infinity, i: 1.2345678901234568e29, s: '\ud800' }]);
  });
});

describe('hostile input: decodeWatchEvent', () => {
  it('returns a well-formed event or throws a typed WatchStreamError, for any JSON value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR', 'added', ''), object: fc.jsonValue() })), (value) => {
        let event;
        try {
          event = decodeWatchEvent(value);
        } catch (error) {
          expect(error).toBeInstanceOf(WatchStreamError);
          expect(['UnknownEventType', 'InvalidEvent']).toContain((error as WatchStreamError).reason);
          return;
        }
        if (event.type === 'ERROR') {
          expect(typeof event.object).toBe('object');
        } else {
          expect(typeof event.object.metadata?.resourceVersion).toBe('string');
          if (event.type !== 'BOOKMARK') expect(typeof event.object.metadata?.name).toBe('string');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['an unknown event type', { type: 'SURPRISE', object: { metadata: { name: 'a', resourceVersion: '1' } } }, 'UnknownEventType'],
    ['an object without metadata', { type: 'ADDED', object: { spec: {} } }, 'InvalidEvent'],
    ['an object without a name', { type: 'ADDED', object: { metadata: { resourceVersion: '1' } } }, 'InvalidEvent'],
    ['an object without a resourceVersion', { type: 'MODIFIED', object: { metadata: { name: 'a' } } }, 'InvalidEvent'],
    ['a numeric resourceVersion', { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: 12 } } }, 'InvalidEvent'],
    ['a Status where an object belongs', { type: 'ADDED', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500 } }, 'InvalidEvent'],
    ['a null object', { type: 'DELETED', object: null }, 'InvalidEvent'],
    ['an array', [{ type: 'ADDED' }], 'InvalidEvent'],
    ['a type inherited through __proto__', JSON.parse('{"__proto__":{"type":"ADDED"},"object":{"metadata":{"name":"a","resourceVersion":"1"}}}'), 'UnknownEventType'],
  ])('rejects %s with %s', (_what, value, reason) => {
    expect(() => decodeWatchEvent(value)).toThrow(expect.objectContaining({ name: 'WatchStreamError', reason }));
  });
});
