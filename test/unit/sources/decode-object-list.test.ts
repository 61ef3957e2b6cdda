import { describe, expect, it } from 'vitest';
import { WatchStreamError } from '../../../src/model/errors.ts';
import { decodeObjectList } from '../../../src/sources/decode-object-list.ts';

const item = (name: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: '3' } });

function reasonOf(value: unknown): string | undefined {
  try {
    decodeObjectList(value);
  } catch (e) {
    return e instanceof WatchStreamError ? e.reason : `not a WatchStreamError: ${String(e)}`;
  }
  return undefined;
}

describe('decodeObjectList', () => {
  it('keeps resourceVersion, continue and remainingItemCount and reuses the items array', () => {
    const items = [item('a'), item('b')];
    const page = decodeObjectList({ kind: 'PodList', metadata: { resourceVersion: '9', continue: 'tok', remainingItemCount: 7 }, items });
    expect(page).toEqual({ metadata: { resourceVersion: '9', continue: 'tok', remainingItemCount: 7 }, items });
    expect(page.items).toBe(items);
  });

  it('drops an empty continue token so that its presence alone means "more pages"', () => {
    expect(decodeObjectList({ metadata: { resourceVersion: '9', continue: '' }, items: [] }).metadata).toEqual({ resourceVersion: '9' });
  });

  it('reads null items (a Go nil slice) as an empty page', () => {
    expect(decodeObjectList({ metadata: { resourceVersion: '9' }, items: null }).items).toEqual([]);
  });

  it.each([
    ['a non-object', 'x'],
    ['a list without metadata', { items: [] }],
    ['a list without resourceVersion', { metadata: {}, items: [] }],
    ['a list with a numeric resourceVersion', { metadata: { resourceVersion: 9 }, items: [] }],
    ['a list without items', { metadata: { resourceVersion: '9' } }],
    ['items that are not an array', { metadata: { resourceVersion: '9' }, items: {} }],
    ['an item without a name', { metadata: { resourceVersion: '9' }, items: [item('a'), { metadata: { resourceVersion: '1' } }] }],
    ['an item that is null', { metadata: { resourceVersion: '9' }, items: [null] }],
    ['an item without resourceVersion', { metadata: { resourceVersion: '9' }, items: [{ metadata: { name: 'a' } }] }],
  ])('rejects %s with InvalidEvent', (_label, value) => {
    expect(reasonOf(value)).toBe('InvalidEvent');
  });

  it('names the offending item index', () => {
    expect(() => decodeObjectList({ metadata: { resourceVersion: '9' }, items: [item('a'), {}] })).toThrow(/list item 1/);
  });
});
