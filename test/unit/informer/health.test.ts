import { BehaviorSubject, NEVER, Observable, Subject } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { healthOf, probeHealth, type Health, type HealthOptions } from '../../../src/informer/health.ts';
import { informer } from '../../../src/informer/informer.ts';
import { ApiError, WatchStalledError } from '../../../src/model/errors.ts';
import type { InformerStatus } from '../../../src/model/informer-status.ts';

const idle: InformerStatus = { phase: 'idle', hasSynced: false };
const listing: InformerStatus = { phase: 'listing', hasSynced: false, reason: 'initial', loaded: 0 };
const synced: InformerStatus = { phase: 'synced', hasSynced: true, resourceVersion: '5', size: 3 };
const watching: InformerStatus = { phase: 'watching', hasSynced: true, resourceVersion: '5' };
const relisting: InformerStatus = { phase: 'relisting', hasSynced: true, reason: 'expired', loaded: 0 };
const backoff = (delayMs: number, attempt: number, error: unknown = new ApiError({ code: 503, reason: 'ServiceUnavailable', message: 'down' })): InformerStatus =>
  ({ phase: 'backingOff', hasSynced: true, delayMs, attempt, error, next: 'relist' });

describe('healthOf', () => {
  it('idle is live but not ready; the first list makes it ready; a relist keeps it ready', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const status$ = cold<InformerStatus>('i-l-s-w-r-s-w|', { i: idle, l: listing, s: synced, w: watching, r: relisting });
      const values: Record<string, Health> = {
        i: { ready: false, live: true, reason: 'idle: nothing is subscribed to the informer' },
        l: { ready: false, live: true, reason: 'listing (initial), 0 objects so far' },
        w: { ready: true, live: true },
        r: { ready: true, live: true, reason: 'relisting (expired), serving the previous snapshot' },
      };
      expectObservable(healthOf(status$)).toBe('i-l-w---r-w--|', values);
      expectSubscriptions(status$.subscriptions).toBe('^------------!');
    });
  });

  it('reports the error of a backoff, and a stall as a stall', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const status$ = cold<InformerStatus>('a-b', { a: backoff(10, 1), b: backoff(20, 2, new WatchStalledError(250)) });
      expectObservable(healthOf(status$, { maxUnhealthyMs: Infinity })).toBe('a-b', {
        a: { ready: true, live: true, reason: 'ApiError 503 ServiceUnavailable: down; backing off 10 ms (attempt 1), then relisting' },
        b: { ready: true, live: true, reason: 'watch stalled: no data for 250 ms; backing off 20 ms (attempt 2), then relisting' },
      });
    });
  });

  it('turns not live after maxUnhealthyMs away from watching, even without a new status', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const status$ = cold<InformerStatus>('w-a 96ms b 200ms w', { w: watching, a: backoff(10, 1), b: backoff(20, 2) });
      expectObservable(healthOf(status$, { maxUnhealthyMs: 100 })).toBe('w-a 96ms b 2ms c 197ms w', {
        w: { ready: true, live: true },
        a: { ready: true, live: true, reason: 'ApiError 503 ServiceUnavailable: down; backing off 10 ms (attempt 1), then relisting' },
        b: { ready: true, live: true, reason: 'ApiError 503 ServiceUnavailable: down; backing off 20 ms (attempt 2), then relisting' },
        c: { ready: true, live: false, reason: 'not watching for 100 ms: ApiError 503 ServiceUnavailable: down; backing off 20 ms (attempt 2), then relisting' },
      });
    });
  });

  it('is not live at once past maxBackoffMs or maxAttempts', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const status$ = cold<InformerStatus>('a-b-c', { a: backoff(10, 1), b: backoff(5000, 2), c: backoff(10, 9) });
      expectObservable(healthOf(status$, { maxBackoffMs: 1000, maxAttempts: 9, maxUnhealthyMs: Infinity })).toBe('a-b-c', {
        a: expect.objectContaining({ live: true }),
        b: expect.objectContaining({ live: false, reason: expect.stringContaining('above maxBackoffMs (1000 ms)') }),
        c: expect.objectContaining({ live: false, reason: expect.stringContaining('9 failed attempts in a row') }),
      });
    });
  });

  it('mirrors errors, never-ending and empty sources, and cancels its timer on unsubscribe', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold<InformerStatus>('a-#', { a: listing });
      expectObservable(healthOf(failing)).toBe('a-#', { a: expect.objectContaining({ ready: false }) });
      const never = cold<InformerStatus>('-');
      expectObservable(healthOf(never)).toBe('-');
      const empty = cold<InformerStatus>('|');
      expectObservable(healthOf(empty)).toBe('|');
      const early = cold<InformerStatus>('a', { a: listing });
      expectObservable(healthOf(early, { maxUnhealthyMs: 10 }), '^-!').toBe('a', { a: expect.objectContaining({ live: true }) });
      expectSubscriptions(early.subscriptions).toBe('^-!');
    });
  });
});

