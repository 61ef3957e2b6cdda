import { NEVER, Observable, of, type Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { informer } from '../../../src/informer/informer.ts';
import type { ObjectCallbackError } from '../../../src/model/errors.ts';
import type { InformerStatus } from '../../../src/model/informer-status.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import type { ListOptions, ListWatch, ObjectList, WatchEvent } from '../../../src/model/wire.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

const pod = (name: string, rv: string, node = 'n1'): KubeObject & { spec: { nodeName: string } } => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  spec: { nodeName: node },
});

/** A source whose list answers `items` at resourceVersion 10 and whose watch replays `events`, then stays open. */
function source(items: KubeObject[], events: Observable<WatchEvent>) {
  const counts = { list: 0, watch: 0, watchOpen: 0 };
  const lw: ListWatch = {
    list: () => new Observable<ObjectList<KubeObject>>((s) => {
      counts.list += 1;
      s.next({ metadata: { resourceVersion: '10' }, items });
      s.complete();
    }),
    watch: () => new Observable<WatchEvent>((s) => {
      counts.watch += 1;
      counts.watchOpen += 1;
      const sub = events.subscribe((e) => s.next(e));
      return () => {
        counts.watchOpen -= 1;
        sub.unsubscribe();
      };
    }),
  };
  return { lw, counts };
}

