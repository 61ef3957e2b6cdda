import { BehaviorSubject, defer, map, Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../../src/informer/merge-shards.ts';
import { InvalidShardError } from '../../../src/model/errors.ts';
import type { Informer } from '../../../src/model/informer.ts';
import type { InformerStatus } from '../../../src/model/informer-status.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { entriesOf } from '../operators/pipeline-helpers.ts';
import { StoreModel as Model } from '../../support/store-model.ts';
import { testScheduler } from '../../support/test-scheduler.ts';

/** An informer whose reflections and status the test drives. */
function fakeShard(reflections$: Observable<Reflection<number>>, status: InformerStatus = { phase: 'idle', hasSynced: false }) {
  const status$ = new BehaviorSubject<InformerStatus>(status);
  const informer: Informer<number> = {
    reflections$,
    snapshot$: reflections$.pipe(map((r) => r.snapshot)),
    status$,
    getSnapshot: () => undefined,
    getStatus: () => status$.getValue(),
  };
  return { informer, status$ };
}

const listing: InformerStatus = { phase: 'listing', hasSynced: false, reason: 'initial', loaded: 3 };
const relisting: InformerStatus = { phase: 'relisting', hasSynced: true, reason: 'expired', loaded: 1 };
const synced: InformerStatus = { phase: 'synced', hasSynced: true, resourceVersion: '7', size: 2, shardFilter: 'server' };
const watching: InformerStatus = { phase: 'watching', hasSynced: true, resourceVersion: '9' };
const backingOff: InformerStatus = { phase: 'backingOff', hasSynced: true, delayMs: 800, attempt: 2, error: new Error('boom'), next: 'rewatch' };

describe('mergeShards', () => {
  it('rejects an empty list of shards with InvalidShardError', () => {
    expect(() => mergeShards([])).toThrow(InvalidShardError);
  });

  it('emits nothing until every shard delivered its state, then everything as added; subscribes each shard once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const [a1, a2] = Model.reflections<number>([[['put', 'ns/a', 1]], [['put', 'ns/a', 2]]]);
      const [b1] = Model.reflections<number>([[['put', 'ns/b', 5]]]);
      const s1 = cold('a--c--', { a: a1!, c: a2! });
      const s2 = cold('-b----', { b: b1! });
      const merged = mergeShards([fakeShard(s1).informer, fakeShard(s2).informer]);
      const out = merged.reflections$.pipe(map((r) => ({ entries: entriesOf(r.snapshot), deltas: r.deltas.map((d) => `${d.type} ${d.key}`).sort() })));
      expectObservable(out, '^-----!').toBe('-x-y--', {
        x: { entries: [['ns/a', 1], ['ns/b', 5]], deltas: ['added ns/a', 'added ns/b'] },
        y: { entries: [['ns/a', 2], ['ns/b', 5]], deltas: ['updated ns/a'] },
      });
      expectSubscriptions(s1.subscriptions).toBe('^-----!');
      expectSubscriptions(s2.subscriptions).toBe('^-----!');
    });
  });

  it('shares one merge; a late subscriber starts from the current merged state; getSnapshot follows and is dropped on release', () => {
    const s1 = new Subject<Reflection<number>>();
    const s2 = new Subject<Reflection<number>>();
    const m1 = new Model<number>();
    const m2 = new Model<number>();
    let subscriptions = 0;
    const counted = (s: Subject<Reflection<number>>): Observable<Reflection<number>> =>
      defer(() => {
        subscriptions++;
        return s;
      });
    const merged = mergeShards([fakeShard(counted(s1)).informer, fakeShard(counted(s2)).informer]);
    const first: string[][] = [];
    const sub1 = merged.reflections$.subscribe((r) => first.push(r.deltas.map((d) => `${d.type} ${d.key}`).sort()));
    s1.next(m1.batch([['put', 'x/1', 1]], { first: true }));
    expect(merged.getSnapshot()).toBeUndefined();
    s2.next(m2.batch([['put', 'y/1', 1]], { first: true }));
    const snapshot = merged.getSnapshot();
    expect(snapshot?.size).toBe(2);
    expect(merged.getSnapshot()).toBe(snapshot);
    const late: string[][] = [];
    const sub2 = merged.reflections$.subscribe((r) => late.push(r.deltas.map((d) => `${d.type} ${d.key}`).sort()));
    s2.next(m2.batch([['del', 'y/1']]));
    expect(subscriptions).toBe(2);
    expect(first).toEqual([['added x/1', 'added y/1'], ['deleted y/1']]);
    expect(late).toEqual([['added x/1', 'added y/1'], ['deleted y/1']]);
    expect(merged.getSnapshot()?.size).toBe(1);
    sub1.unsubscribe();
    sub2.unsubscribe();
    expect(merged.getSnapshot()).toBeUndefined();
  });

  it('forwards a shard error to every subscriber', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a1] = Model.reflections<number>([[['put', 'ns/a', 1]]]);
      const merged = mergeShards([fakeShard(cold('a', { a: a1! })).informer, fakeShard(cold<Reflection<number>>('--#')).informer]);
      expectObservable(merged.reflections$).toBe('--#');
    });
  });

  it('status: the least advanced shard, hasSynced only when all synced, same object while nothing reported changed', () => {
    const shards = [fakeShard(new Subject(), listing), fakeShard(new Subject(), watching), fakeShard(new Subject(), synced)];
    const merged = mergeShards(shards.map((s) => s.informer));
    const seen: InformerStatus[] = [];
    const sub = merged.status$.subscribe((s) => seen.push(s));
    expect(merged.getStatus()).toBe(listing);
    expect(merged.getStatus()).toBe(merged.getStatus());
    shards[0]!.status$.next(synced);
    expect(merged.getStatus()).toBe(synced);
    shards[2]!.status$.next(watching);
    shards[1]!.status$.next(relisting);
    expect(merged.getStatus()).toBe(relisting);
    shards[2]!.status$.next(backingOff);
    expect(merged.getStatus()).toBe(backingOff);
    // A shard still listing makes the merge unsynced, even when the least advanced shard has synced.
    shards[0]!.status$.next(listing);
    expect(merged.getStatus()).toEqual({ ...backingOff, hasSynced: false });
    shards[2]!.status$.next({ phase: 'idle', hasSynced: false, error: 'stopped' });
    expect(merged.getStatus()).toEqual({ phase: 'idle', hasSynced: false, error: 'stopped' });
    // A watch before any list (a streaming list) ranks as listing, below relisting.
    for (const s of shards) s.status$.next(relisting);
    shards[1]!.status$.next({ phase: 'watching', hasSynced: false, resourceVersion: '3' });
    expect(merged.getStatus()).toEqual({ phase: 'watching', hasSynced: false, resourceVersion: '3' });
    sub.unsubscribe();
    expect(seen.map((s) => `${s.phase}${s.hasSynced ? '+' : '-'}`)).toEqual(['listing-', 'synced+', 'relisting+', 'backingOff+', 'backingOff-', 'idle-', 'relisting+', 'watching-']);
  });
});