/** Feeds `statuses` at their times (virtual ms) and returns each verdict as `time live reason`. */
function verdicts(statuses: readonly (readonly [number, InformerStatus])[], options: HealthOptions, until: number): string[] {
  const scheduler = testScheduler();
  const out: string[] = [];
  scheduler.run(({ flush }) => {
    const status$ = new Subject<InformerStatus>();
    const sub = healthOf(status$, { ...options, scheduler }).subscribe((h) => out.push(`${scheduler.now()} ${h.live ? 'live' : 'dead'} ${h.reason ?? ''}`.trim()));
    for (const [at, s] of statuses) scheduler.schedule(() => status$.next(s), at);
    scheduler.schedule(() => sub.unsubscribe(), until);
    flush();
  });
  return out;
}

describe('healthOf: relist storms and failures', () => {
  const storm = 'relist storm: more than 2 relists in the last 50 ms (last: expired)';

  it('is not live while more than maxRelists relists fall within relistWindowMs, though each one syncs, and live again once they leave it', () => {
    const timeline = [
      [0, watching],
      [10, relisting], [11, synced], [12, watching],
      [20, relisting], [21, synced], [22, watching],
      [30, relisting], [31, synced], [32, watching],
    ] as const;
    expect(verdicts(timeline, { maxRelists: 2, relistWindowMs: 50 }, 200)).toEqual([
      '0 live',
      '10 live relisting (expired), serving the previous snapshot',
      '11 live',
      '20 live relisting (expired), serving the previous snapshot',
      '21 live',
      '30 live relisting (expired), serving the previous snapshot',
      `31 dead ${storm}`,
      // The relist completed at t=11 leaves the window at t=61: no new status is needed to notice.
      '61 live',
    ]);
  });

  it('counts completed relists only: not pages, not failed attempts, not the first list; forgets them when the informer stops', () => {
    const page = { ...relisting, loaded: 10 } as InformerStatus;
    const timeline = [
      [0, watching],
      // An outage: relist attempts that fail.
      [1, relisting], [2, backoff(1, 1)], [3, relisting], [4, backoff(1, 2)], [5, relisting], [6, backoff(1, 3)],
      [7, relisting], [8, page], [9, synced], [10, watching],
      [11, relisting], [12, page], [13, synced], [14, watching],
      [15, idle], [16, listing], [17, synced], [18, relisting], [19, synced], [20, watching],
    ] as const;
    expect(verdicts(timeline, { maxRelists: 2, relistWindowMs: 50, maxUnhealthyMs: Infinity }, 100).filter((v) => v.includes('dead'))).toEqual([]);
  });

  it('tolerates 5 relists in 10 minutes by default, not 6', () => {
    const timeline: [number, InformerStatus][] = [[0, watching]];
    for (let i = 1; i <= 6; i++) timeline.push([i * 60_000, relisting], [i * 60_000 + 1_000, synced], [i * 60_000 + 2_000, watching]);
    const out = verdicts(timeline, {}, 1_000_000);
    expect(out.find((v) => v.includes('dead'))).toBe('361000 dead relist storm: more than 5 relists in the last 600000 ms (last: expired)');
    expect(out.at(-1)).toBe('661000 live');
  });

  it('is neither ready nor live once the informer stopped with an error, until it runs again', () => {
    const failed: InformerStatus = { phase: 'idle', hasSynced: false, error: new TypeError('hook failed') };
    expect(verdicts([[0, watching], [5, failed], [9, listing]], {}, 20)).toEqual([
      '0 live',
      '5 dead stopped by an error: TypeError: hook failed',
      '9 live listing (initial), 0 objects so far',
    ]);
  });

  it('reports an informer stopped by a throwing hook as not live', () => {
    const lw = {
      list: () => new Observable<{ metadata: { resourceVersion: string }; items: object[] }>((s) => {
        s.next({ metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a', resourceVersion: '1' } }] });
        s.complete();
      }),
      watch: () => NEVER,
    };
    const inf = informer(lw, { transform: () => { throw new Error('bad transform'); }, onObjectError: (e) => { throw e; } });
    const probe = probeHealth(inf);
    inf.reflections$.subscribe({ error: () => undefined });
    expect(probe.livez()).toEqual({ status: 503, body: 'stopped by an error: ObjectCallbackError: transform threw on a: bad transform' });
    probe.close();
  });
});

describe('probeHealth', () => {
  it('answers readyz and livez from the latest status, combining informers by name', () => {
    const pods = new BehaviorSubject<InformerStatus>(listing);
    const nodes = new BehaviorSubject<InformerStatus>(watching);
    const probe = probeHealth({ pods: { status$: pods }, nodes: { status$: nodes } }, { maxBackoffMs: 1000 });
    expect(probe.readyz()).toEqual({ status: 503, body: 'pods: listing (initial), 0 objects so far' });
    expect(probe.livez()).toEqual({ status: 200, body: 'ok' });
    pods.next(watching);
    expect(probe.readyz()).toEqual({ status: 200, body: 'ok' });
    nodes.next(backoff(5000, 4));
    expect(probe.readyz().status).toBe(200);
    expect(probe.livez()).toEqual({ status: 503, body: expect.stringMatching(/^nodes: ApiError 503 .* above maxBackoffMs/) });
    probe.close();
    expect(pods.observed).toBe(false);
    expect(nodes.observed).toBe(false);
  });

  it('takes a single informer', () => {
    const status$ = new Subject<InformerStatus>();
    const probe = probeHealth({ status$ });
    expect(probe.readyz()).toEqual({ status: 503, body: 'no status yet' });
    status$.next(synced);
    expect(probe.current()).toEqual({ ready: true, live: true });
    probe.close();
  });
});