describe('informer', () => {
  it('runs one list and one watch however many subscribe, and stops the watch when the last one leaves', () => {
    const { lw, counts } = source([pod('a', '1')], NEVER);
    const inf = informer(lw, { random: () => 0 });
    const subs: Subscription[] = [];
    for (let i = 0; i < 5; i++) subs.push(inf.reflections$.subscribe());
    expect(counts).toEqual({ list: 1, watch: 1, watchOpen: 1 });
    for (const s of subs) s.unsubscribe();
    expect(counts.watchOpen).toBe(0);
    expect(inf.getSnapshot()).toBeUndefined();
    expect(inf.getStatus()).toEqual({ phase: 'idle', hasSynced: false });
  });

  it('gives a late subscriber the current state as added deltas first, then live changes', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const events = cold<WatchEvent>('-----m', { m: { type: 'MODIFIED', object: pod('a', '12') } });
      const { lw } = source([pod('a', '1'), pod('b', '2')], events);
      const inf = informer(lw, { scheduler, random: () => 0 });
      const early: Reflection<KubeObject>[] = [];
      const late: Reflection<KubeObject>[] = [];
      inf.reflections$.subscribe((r) => early.push(r));
      scheduler.schedule(() => inf.reflections$.subscribe((r) => late.push(r)), 2);
      flush();
      expect(early.map((r) => r.deltas.map((d) => `${d.type} ${d.key}`))).toEqual([['added ns/a', 'added ns/b'], ['updated ns/a']]);
      expect(late.map((r) => r.deltas.map((d) => `${d.type} ${d.key}`).sort())).toEqual([['added ns/a', 'added ns/b'], ['updated ns/a']]);
      expect(late[0]?.snapshot).toBe(early[0]?.snapshot);
      expect(late[1]).toBe(early[1]);
    });
  });

  it('reports listing, synced, watching and backing off on status$, and hasSynced never turns back', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const events = cold<WatchEvent>('--e', { e: { type: 'ERROR', object: { code: 500, reason: 'InternalError' } } });
      const { lw } = source([pod('a', '1')], events);
      const inf = informer(lw, { scheduler, random: () => 0 });
      const phases: InformerStatus[] = [];
      inf.status$.subscribe((s) => phases.push(s));
      const sub = inf.reflections$.subscribe();
      scheduler.schedule(() => sub.unsubscribe(), 900);
      flush();
      expect(phases.map((s) => `${s.phase}${s.hasSynced ? '+' : ''}`)).toEqual([
        'idle', 'listing', 'listing', 'synced+', 'watching+', 'backingOff+',
        'relisting+', 'relisting+', 'synced+', 'watching+', 'backingOff+', 'idle',
      ]);
      expect(phases.find((s) => s.phase === 'synced')).toEqual({ phase: 'synced', hasSynced: true, resourceVersion: '10', size: 1 });
      expect(phases.find((s) => s.phase === 'relisting')).toMatchObject({ reason: 'error' });
    });
  });

  it('keeps the watch alive for keepAliveMs after the last subscriber, so a quick resubscribe does not relist', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { lw, counts } = source([pod('a', '1')], NEVER);
      const inf = informer(lw, { scheduler, keepAliveMs: 100 });
      const first = inf.reflections$.subscribe();
      first.unsubscribe();
      const seen: Reflection<KubeObject>[] = [];
      scheduler.schedule(() => inf.reflections$.subscribe((r) => seen.push(r)), 50);
      flush();
      expect(counts.list).toBe(1);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.deltas.map((d) => d.type)).toEqual(['added']);
    });
  });

  it('stops the watch keepAliveMs after the last subscriber left', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { lw, counts } = source([pod('a', '1')], NEVER);
      const inf = informer(lw, { scheduler, keepAliveMs: 100 });
      inf.reflections$.subscribe().unsubscribe();
      flush();
      expect(counts.watchOpen).toBe(0);
    });
  });

  it('maintains the configured indexes', () => {
    const { lw } = source([pod('a', '1', 'n1'), pod('b', '2', 'n2'), pod('c', '3', 'n1')], NEVER);
    const inf = informer<KubeObject & { spec: { nodeName: string } }>(lw as ListWatch<KubeObject & { spec: { nodeName: string } }>, {
      indexes: { node: (p) => p.spec.nodeName },
    });
    const sub = inf.reflections$.subscribe();
    expect(inf.getSnapshot()?.byIndex('node', 'n1').map((p) => p.metadata?.name).sort()).toEqual(['a', 'c']);
    sub.unsubscribe();
  });

  it('replays the local store as synced deltas every resyncPeriodMs, without a request', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      const { lw, counts } = source([pod('a', '1')], NEVER);
      const inf = informer(lw, { scheduler, resyncPeriodMs: 1000 });
      const types: string[][] = [];
      const sub = inf.reflections$.subscribe((r) => types.push(r.deltas.map((d) => d.type)));
      scheduler.schedule(() => sub.unsubscribe(), 2500);
      flush();
      expect(types).toEqual([['added'], ['synced'], ['synced']]);
      expect(counts.list).toBe(1);
    });
  });

  it('delivers the first sync of an empty collection', () => {
    const { lw } = source([], of());
    const inf = informer(lw, { random: () => 0 });
    const seen: Reflection<KubeObject>[] = [];
    const sub = inf.reflections$.subscribe((r) => seen.push(r));
    expect(seen[0]?.snapshot.size).toBe(0);
    sub.unsubscribe();
  });

  describe('a resubscription after the state was dropped (issue 13, item 10)', () => {
    /** A server that answers a list at resourceVersion 0 from a stale cache and any other list with its current state. */
    function laggingServer() {
      const lists: ListOptions[] = [];
      const lw: ListWatch = {
        list: (options) => new Observable<ObjectList<KubeObject>>((s) => {
          lists.push({ ...options });
          s.next(options.resourceVersion === '0'
            ? { metadata: { resourceVersion: '10' }, items: [pod('a', '5')] }
            : { metadata: { resourceVersion: '30' }, items: [pod('a', '25')] });
          s.complete();
        }),
        watch: (options) => options.resourceVersion === '10'
          ? new Observable<WatchEvent>((s) => s.next({ type: 'MODIFIED', object: pod('a', '20') }))
          : NEVER,
      };
      return { lw, lists };
    }

    it('lists at the resourceVersion of the last snapshot shown, never going back in time', () => {
      const { lw, lists } = laggingServer();
      const inf = informer(lw, { random: () => 0 });
      const shown: string[] = [];
      inf.reflections$.subscribe((r) => shown.push(r.snapshot.get('ns/a')?.metadata?.resourceVersion ?? '')).unsubscribe();
      expect(inf.getSnapshot()).toBeUndefined();
      inf.reflections$.subscribe((r) => shown.push(r.snapshot.get('ns/a')?.metadata?.resourceVersion ?? '')).unsubscribe();
      expect(lists).toEqual([{ resourceVersion: '0', limit: 500 }, { resourceVersion: '20' }]);
      expect(shown).toEqual(['5', '20', '25']);
    });

    it('starts from a configured lastSyncResourceVersion', () => {
      const { lw, lists } = laggingServer();
      informer(lw, { random: () => 0, lastSyncResourceVersion: '17' }).reflections$.subscribe().unsubscribe();
      expect(lists).toEqual([{ resourceVersion: '17' }]);
    });
  });

  describe('status$ and the store', () => {
    /** Lists `a` at rv 10 first, then `a` and `b` at rv 20; the watch fails with 410 after 2 ms. */
    function relisting(scheduler: TestScheduler) {
      let lists = 0;
      const lw: ListWatch = {
        list: () => new Observable<ObjectList<KubeObject>>((s) => {
          lists += 1;
          s.next(lists === 1
            ? { metadata: { resourceVersion: '10' }, items: [pod('a', '1')] }
            : { metadata: { resourceVersion: '20' }, items: [pod('a', '1'), pod('b', '15')] });
          s.complete();
        }),
        watch: () => (lists === 1
          ? scheduler.createColdObservable<WatchEvent>('--e', { e: { type: 'ERROR', object: { code: 410, reason: 'Expired' } } })
          : NEVER),
      };
      return lw;
    }

    it('says synced only once getSnapshot() returns the listed objects, on the first list and on a relist', () => {
      const scheduler = testScheduler();
      scheduler.run(({ flush }) => {
        const inf = informer(relisting(scheduler), { scheduler, random: () => 0 });
        const seen: string[] = [];
        inf.status$.subscribe((s) => {
          if (s.phase === 'synced') seen.push(`${s.resourceVersion}: ${inf.getSnapshot()?.resourceVersion} ${inf.getSnapshot()?.size}`);
        });
        const sub = inf.reflections$.subscribe();
        scheduler.schedule(() => sub.unsubscribe(), 2000);
        flush();
        expect(seen).toEqual(['10: 10 1', '20: 20 2']);
      });
    });

    it('gives a subscriber joining from a status$ callback each delta once', () => {
      const scheduler = testScheduler();
      scheduler.run(({ flush }) => {
        const inf = informer(relisting(scheduler), { scheduler, random: () => 0 });
        const joined: string[][] = [];
        let sub: Subscription | undefined;
        inf.status$.subscribe((s) => {
          if (s.phase === 'relisting' && sub === undefined) {
            sub = inf.reflections$.subscribe((r) => joined.push(r.deltas.map((d) => `${d.type} ${d.key}`)));
          }
        });
        const first = inf.reflections$.subscribe((r) => {
          // A subscriber sees the status of the event that produced its Reflection.
          expect(inf.getStatus()).toMatchObject({ phase: 'synced', resourceVersion: r.snapshot.resourceVersion });
        });
        scheduler.schedule(() => {
          first.unsubscribe();
          sub?.unsubscribe();
        }, 2000);
        flush();
        expect(joined).toEqual([['added ns/a'], ['added ns/b']]);
      });
    });

    it('reports why it stopped when its pipeline failed, and starts afresh for the next subscriber', () => {
      const { lw, counts } = source([pod('a', '1')], NEVER);
      const bad = new Error('hook failed');
      const inf = informer(lw, {
        random: () => 0,
        indexes: { node: () => { throw new Error('index bug'); } },
        onObjectError: () => { throw bad; },
      });
      const errors: unknown[] = [];
      inf.reflections$.subscribe({ error: (e: unknown) => errors.push(e) });
      expect(errors).toEqual([bad]);
      expect(inf.getStatus()).toEqual({ phase: 'idle', hasSynced: false, error: bad });
      expect(counts.watchOpen).toBe(0);
      const again = inf.reflections$.subscribe({ error: () => undefined });
      expect(counts.list).toBe(2);
      again.unsubscribe();
    });

  describe('one bad object', () => {
    it('skips an object transform, keyOf or an index function throws on, for every subscriber, and reports it', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, flush }) => {
        const events = cold<WatchEvent>('--m-n', {
          m: { type: 'MODIFIED', object: pod('bad', '12') },
          n: { type: 'ADDED', object: pod('c', '13', 'n9') },
        });
        const { lw } = source([pod('a', '1'), pod('bad', '2'), pod('b', '3', 'n2')], events);
        const errors: ObjectCallbackError[] = [];
        const inf = informer(lw, {
          scheduler,
          random: () => 0,
          transform: (p) => {
            if (p.metadata?.resourceVersion === '12') throw new Error('cannot transform');
            return p;
          },
          indexes: {
            node: (p: KubeObject & { spec?: { nodeName?: string } }) => {
              if (p.spec?.nodeName === 'n2') throw new Error('cannot index');
              return p.spec?.nodeName;
            },
          },
          onObjectError: (e) => errors.push(e),
        });
        const seen: string[][] = [[], []];
        const failures: unknown[] = [];
        const subs = [0, 1].map((i) => inf.reflections$.subscribe({
          next: (r) => seen[i]!.push(r.deltas.map((d) => `${d.type} ${d.key}`).join(' ')),
          error: (e: unknown) => failures.push(e),
        }));
        scheduler.schedule(() => subs.forEach((sub) => sub.unsubscribe()), 10);
        scheduler.schedule(() => {
          expect(inf.getSnapshot()?.get('ns/bad')?.metadata?.resourceVersion).toBe('2');
          expect(inf.getSnapshot()?.byIndex('node', 'n9')).toHaveLength(1);
          expect(inf.getSnapshot()?.byIndex('node', 'n2')).toEqual([]);
        }, 5);
        flush();
        expect(failures).toEqual([]);
        expect(seen[0]).toEqual(['added ns/a added ns/bad added ns/b', 'added ns/c']);
        // The second subscriber joined late: the current state first, as added deltas (any order).
        const unordered = (r: string[] | undefined) => r?.map((d) => d.split(/ (?=added|updated|deleted)/).sort().join(' '));
        expect(unordered(seen[1])).toEqual(unordered(seen[0]));
        expect(errors.map((e) => `${e.callback} ${e.key}`)).toEqual(['index ns/b', 'transform ns/bad']);
      });
    });

    it('warns on the console by default', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const { lw } = source([pod('a', '1'), pod('b', '2')], NEVER);
        const inf = informer(lw, {
          random: () => 0,
          keyOf: (p) => {
            if (p.metadata?.name === 'b') throw new Error('no key for b');
            return p.metadata!.name!;
          },
        });
        const sub = inf.reflections$.subscribe();
        expect(inf.getSnapshot()?.size).toBe(1);
        expect(warn).toHaveBeenCalledWith('rxkube informer: keyOf threw on ns/b: no key for b; the object was skipped');
        sub.unsubscribe();
      } finally {
        warn.mockRestore();
      }
    });
  });
  });
});

