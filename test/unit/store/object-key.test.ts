import { describe, expect, it } from 'vitest';
import { InvalidObjectError } from '../../../src/model/errors.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import { objectKey } from '../../../src/store/object-key.ts';

describe('objectKey', () => {
  it('keys namespaced objects by namespace/name', () => {
    expect(objectKey({ metadata: { namespace: 'default', name: 'web-0' } })).toBe('default/web-0');
  });

  it('keys cluster-scoped objects by name (also with an empty namespace)', () => {
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(objectKey({ metadata: { name: 'node-1', namespace: '' } })).toBe('node-1');
  });

  it.each([
    ['no metadata', {}],
    ['no name', { metadata: { namespace: 'x' } }],
    ['empty name', { metadata: { name: '' } }],
    ['non-string name', { metadata: { name: 3 } }],
    ['null', null],
    ['a string', 'pod'],
  ])('throws InvalidObjectError for %s', (_label, obj) => {
    let caught: unknown;
    try {
      objectKey(obj as unknown as KubeObject);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidObjectError);
    expect((caught as InvalidObjectError).name).toBe('InvalidObjectError');
    expect((caught as InvalidObjectError).object).toBe(obj);
  });
});
