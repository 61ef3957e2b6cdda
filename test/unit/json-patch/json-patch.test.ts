import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../../src/store/freeze.ts';
import { jsonPatch, type JsonPatchOperation } from '../../../src/json-patch/json-patch.ts';

interface Pod { metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: { name: string; image: string }[] } }

const cached = (): Pod => deepFreeze({
  metadata: { name: 'web-0', resourceVersion: '41', labels: { app: 'web', 'a/b': 'x' } },
  spec: { containers: [{ name: 'c', image: 'nginx:1' }] },
}) as Pod;

/** RFC 6902 add/replace/remove over a JSON document, as the API server applies them; throws on what it rejects. */
function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[]): unknown {
  let doc = JSON.parse(JSON.stringify(document)) as unknown;
  for (const operation of operations) {
    if (operation.op === 'test') continue;
    if (operation.op !== 'remove' && !('value' in operation && operation.value !== undefined)) throw new Error(`${operation.op} without a value`);
    const segments = operation.path.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = segments.pop()!;
    let parent = doc as Record<string, unknown> | unknown[];
    for (const s of segments) parent = (parent as Record<string, unknown>)[s] as Record<string, unknown>;
    const value = operation.op === 'remove' ? undefined : JSON.parse(JSON.stringify(operation.value)) as unknown;
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (operation.op === 'add') parent.splice(i, 0, value);
      else if (i >= parent.length) throw new Error(`no element ${operation.path}`);
      else if (operation.op === 'replace') parent[i] = value;
      else parent.splice(i, 1);
    } else {
      if (operation.op !== 'add' && !Object.hasOwn(parent, last)) throw new Error(`no member ${operation.path}`);
      if (operation.op === 'remove') delete parent[last];
      else parent[last] = value;
    }
    if (segments.length === 0 && last === '') doc = value;
  }
  return doc;
}

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

  describe('undefined, which JSON does not have', () => {
    const cases: [string, (d: Pod) => void, readonly JsonPatchOperation[]][] = [
      ['a present property set to undefined is removed', (d) => { d.metadata.labels!.app = undefined as never; }, [{ op: 'remove', path: '/metadata/labels/app' }]],
      ['an absent property set to undefined is no operation', (d) => { d.metadata.annotations = undefined; }, []],
      ['an array element set to undefined is null', (d) => { d.spec.containers[0] = undefined as never; }, [{ op: 'replace', path: '/spec/containers/0', value: null }]],
      ['an array element pushed as undefined is null', (d) => { d.spec.containers.push(undefined as never); }, [{ op: 'add', path: '/spec/containers/1', value: null }]],
      ['undefined inside an assigned value is dropped, or null in an array', (d) => {
        d.metadata.labels = { gone: undefined as never, kept: 'y' };
        d.metadata.annotations = { list: [undefined, 'x'] as never };
      }, [
        { op: 'replace', path: '/metadata/labels', value: { kept: 'y' } },
        { op: 'add', path: '/metadata/annotations', value: { list: [null, 'x'] } },
      ]],
    ];
    for (const [name, recipe, expected] of cases) {
      it(`${name}; the result equals applying the operations`, () => {
        const pod = cached();
        const { operations, result } = jsonPatch(pod, recipe);
        expect(operations).toEqual(expected);
        // Sent as JSON, the operations are unchanged: no value is lost or turned into something else.
        expect(JSON.parse(JSON.stringify(operations))).toStrictEqual(operations);
        expect(result).toStrictEqual(applyJsonPatch(pod, operations));
      });
    }

    it('leaves other operations of the same recipe as they were', () => {
      const { operations, result } = jsonPatch(cached(), (d) => {
        d.metadata.labels!.app = undefined as never;
        d.spec.containers[0]!.image = 'nginx:2';
      }, { testResourceVersion: true });
      expect(operations[0]).toEqual({ op: 'test', path: '/metadata/resourceVersion', value: '41' });
      expect([...operations.slice(1)].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { op: 'remove', path: '/metadata/labels/app' },
        { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
      ]);
      expect(result).toStrictEqual(applyJsonPatch(cached(), operations));
      expect(Object.isFrozen(result)).toBe(true);
    });
  });
});