describe('informer status$: list progress and a relist that cannot catch up (issue 17)', () => {
  it('reports progress page by page, with the server\'s remaining estimate, before the first snapshot', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const pages: ObjectList<KubeObject>[] = [
        { metadata: { resourceVersion: '10', continue: 'p2', remainingItemCount: 3 }, items: [pod('a', '1'), pod('b', '2')] },
        { metadata: { resourceVersion: '10', continue: 'p3', remainingItemCount: 1 }, items: [pod('c', '3'), pod('d', '4')] },
        { metadata: { resourceVersion: '10' }, items: [pod('e', '5')] },
      ];
      let n = 0;
      const lw: ListWatch = { list: () => cold('100ms (a|)', { a: pages[n++] as ObjectList<KubeObject> }), watch: () => NEVER };
      const inf = informer(lw, { scheduler, random: () => 0 });
      const seen: InformerStatus[] = [];
      let snapshotAt: number | undefined;
      inf.status$.subscribe((s) => seen.push(s));
      inf.snapshot$.subscribe(() => (snapshotAt ??= scheduler.now()));
      const progress: [number, number | undefined][] = [];
      inf.status$.subscribe((s) => {
        if (s.phase === 'listing' && inf.getSnapshot() === undefined) progress.push([s.loaded, s.remaining]);
      });
      flush();
      expect(progress).toEqual([[0, undefined], [2, 3], [4, 1], [5, undefined]]);
      expect(snapshotAt).toBe(300);
      expect(seen.at(-1)).toMatchObject({ phase: 'watching', hasSynced: true });
    });
  });

  it('says relisting with reason relistLoop once every first watch after a list got 410, then recovers by streaming', () => {
    const scheduler = testScheduler();
    scheduler.run(({ flush }) => {
      let lists = 0;
      const requests: string[] = [];
      const lw: ListWatch = {
        list: () => {
          lists += 1;
          requests.push('list');
          return of({ metadata: { resourceVersion: String(lists * 10) }, items: [pod('a', '1')] });
        },
        watch: (options) => {
          requests.push(options.sendInitialEvents ? 'stream' : 'watch');
          if (options.sendInitialEvents) {
            const initial: WatchEvent[] = [
              { type: 'ADDED', object: pod('a', '1') },
              { type: 'BOOKMARK', object: { metadata: { resourceVersion: '99', annotations: { 'k8s.io/initial-events-end': 'true' } } } },
            ];
            return new Observable<WatchEvent>((s) => initial.forEach((e) => s.next(e))); // stays open
          }
          const gone: WatchEvent = { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired' } };
          return of(gone);
        },
      };
      const inf = informer(lw, { scheduler, random: () => 0 });
      const seen: InformerStatus[] = [];
      inf.status$.subscribe((s) => seen.push(s));
      const sub = inf.reflections$.subscribe();
      scheduler.schedule(() => sub.unsubscribe(), 20_000);
      flush();
      expect(requests).toEqual(['list', 'watch', 'list', 'watch', 'stream']);
      const relists = seen.flatMap((s) => (s.phase === 'relisting' && s.loaded === 0 ? [s.reason] : []));
      expect(relists).toEqual(['expired', 'relistLoop']);
      expect(seen.filter((s) => s.phase === 'watching').at(-1)).toEqual({ phase: 'watching', hasSynced: true, resourceVersion: '99' });
    });
  });
});
