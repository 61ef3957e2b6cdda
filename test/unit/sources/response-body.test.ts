import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openBody } from '../../../src/sources/response-body.ts';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (chunks: Uint8Array[]): string => chunks.map((c) => new TextDecoder().decode(c)).join('');

describe('BodyReader.forEach', () => {
  it('delivers every chunk of a Node.js stream in order, through its data events', async () => {
    const stream = Readable.from([bytes('a'), bytes('bc'), bytes('d')], { objectMode: false });
    const seen: Uint8Array[] = [];
    await openBody(stream).forEach((c) => seen.push(c));
    expect(text(seen)).toBe('abcd');
  });

  it('delivers every chunk of a web stream and of a plain async iterable', async () => {
    const seen: Uint8Array[] = [];
    await openBody(new Response('web body').body).forEach((c) => seen.push(c));
    const iterable = (async function* () {
      yield bytes('it');
      yield bytes('erable');
    })();
    await openBody(iterable).forEach((c) => seen.push(c));
    expect(text(seen)).toBe('web bodyiterable');
  });

  it('rejects with a premature-close error when a Node.js stream closes before its end', async () => {
    const stream = new PassThrough();
    const done = openBody(stream).forEach(() => undefined);
    stream.write(bytes('partial'));
    stream.destroy();
    await expect(done).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('rejects with the stream error, as the transport reported it', async () => {
    const stream = new PassThrough();
    const done = openBody(stream).forEach(() => undefined);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    stream.destroy(reset);
    await expect(done).rejects.toBe(reset);
  });

  it('rejects with what the callback threw and destroys the stream', async () => {
    const stream = new PassThrough();
    const boom = new Error('bad line');
    const done = openBody(stream).forEach(() => {
      throw boom;
    });
    stream.write(bytes('x'));
    await expect(done).rejects.toBe(boom);
    expect(stream.destroyed).toBe(true);
  });

  it('resolves once cancelled, and destroys the stream', async () => {
    const stream = new PassThrough();
    const reader = openBody(stream);
    const seen: Uint8Array[] = [];
    const done = reader.forEach((c) => {
      seen.push(c);
      reader.cancel();
    });
    stream.write(bytes('one'));
    await done;
    expect(text(seen)).toBe('one');
    expect(stream.destroyed).toBe(true);
    await expect(reader.forEach(() => undefined)).resolves.toBeUndefined();
  });
});
