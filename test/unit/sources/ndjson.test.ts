import { splitBytes } from '../../support/split-bytes.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchStreamError } from '../../../src/model/errors.ts';
import { NdjsonDecoder, parseNdjson } from '../../../src/sources/ndjson.ts';

const encoder = new TextEncoder();


function decodeAll(chunks: readonly Uint8Array[], maxLineBytes?: number): unknown[] {
  const decoder = new NdjsonDecoder(maxLineBytes === undefined ? {} : { maxLineBytes });
  const out: unknown[] = [];
  for (const chunk of chunks) decoder.write(chunk, (v) => out.push(v));
  decoder.end();
  return out;
}

function streamOf(chunks: readonly Uint8Array[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      onCancel?.();
    },
  });
}

async function collect(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, maxLineBytes?: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of parseNdjson(source, maxLineBytes === undefined ? {} : { maxLineBytes })) out.push(v);
  return out;
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof WatchStreamError ? e.reason : `not a WatchStreamError: ${String(e)}`;
  }
  return undefined;
}

/** JSON values whose strings contain any code point: emoji, CJK, lone surrogates escaped by JSON.stringify. */
const values = fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), { maxLength: 12 });
const terminators = fc.constantFrom('\n', '\r\n');

describe('NdjsonDecoder', () => {
  it('decodes the same values however the byte stream is split into chunks', () => {
    fc.assert(
      fc.property(values, terminators, fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), (vs, nl, cuts, blankLines) => {
        const text = vs.map((v) => JSON.stringify(v) + nl + (blankLines ? `  ${nl}` : '')).join('');
        const bytes = encoder.encode(text);
        const expected = vs.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
        expect(decodeAll(splitBytes(bytes, cuts))).toEqual(expected);
      }),
    );
  });

  it('decodes multi-byte characters cut between any two bytes', () => {
    const line = JSON.stringify({ s: '日本語 😀 ü 𝄞 한국어' });
    const bytes = encoder.encode(`${line}\n${line}\n`);
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const cut2 of [cut + 1, cut + 2, cut + 3]) {
        expect(decodeAll(splitBytes(bytes, [cut, cut2]))).toEqual([JSON.parse(line), JSON.parse(line)]);
      }
    }
  });

  it('decodes a line spread over one-byte chunks', () => {
    const value = { big: 'x'.repeat(5000), emoji: '😀'.repeat(100) };
    const bytes = encoder.encode(`${JSON.stringify(value)}\n`);
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(decodeAll(chunks)).toEqual([value]);
  });

  it('skips empty and whitespace-only lines', () => {
    expect(decodeAll([encoder.encode('\n\n  \n{"a":1}\r\n\r\n\t\n{"a":2}\n \n')])).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('accepts a line of exactly maxLineBytes and rejects one byte more', () => {
    const exact = encoder.encode(`"${'x'.repeat(8)}"\n`); // 10 bytes + newline
    expect(decodeAll([exact], 10)).toEqual(['xxxxxxxx']);
    const over = encoder.encode(`"${'x'.repeat(9)}"\n`);
    expect(reasonOf(() => decodeAll([over], 10))).toBe('LineTooLong');
  });

  it('fails with LineTooLong as soon as an unterminated line crosses the limit, without waiting for its end', () => {
    const decoder = new NdjsonDecoder({ maxLineBytes: 100 });
    const emitted: unknown[] = [];
    decoder.write(encoder.encode('{"a":1}\n"'), (v) => emitted.push(v));
    for (let i = 0; i < 9; i++) decoder.write(encoder.encode('x'.repeat(10)), (v) => emitted.push(v));
    expect(reasonOf(() => decoder.write(encoder.encode('x'.repeat(10)), (v) => emitted.push(v)))).toBe('LineTooLong');
    expect(emitted).toEqual([{ a: 1 }]);
  });

  it('fails with MalformedJson naming the byte offset but not the content', () => {
    const decoder = new NdjsonDecoder();
    const out: unknown[] = [];
    let error: unknown;
    try {
      decoder.write(encoder.encode('{"a":1}\n{"secret-token":\n'), (v) => out.push(v));
    } catch (e) {
      error = e;
    }
    expect(out).toEqual([{ a: 1 }]);
    expect(error).toBeInstanceOf(WatchStreamError);
    expect((error as WatchStreamError).reason).toBe('MalformedJson');
    expect((error as WatchStreamError).message).toContain('byte 8');
    expect((error as WatchStreamError).message).not.toContain('secret-token');
  });

  it('fails with Truncated when the stream ends mid-line, at any cut inside the last line', () => {
    const bytes = encoder.encode('{"a":1}\n{"b":"日本"}\n');
    for (let cut = 9; cut < bytes.length - 1; cut++) {
      const decoder = new NdjsonDecoder();
      const out: unknown[] = [];
      decoder.write(bytes.slice(0, cut), (v) => out.push(v));
      expect(out).toEqual([{ a: 1 }]);
      expect(reasonOf(() => decoder.end())).toBe('Truncated');
    }
  });

  it('ends cleanly when only whitespace follows the last newline', () => {
    expect(decodeAll([encoder.encode('{"a":1}\n  \r')])).toEqual([{ a: 1 }]);
  });

  it('propagates an exception thrown by the emit callback', () => {
    const decoder = new NdjsonDecoder();
    expect(() =>
      decoder.write(encoder.encode('1\n2\n'), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
  });

  it('rejects a non-positive maxLineBytes', () => {
    expect(() => new NdjsonDecoder({ maxLineBytes: 0 })).toThrow(RangeError);
  });

  it('creates an own "__proto__" property instead of touching Object.prototype', () => {
    const [value] = decodeAll([encoder.encode('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}\n')]);
    expect(Object.prototype.hasOwnProperty.call(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('parseNdjson', () => {
  it('yields the same values from a ReadableStream and from an async iterable, however split', async () => {
    await fc.assert(
      fc.asyncProperty(values, fc.array(fc.nat(), { maxLength: 20 }), async (vs, cuts) => {
        const bytes = encoder.encode(vs.map((v) => `${JSON.stringify(v)}\n`).join(''));
        const expected = vs.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
        const chunks = splitBytes(bytes, cuts);
        expect(await collect(streamOf(chunks))).toEqual(expected);
        async function* iterable(): AsyncGenerator<Uint8Array> {
          yield* chunks;
        }
        expect(await collect(iterable())).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects with Truncated when the source ends mid-line', async () => {
    await expect(collect(streamOf([encoder.encode('{"a":1}\n{"a"')]))).rejects.toMatchObject({ reason: 'Truncated' });
  });

  it('rejects with LineTooLong past maxLineBytes', async () => {
    await expect(collect(streamOf([encoder.encode('"0123456789"\n')]), 5)).rejects.toMatchObject({ reason: 'LineTooLong' });
  });

  it('rethrows the source error unchanged', async () => {
    const failure = new Error('connection reset');
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(encoder.encode('{"a":1}\n'));
        else controller.error(failure);
      },
    });
    const out: unknown[] = [];
    await expect(
      (async () => {
        for await (const v of parseNdjson(stream)) out.push(v);
      })(),
    ).rejects.toBe(failure);
    expect(out).toEqual([{ a: 1 }]);
  });

  it('cancels the stream when the consumer stops early', async () => {
    let cancelled = 0;
    const stream = streamOf([encoder.encode('1\n2\n'), encoder.encode('3\n')], () => cancelled++);
    for await (const v of parseNdjson(stream)) {
      expect(v).toBe(1);
      break;
    }
    expect(cancelled).toBe(1);
  });

  it('does not cancel a stream that ended on its own', async () => {
    let cancelled = 0;
    expect(await collect(streamOf([encoder.encode('1\n')], () => cancelled++))).toEqual([1]);
    expect(cancelled).toBe(0);
  });
});
