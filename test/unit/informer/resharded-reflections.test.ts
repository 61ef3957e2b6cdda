import { NEVER, Observable, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { reshardedReflections } from '../../../src/informer/resharded-reflections.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import type { ListOptions, ListWatch, WatchEvent } from '../../../src/model/wire.ts';
import { equalShards, shardMembership, type Shard } from '../../../src/sources/shard.ts';

const objects: KubeObject[] = Array.from({ length: 40 }, (_, i) => ({ metadata: { name: `o${i}`, namespace: 'ns', uid: `${i}-5c1e-4e7a-9d2b-6f0a8c3b1e47`, resourceVersion: String(100 + i) } }));
const [lower, upper] = equalShards(2);

/** One collection at resourceVersion 200, listed and watched per shard; records each list's options. */
function source(lists: { shard: Shard; options: ListOptions }[], watch: () => Observable<WatchEvent<KubeObject>> = () => NEVER) {
  return (shard: Shard): ListWatch<KubeObject> => ({
    list: (options) => {
      lists.push({ shard, options });
      return of({ metadata: { resourceVersion: '200' }, items: objects.filter(shardMembership(shard)) });
    },
    watch,
  });
}

const names = (r: Reflection<KubeObject>, type: string) => r.deltas.filter((d) => d.type === type).map((d) => d.key).sort();
const keysOf = (shard: Shard) => objects.filter(shardMembership(shard)).map((o) => `ns/${o.metadata!.name}`).sort();

describe('reshardedReflections', () => {
  it('swaps to a new shard in one Reflection: added for the objects gained, deleted for the objects lost', () => {
    const shard$ = new Subject<Shard | undefined>();
    const lists: { shard: Shard; options: ListOptions }[] = [];
    const seen: Reflection<KubeObject>[] = [];
    const sub = reshardedReflections(shard$, source(lists), { freeze: false }).subscribe((r) => seen.push(r));
    expect(keysOf(lower!).length).toBeGreaterThan(5);
    expect(keysOf(upper!).length).toBeGreaterThan(5);
    shard$.next(lower);
    expect(seen).toHaveLength(1);
    expect([...seen[0]!.snapshot.keys()].sort()).toEqual(keysOf(lower!));
    shard$.next(upper);
    expect(seen).toHaveLength(2);
    expect(names(seen[1]!, 'added')).toEqual(keysOf(upper!));
    expect(names(seen[1]!, 'deleted')).toEqual(keysOf(lower!));
    expect(seen[1]!.deltas.filter((d) => d.type === 'deleted').every((d) => d.finalStateUnknown === true)).toBe(true);
    expect([...seen[1]!.snapshot.keys()].sort()).toEqual(keysOf(upper!));
    // The second shard is listed not older than what was shown.
    expect(lists.map((l) => l.options.resourceVersion)).toEqual(['0', '200']);
    // The whole space keeps what it has and adds the rest; an equal shard changes nothing.
    shard$.next({ field: 'uid', ranges: [...lower!.ranges, ...upper!.ranges] });
    expect(names(seen[2]!, 'added')).toEqual(keysOf(lower!));
    expect(names(seen[2]!, 'deleted')).toEqual([]);
    shard$.next({ field: 'uid', ranges: [{ start: 0n, end: 1n << 64n }] });
    expect(seen).toHaveLength(3);
    expect(lists).toHaveLength(3);
    // No shard: everything is dropped in one Reflection, and nothing is listed.
    shard$.next(undefined);
    expect(seen).toHaveLength(4);
    expect(seen[3]!.snapshot.size).toBe(0);
    expect(names(seen[3]!, 'deleted')).toEqual(objects.map((o) => `ns/${o.metadata!.name}`).sort());
    expect(lists).toHaveLength(3);
    sub.unsubscribe();
  });

  it('applies the watch of the current shard, and unsubscribes from it on a swap and on unsubscribe', () => {
    const shard$ = new Subject<Shard | undefined>();
    const watches: Subject<WatchEvent<KubeObject>>[] = [];
    const active: boolean[] = [];
    const watch = () =>
      new Observable<WatchEvent<KubeObject>>((subscriber) => {
        const s = new Subject<WatchEvent<KubeObject>>();
        const index = watches.push(s) - 1;
        active[index] = true;
        const inner = s.subscribe(subscriber);
        return () => {
          active[index] = false;
          inner.unsubscribe();
        };
      });
    const seen: Reflection<KubeObject>[] = [];
    const sub = reshardedReflections(shard$, source([], watch), { freeze: false }).subscribe((r) => seen.push(r));
    shard$.next(lower);
    const changed = { ...objects.find(shardMembership(lower!))!, data: { x: '1' } };
    watches[0]!.next({ type: 'MODIFIED', object: { ...changed, metadata: { ...changed.metadata, resourceVersion: '201' } } });
    expect(seen[1]!.deltas.map((d) => [d.type, d.key])).toEqual([['updated', `ns/${changed.metadata!.name}`]]);
    shard$.next(upper);
    expect(active).toEqual([false, true]);
    sub.unsubscribe();
    expect(active).toEqual([false, false]);
  });

  it('errors when the shard stream errors, and when sourceFor throws', () => {
    const errors: unknown[] = [];
    const shard$ = new Subject<Shard | undefined>();
    reshardedReflections(shard$, source([])).subscribe({ error: (e: unknown) => errors.push(e) });
    shard$.error(new Error('ring broke'));
    reshardedReflections(of(lower), () => {
      throw new Error('no source');
    }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([new Error('ring broke'), new Error('no source')]);
  });
});
