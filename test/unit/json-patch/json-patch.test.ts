import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../src/store/freeze.ts';
import { jsonPatch } from '../../../src/json-patch/json-patch.ts';

interface Pod { metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: { name: string; image: string }[] } }

const cached = (): Pod => deepFreeze({
  metadata: { name: 'web-0', resourceVersion: '41', labels: { app: 'web', 'a/b': 'x' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
}) as Pod;

describe('jsonPatch', () => {
  it('turns a recipe on a frozen cached object into RFC 6902 operations without mutating it', () => {
    const pod = cached();
    const { operations, result } = jsonPatch(pod, (d) => {
      d.metadata.labels = { ...d.metadata.labels, tier: 'gold' };
      d.spec.containers[0]!.image = 'nginx:2';
    });
    expect(operations).toHaveLength(2);
    expect(operations).toContainEqual({ op: 'replace', path: '/metadata/labels', value: { app: 'web', 'a/b': 'x', tier: 'gold' } });
    expect(operations).toContainEqual({ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' });
    expect(pod.spec.containers[0]?.image).toBe('nginx:1');
    expect(result.spec.containers[0]?.image).toBe('nginx:2');
  });

  it('escapes ~ and / in keys as JSON Pointer requires', () => {
    const { operations } = jsonPatch(cached(), (d) => {
      delete d.metadata.labels!['a/b'];
      d.metadata.annotations = {};
      d.metadata.annotations['x~y'] = '1';
    });
    expect(operations).toContainEqual({ op: 'remove', path: '/metadata/labels/a~1b' });
    expect(operations).toContainEqual({ op: 'add', path: '/metadata/annotations', value: { 'x~y': '1' } });
  });

  it('guards the patch with a test of the resourceVersion when asked, and emits nothing for a no-op', () => {
    const pod = cached();
    expect(jsonPatch(pod, (d) => { d.metadata.name = 'web-1'; }, { testResourceVersion: true }).operations[0])
      .toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '41' });
    expect(jsonPatch(pod, () => undefined, { testResourceVersion: true }).operations).toEqual([]);
  });
});
