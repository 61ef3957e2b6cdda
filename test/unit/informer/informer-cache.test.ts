import { NEVER, Observable } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { informerCache, type CollectionRef } from '../../../src/informer/informer-cache.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatch, ObjectList, WatchEvent } from '../../../src/model/wire.ts';
import { collectGarbage } from '../../leaks/gc.ts';

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

  it('shares label selectors the API server reads as the same requirements', () => {
    const { built, sourceFor } = counting();
    const cache = informerCache(sourceFor);
    const same = (a: string, b: string) => cache.informer({ resource: 'pods', labelSelector: a }) === cache.informer({ resource: 'pods', labelSelector: b });
    expect(same('app=web', 'app == web')).toBe(true);
    expect(same('app=web', 'app in (web)')).toBe(true);
    expect(same('app!=web', 'app notin (web)')).toBe(true);
    expect(same('tier in (b,a),!gone,x', 'x, !gone , tier in (a, b, a)')).toBe(true);
    expect(same('n>1', 'n > 1')).toBe(true);
    expect(built).toHaveLength(4);
  });

  it('keeps selectors that differ in where spaces split tokens, or inside field values, apart', () => {
    const { built, sourceFor } = counting();
    const cache = informerCache(sourceFor);
    const distinct = (refs: CollectionRef[]) => new Set(refs.map((r) => cache.informer(r))).size;
    expect(distinct([{ resource: 'pods', labelSelector: 'app notin (a)' }, { resource: 'pods', labelSelector: 'appnot in (a)' }])).toBe(2);
    expect(distinct([{ resource: 'pods', labelSelector: 'a in (x),b' }, { resource: 'pods', labelSelector: 'a in (x,b)' }])).toBe(2);
    // `k=` selects an empty value; `k in ()` is rejected by the server: never one informer.
    expect(distinct([{ resource: 'pods', labelSelector: 'k=' }, { resource: 'pods', labelSelector: 'k in ()' }])).toBe(2);
    // Selectors that do not parse only share with the identical string.
    expect(distinct([{ resource: 'pods', labelSelector: 'a b' }, { resource: 'pods', labelSelector: 'ab' }, { resource: 'pods', labelSelector: 'a b' }])).toBe(2);
    expect(distinct([
      { resource: 'events', fieldSelector: 'reason=Back off' },
      { resource: 'events', fieldSelector: 'reason=Backoff' },
      { resource: 'events', fieldSelector: 'reason= Backoff' },
      { resource: 'events', fieldSelector: 'a=1\\,b=2' },
      { resource: 'events', fieldSelector: 'b=2,a=1' },
      { resource: 'events', fieldSelector: 'a=1,b=2,' },
    ])).toBe(5);
    expect(built).toHaveLength(13);
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

  it('stops the watch keepAliveMs after the last subscriber and releases it; the same informer, still referenced, lists again on its next subscriber', () => {
    const scheduler = testScheduler();
    const { built, open, sourceFor } = counting();
    scheduler.run(({ flush }) => {
      const cache = informerCache(sourceFor, { keepAliveMs: 100, scheduler });
      const shared = cache.informer({ resource: 'pods' });
      shared.reflections$.subscribe().unsubscribe();
      scheduler.schedule(() => {
        // Within the keep-alive: the same informer, still watching, no new list.
        const again = cache.informer({ resource: 'pods' });
        expect(again).toBe(shared);
        again.reflections$.subscribe().unsubscribe();
      }, 50);
      scheduler.schedule(() => {
        expect(open).toEqual({ lists: 1, watches: 0 });
        expect(cache.size).toBe(0);
        const later = cache.informer({ resource: 'pods' });
        expect(later).toBe(shared);
        const sub = later.reflections$.subscribe();
        expect(cache.size).toBe(1);
        expect(open).toEqual({ lists: 2, watches: 1 });
        expect(cache.informer({ resource: 'pods' })).toBe(shared);
        sub.unsubscribe();
      }, 300);
      flush();
    });
    expect(built).toHaveLength(1);
  });

  it('keeps an informer first subscribed after keepAliveMs the only informer of its collection: one watch', () => {
    const scheduler = testScheduler();
    const { built, open, sourceFor } = counting();
    scheduler.run(({ flush }) => {
      const cache = informerCache(sourceFor, { keepAliveMs: 100, scheduler });
      const obtained = cache.informer({ resource: 'pods' });
      const used = cache.informer({ resource: 'nodes' });
      const sub = used.reflections$.subscribe();
      scheduler.schedule(() => expect(cache.size).toBe(2), 99);
      scheduler.schedule(() => {
        // Past the keep-alive the cache no longer holds the unsubscribed informer itself…
        expect(cache.size).toBe(1);
        // …but it is still the informer of its collection, before and after its first subscriber.
        expect(cache.informer({ resource: 'pods' })).toBe(obtained);
        const late = obtained.reflections$.subscribe();
        const again = cache.informer({ resource: 'pods' }).reflections$.subscribe();
        expect(cache.informer({ resource: 'pods' })).toBe(obtained);
        expect(cache.size).toBe(2);
        expect(open).toEqual({ lists: 2, watches: 2 });
        late.unsubscribe();
        again.unsubscribe();
        sub.unsubscribe();
      }, 500);
      flush();
    });
    expect(built.map((r) => r.resource)).toEqual(['pods', 'nodes']);
  });

  it('does not keep an informer nobody references once keepAliveMs passed', async () => {
    const scheduler = testScheduler();
    const { sourceFor } = counting();
    const cache = informerCache(sourceFor, { keepAliveMs: 100, scheduler });
    let weak!: WeakRef<object>;
    scheduler.run(({ flush }) => {
      weak = new WeakRef(cache.informer({ resource: 'pods' }));
      cache.informer({ resource: 'nodes' }).reflections$.subscribe().unsubscribe();
      flush();
    });
    expect(cache.size).toBe(0);
    // A WeakRef's target survives the job that created it.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(weak.deref()).toBeUndefined();
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
