import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import { applyEvent, emptyStoreState, type StorePolicy } from '../../../src/store/apply-event.ts';
import { HamtMap, type FoundKey } from '../../../src/store/hamt.ts';

const pod = (name: string, rv: string): KubeObject => ({ metadata: { namespace: 'ns', name, resourceVersion: rv } });
// Builds a new key string per call, as objectKey does.
const policy: StorePolicy<KubeObject> = { keyOf: (o) => [o.metadata!.namespace, o.metadata!.name].join('/'), prepare: (raw) => raw };

function synced(...items: KubeObject[]) {
  const state = emptyStoreState<KubeObject>();
  const script: ListWatchEvent[] = [
    { type: 'LIST_START', reason: 'initial', mode: 'list' },
    { type: 'LIST_PAGE', items },
    { type: 'LIST_DONE', resourceVersion: '10' },
  ];
  for (const e of script) applyEvent(state, e, policy);
  return state;
}

describe('applyEvent', () => {
  it('the first LIST_DONE reports every object added, and no delta for an empty collection', () => {
    const state = emptyStoreState<KubeObject>();
    expect(applyEvent(state, { type: 'LIST_START', reason: 'initial', mode: 'list' }, policy)).toBeUndefined();
    expect(applyEvent(state, { type: 'LIST_DONE', resourceVersion: '5' }, policy)).toEqual([]);
    expect(state.synced).toBe(true);
    expect(state.resourceVersion).toBe('5');
  });

  it('a watch event after the list: updated with previous, deleted with the event object, nothing for an unknown key', () => {
    const state = synced(pod('a', '1'));
    const first = state.objects.get('ns/a');
    const modified = pod('a', '2');
    expect(applyEvent(state, { type: 'MODIFIED', object: modified }, policy)).toEqual([{ type: 'updated', key: 'ns/a', object: modified, previous: first }]);
    expect(state.resourceVersion).toBe('2');
    const gone = pod('a', '3');
    expect(applyEvent(state, { type: 'DELETED', object: gone }, policy)).toEqual([{ type: 'deleted', key: 'ns/a', object: gone }]);
    expect(state.objects.size).toBe(0);
    expect(applyEvent(state, { type: 'DELETED', object: pod('b', '4') }, policy)).toBeUndefined();
    expect(state.resourceVersion).toBe('3');
  });

  it('ignores events before the first list, and an event with the stored resourceVersion', () => {
    const state = emptyStoreState<KubeObject>();
    expect(applyEvent(state, { type: 'ADDED', object: pod('a', '1') }, policy)).toBeUndefined();
    expect(state.objects.size).toBe(0);
    const s2 = synced(pod('a', '1'));
    const before = s2.objects;
    expect(applyEvent(s2, { type: 'MODIFIED', object: pod('a', '1') }, policy)).toBeUndefined();
    expect(s2.objects).toBe(before);
  });

  it('leaves the state unchanged when keyOf throws on a watch event', () => {
    const state = synced(pod('a', '1'));
    const before = state.objects;
    const throwing: StorePolicy<KubeObject> = { ...policy, keyOf: () => { throw new Error('no key'); } };
    expect(() => applyEvent(state, { type: 'MODIFIED', object: pod('a', '2') }, throwing)).toThrow('no key');
    expect(state.objects).toBe(before);
    expect(state.resourceVersion).toBe('10');
  });
});

describe('HamtMap.getEntryHashed', () => {
  it('answers like getHashed and writes the stored key, undefined when absent, for any hash (collisions too)', () => {
    for (const hashFn of [undefined, () => 7, (k: string) => k.length]) {
      let m = HamtMap.empty<number>(hashFn);
      for (let i = 0; i < 200; i++) m = m.set(`ns/k${i}`, i);
      for (let i = 0; i < 200; i += 3) m = m.delete(`ns/k${i}`);
      const found: FoundKey = { key: 'stale' };
      for (let i = 0; i < 220; i++) {
        const probe = ['ns', `k${i}`].join('/');
        const value = m.getEntryHashed(m.hashOf(probe), probe, found);
        expect(value).toBe(m.get(probe));
        expect(found.key).toBe(value === undefined ? undefined : probe);
      }
      expect(HamtMap.empty<number>(hashFn).getEntryHashed(0, 'x', found)).toBeUndefined();
      expect(found.key).toBeUndefined();
    }
  });
});
