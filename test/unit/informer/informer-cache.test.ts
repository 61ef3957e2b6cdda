import { NEVER, Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { informerCache, type CollectionRef } from '../../../src/informer/informer-cache.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatch, ObjectList, WatchEvent } from '../../../src/model/wire.ts';

function counting() {
  const built: CollectionRef[] = [];
  const open = { lists: 0, watches: 0 };
  const sourceFor = (ref: CollectionRef): ListWatch => {
    built.push(ref);
    return {
      list: () => new Observable<ObjectList<KubeObject>>((s) => {
        open.lists += 1;
        s.next({ metadata: { resourceVersion: '5' }, items: [{ metadata: { name: `${ref.resource}-0`, resourceVersion: '1' } }] });
        s.complete();
      }),
      watch: () => new Observable<WatchEvent>(() => {
        open.watches += 1;
        const sub = NEVER.subscribe();
        return () => {
          open.watches -= 1;
          sub.unsubscribe();
        };
      }),
    };
  };
  return { built, open, sourceFor };
}

describe('informerCache', () => {
  it('gives every pipeline asking for the same collection one informer and one watch, whatever the selector term order', () => {
    const { built, open, sourceFor } = counting();
    const cache = informerCache(sourceFor);
    const a = cache.informer({ resource: 'pods', namespace: 'shop', labelSelector: 'app=web,tier in (a,b)' });
    const b = cache.informer({ resource: 'pods', namespace: 'shop', labelSelector: 'tier in (a,b), app=web' });
    expect(b).toBe(a);
    const subs = [a.reflections$.subscribe(), b.reflections$.subscribe(), a.snapshot$.subscribe()];
    expect(built).toHaveLength(1);
    expect(open).toEqual({ lists: 1, watches: 1 });
    for (const s of subs) s.unsubscribe();
  });

  it('keeps collections that differ in resource, namespace or selectors apart', () => {
    const { built, sourceFor } = counting();
    const cache = informerCache(sourceFor);
    const refs: CollectionRef[] = [
      { resource: 'pods' },
      { resource: 'pods', namespace: 'a' },
      { resource: 'pods', labelSelector: 'app=web' },
      { resource: 'pods', fieldSelector: 'spec.nodeName=n1' },
      { resource: 'nodes' },
    ];
    const informers = new Set(refs.map((r) => cache.informer(r)));
    expect(informers.size).toBe(5);
    expect(built).toHaveLength(5);
    expect(cache.size).toBe(5);
  });

  it('stops the watch keepAliveMs after the last subscriber, drops the entry, and builds a fresh informer next time', async () => {
    const scheduler = new TestScheduler((x, y) => expect(x).toEqual(y));
    const { built, open, sourceFor } = counting();
    let first: unknown;
    let cache!: ReturnType<typeof informerCache>;
    scheduler.run(({ flush }) => {
      cache = informerCache(sourceFor, { keepAliveMs: 100, scheduler });
      const shared = cache.informer({ resource: 'pods' });
      first = shared;
      shared.reflections$.subscribe().unsubscribe();
      scheduler.schedule(() => {
        // Within the keep-alive: the same informer, still watching, no new list.
        const again = cache.informer({ resource: 'pods' });
        expect(again).toBe(first);
        again.reflections$.subscribe().unsubscribe();
      }, 50);
      flush();
    });
    expect(open).toEqual({ lists: 1, watches: 0 });
    await Promise.resolve();
    expect(cache.size).toBe(0);
    const fresh = cache.informer({ resource: 'pods' });
    expect(fresh).not.toBe(first);
    expect(built).toHaveLength(2);
  });

  it('drops an informer that nobody subscribed to within keepAliveMs, and keeps one that is in use', () => {
    const scheduler = new TestScheduler((x, y) => expect(x).toEqual(y));
    const { sourceFor } = counting();
    scheduler.run(({ flush }) => {
      const cache = informerCache(sourceFor, { keepAliveMs: 100, scheduler });
      const unused = cache.informer({ resource: 'pods' });
      const used = cache.informer({ resource: 'nodes' });
      const sub = used.reflections$.subscribe();
      scheduler.schedule(() => {
        expect(cache.size).toBe(2);
        expect(cache.informer({ resource: 'pods' })).toBe(unused);
      }, 99);
      scheduler.schedule(() => {
        expect(cache.size).toBe(1);
        expect(cache.informer({ resource: 'nodes' })).toBe(used);
        expect(cache.informer({ resource: 'pods' })).not.toBe(unused);
        sub.unsubscribe();
      }, 101);
      flush();
    });
  });

  it('hands a late subscriber of a shared informer the current state first', () => {
    const { sourceFor } = counting();
    const cache = informerCache(sourceFor);
    const pipelineA = cache.informer({ resource: 'pods' }).reflections$.subscribe();
    const seen: string[][] = [];
    const pipelineB = cache.informer({ resource: 'pods' }).reflections$.subscribe((r) => seen.push(r.deltas.map((d) => `${d.type} ${d.key}`)));
    expect(seen).toEqual([['added pods-0']]);
    pipelineA.unsubscribe();
    pipelineB.unsubscribe();
  });
});
