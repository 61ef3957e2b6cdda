import { describe, expect, it } from 'vitest';
import { UnknownIndexError } from '../../../src/model/errors.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import { HamtMap } from '../../../src/store/hamt.ts';
import { advanceIndex, buildIndex, type IndexFunction } from '../../../src/store/index-table.ts';
import { IndexedSnapshot, snapshotHasIndex, StoreSnapshot } from '../../../src/store/snapshot.ts';

const pod = (name: string, app?: string | string[], rv = '1'): KubeObject & { app?: string | string[] } => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  ...(app === undefined ? {} : { app }),
});
type Pod = ReturnType<typeof pod>;
const byApp: IndexFunction<Pod> = (o) => o.app;

function snap(objs: Pod[], rv = '1'): StoreSnapshot<Pod> {
  let m = HamtMap.empty<Pod>();
  for (const o of objs) m = m.set(`ns/${o.metadata!.name!}`, o);
  return new StoreSnapshot(m, rv);
}

describe('StoreSnapshot', () => {
  it('answers reads from its map', () => {
    const a = pod('a');
    const s = snap([a, pod('b')], '7');
    expect(s.size).toBe(2);
    expect(s.resourceVersion).toBe('7');
    expect(s.get('ns/a')).toBe(a);
    expect(s.has('ns/c')).toBe(false);
    expect([...s.keys()].sort()).toEqual(['ns/a', 'ns/b']);
    expect([...s.values()]).toHaveLength(2);
    expect(new Map(s.entries()).get('ns/a')).toBe(a);
  });

  it('throws UnknownIndexError for an index nobody maintains', () => {
    const s = snap([pod('a')]);
    expect(() => s.byIndex('app', 'web')).toThrow(UnknownIndexError);
    expect(() => s.indexKeys('app', 'web')).toThrow(UnknownIndexError);
    expect(() => s.indexValues('app')).toThrow(UnknownIndexError);
    expect(snapshotHasIndex(s, 'app')).toBe(false);
  });

  it('withIndex returns a new snapshot and leaves the original without the index', () => {
    const s = snap([pod('a', 'web'), pod('b', ['web', 'db']), pod('c')]);
    const indexed = s.withIndex('app', buildIndex(s, byApp));
    expect(indexed.get('ns/a')).toBe(s.get('ns/a'));
    expect(indexed.byIndex('app', 'web').map((o) => o.metadata!.name).sort()).toEqual(['a', 'b']);
    expect(indexed.indexKeys('app', 'db')).toEqual(['ns/b']);
    expect([...indexed.indexValues('app')].sort()).toEqual(['db', 'web']);
    expect(indexed.byIndex('app', 'none')).toEqual([]);
    expect(snapshotHasIndex(indexed, 'app')).toBe(true);
    expect(() => s.byIndex('app', 'web')).toThrow(UnknownIndexError);
  });

  it('IndexedSnapshot answers its index and delegates everything else', () => {
    const s = snap([pod('a', 'web')], '3').withIndex('other', HamtMap.empty());
    const w = new IndexedSnapshot(s, 'app', buildIndex(s, byApp));
    expect(w.resourceVersion).toBe('3');
    expect(w.size).toBe(1);
    expect(w.has('ns/a')).toBe(true);
    expect(w.byIndex('app', 'web')).toHaveLength(1);
    expect(w.indexValues('other')).toEqual([]);
    expect(() => w.byIndex('nope', 'x')).toThrow(UnknownIndexError);
    expect(snapshotHasIndex(w, 'app')).toBe(true);
    expect(snapshotHasIndex(w, 'nope')).toBe(false);
  });
});

describe('advanceIndex', () => {
  it('moves changed keys between values and drops values that become empty', () => {
    const before = snap([pod('a', 'web'), pod('b', 'web'), pod('c', 'db')]);
    const t0 = buildIndex(before, byApp);
    const after = snap([pod('a', ['web', 'cache'], '2'), pod('b', 'web'), pod('d', 'web')]);
    const t1 = advanceIndex(t0, before, after, [{ key: 'ns/a' }, { key: 'ns/c' }, { key: 'ns/d' }, { key: 'ns/a' }], byApp);
    const s = after.withIndex('app', t1);
    expect(s.indexKeys('app', 'web').slice().sort()).toEqual(['ns/a', 'ns/b', 'ns/d']);
    expect(s.indexKeys('app', 'cache')).toEqual(['ns/a']);
    expect([...s.indexValues('app')].sort()).toEqual(['cache', 'web']);
    expect(s.byIndex('app', 'web').find((o) => o.metadata!.name === 'a')).toBe(after.get('ns/a'));
    // The old table is untouched.
    expect(before.withIndex('app', t0).indexKeys('app', 'db')).toEqual(['ns/c']);
  });
});
