import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocBytes, utf8Text } from '../../../src/sources/utf8-text.ts';

describe('utf8Text', () => {
  it('decodes any byte range exactly as TextDecoder does, invalid sequences included', () => {
    const decoder = new TextDecoder();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), fc.boolean(), (bytes, a, b, asBuffer) => {
        const start = Math.min(a, b) % (bytes.length + 1);
        const end = Math.max(start, Math.max(a, b) % (bytes.length + 1));
        const input = asBuffer ? Buffer.from(bytes) : bytes;
        expect(utf8Text(input, start, end)).toBe(decoder.decode(bytes.subarray(start, end)));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes a view into a larger buffer from its own offset', () => {
    const backing = new TextEncoder().encode('xx{"é":1}yy');
    const view = backing.subarray(2, backing.length - 2);
    expect(utf8Text(view, 0, view.length)).toBe('{"é":1}');
  });

  it('allocates arrays of the requested size', () => {
    expect(allocBytes(7).length).toBe(7);
  });
});
