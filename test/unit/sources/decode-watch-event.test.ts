import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchStreamError } from '../../../src/model/errors.ts';
import { decodeWatchEvent } from '../../../src/sources/decode-watch-event.ts';

const pod = { kind: 'Pod', metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } };

function reasonOf(value: unknown): string | undefined {
  try {
    decodeWatchEvent(value);
  } catch (e) {
    return e instanceof WatchStreamError ? e.reason : `not a WatchStreamError: ${String(e)}`;
  }
  return undefined;
}

describe('decodeWatchEvent', () => {
  it.each(['ADDED', 'MODIFIED', 'DELETED'] as const)('returns a %s event with name and resourceVersion unchanged', (type) => {
    const event = { type, object: pod };
    expect(decodeWatchEvent(event)).toBe(event);
  });

  it('accepts a BOOKMARK that carries only metadata.resourceVersion', () => {
    const event = { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '48300', creationTimestamp: null } } };
    expect(decodeWatchEvent(event)).toBe(event);
  });

  it('passes an ERROR event through for the loop to interpret', () => {
    const status = { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (5)' };
    expect(decodeWatchEvent({ type: 'ERROR', object: status })).toEqual({ type: 'ERROR', object: status });
  });

  it('rejects any type outside the five the API defines with UnknownEventType', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined)).filter((t) => !['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'].includes(t as string)),
        (type) => {
          expect(reasonOf({ type, object: pod })).toBe('UnknownEventType');
        },
      ),
    );
  });

  it('treats type names case-sensitively, like the API', () => {
    expect(reasonOf({ type: 'added', object: pod })).toBe('UnknownEventType');
  });

  it.each([
    ['a non-object event', 'ADDED'],
    ['null', null],
    ['an array', [pod]],
  ])('rejects %s with InvalidEvent', (_label, value) => {
    expect(reasonOf(value)).toBe('InvalidEvent');
  });

  it.each([
    ['a missing object', { type: 'ADDED' }],
    ['a null object', { type: 'MODIFIED', object: null }],
    ['an array object', { type: 'ADDED', object: [] }],
    ['a string object', { type: 'DELETED', object: 'pod' }],
    ['an object without metadata', { type: 'ADDED', object: { kind: 'Pod' } }],
    ['metadata that is not an object', { type: 'ADDED', object: { metadata: 'x' } }],
    ['an object without a name', { type: 'ADDED', object: { metadata: { resourceVersion: '1' } } }],
    ['a numeric name', { type: 'MODIFIED', object: { metadata: { name: 1, resourceVersion: '1' } } }],
    ['an object without a resourceVersion', { type: 'DELETED', object: { metadata: { name: 'a' } } }],
    ['a numeric resourceVersion', { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: 1 } } }],
    ['a bookmark without a resourceVersion', { type: 'BOOKMARK', object: { metadata: {} } }],
    ['an ERROR without an object', { type: 'ERROR' }],
  ])('rejects %s with InvalidEvent', (_label, value) => {
    expect(reasonOf(value)).toBe('InvalidEvent');
  });

  it('keeps an own "__proto__" key of a parsed object without polluting Object.prototype', () => {
    const parsed: unknown = JSON.parse('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"},"__proto__":{"polluted":true}}}');
    const event = decodeWatchEvent(parsed);
    expect(Object.prototype.hasOwnProperty.call(event.object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects metadata inherited only through a "__proto__" key', () => {
    const parsed: unknown = JSON.parse('{"type":"ADDED","object":{"__proto__":{"metadata":{"name":"a","resourceVersion":"1"}}}}');
    expect(reasonOf(parsed)).toBe('InvalidEvent');
  });

  it('does not copy the content of an unknown type longer than 64 characters into the message', () => {
    try {
      decodeWatchEvent({ type: `X${'y'.repeat(1000)}`, object: pod });
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(120);
      return;
    }
    expect.unreachable();
  });
});
