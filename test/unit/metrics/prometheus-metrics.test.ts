import { Registry } from 'prom-client';
import { NEVER, Observable, map, tap, throwError, timer, type Subscription } from 'rxjs';
import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import { informer } from '../../../src/informer/informer.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatch, ObjectList, WatchEvent } from '../../../src/model/wire.ts';
import { reconcile, type ReconcileOutcome } from '../../../src/operators/reconcile.ts';
import { prometheusMetrics } from '../../../src/metrics/index.ts';

const pod = (name: string, rv: string): KubeObject => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });

/** The samples of a Prometheus text exposition, as `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/**
 * A scripted run in virtual time (1 frame = 1 ms). Informer `pods`: a and b are listed at
 * resourceVersion 10 at frame 0; the first watch delivers a bookmark at 2, a change to b at 20 and
 * a 500 at 30; the loop backs off 800 ms, relists (reason `error`) at 830 and watches again.
 * Reconcile loop `mirror` (concurrency 1) on that informer, 3 frames per run: a's first run fails
 * (retried 5 frames later), b asks for a requeue after 1000 frames, and b's third run (at 1023)
 * never ends. The clock is then frozen at 1523 and the registry scraped while that run is in flight.
 */
function scriptedRun() {
  const s = testScheduler();
  const registry = new Registry();
  let frozen: number | undefined;
  const metrics = prometheusMetrics({ registry, now: () => frozen ?? s.now() });
  const outcomes: string[] = [];
  let sub: Subscription | undefined;
  s.run(({ cold }) => {
    let b = pod('b', '2');
    let watchCalls = 0;
    const lw: ListWatch = {
      list: () =>
        new Observable<ObjectList<KubeObject>>((o) => {
          o.next({ metadata: { resourceVersion: '10' }, items: [pod('a', '1'), b] });
          o.complete();
        }),
      watch: () => {
        if (++watchCalls > 1) return NEVER;
        const changed = pod('b', '11');
        const events = { k: { type: 'BOOKMARK', object: { metadata: { resourceVersion: '10' } } }, m: { type: 'MODIFIED', object: changed } } as const;
        return cold<WatchEvent>('--k-----------------m---------#', events, { code: 500, reason: 'InternalError' }).pipe(
          tap((e) => e.type === 'MODIFIED' && (b = changed)),
        );
      },
    };
    const pods = informer(lw, { scheduler: s, random: () => 0, ...metrics.informer('pods') });
    let aRuns = 0;
    let bRuns = 0;
    sub = pods.reflections$
      .pipe(
        reconcile(
          (key) => {
            if (key === 'ns/b' && ++bRuns === 3) return NEVER;
            const fail = key === 'ns/a' && ++aRuns === 1;
            return timer(3, s).pipe(
              map(() => {
                if (fail) throw new Error('first run of a fails');
                return key === 'ns/b' ? { requeueAfter: 1000 } : undefined;
              }),
            );
          },
          { scheduler: s, retryRateLimit: false, ...metrics.reconcile('mirror') },
        ),
      )
      .subscribe((o: ReconcileOutcome) => outcomes.push(`${s.now()} ${o.type} ${o.key}`));
  });
  frozen = 1523;
  return { registry, outcomes, stop: () => sub!.unsubscribe() };
}

describe('prometheusMetrics', () => {
  it('exposes informer, workqueue and controller-runtime series with their names, labels and values after a scripted run', async () => {
    const { registry, outcomes, stop } = scriptedRun();
    expect(outcomes).toEqual(['3 failed ns/a', '6 reconciled ns/b', '11 reconciled ns/a', '23 reconciled ns/b']);
    const m = samples(await registry.metrics());
    const expected: Record<string, number> = {
      'rxkube_informer_lists_total{name="pods",reason="initial"}': 1,
      'rxkube_informer_lists_total{name="pods",reason="error"}': 1,
      'rxkube_informer_watches_total{name="pods"}': 2,
      'rxkube_informer_watch_events_total{name="pods",type="BOOKMARK"}': 1,
      'rxkube_informer_watch_events_total{name="pods",type="MODIFIED"}': 1,
      'rxkube_informer_errors_total{name="pods",operation="watch"}': 1,
      'rxkube_informer_synced{name="pods"}': 1,
      'rxkube_informer_last_sync_timestamp_seconds{name="pods"}': 0.83,
      'rxkube_informer_last_sync_age_seconds{name="pods"}': 0.693,
      'workqueue_depth{name="mirror"}': 0,
      'workqueue_adds_total{name="mirror"}': 5,
      'workqueue_queue_duration_seconds_count{name="mirror"}': 5,
      'workqueue_queue_duration_seconds_sum{name="mirror"}': 0.003,
      'workqueue_queue_duration_seconds_bucket{le="0.001",name="mirror"}': 4,
      'workqueue_queue_duration_seconds_bucket{le="0.01",name="mirror"}': 5,
      'workqueue_work_duration_seconds_count{name="mirror"}': 4,
      'workqueue_work_duration_seconds_sum{name="mirror"}': 0.012,
      'workqueue_retries_total{name="mirror"}': 1,
      'workqueue_unfinished_work_seconds{name="mirror"}': 0.5,
      'workqueue_longest_running_processor_seconds{name="mirror"}': 0.5,
      'controller_runtime_reconcile_total{controller="mirror",result="success"}': 1,
      'controller_runtime_reconcile_total{controller="mirror",result="error"}': 1,
      'controller_runtime_reconcile_total{controller="mirror",result="requeue_after"}': 2,
      'controller_runtime_reconcile_errors_total{controller="mirror"}': 1,
      'controller_runtime_reconcile_time_seconds_count{controller="mirror"}': 4,
      'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="mirror"}': 4,
      'controller_runtime_active_workers{controller="mirror"}': 1,
      'controller_runtime_max_concurrent_reconciles{controller="mirror"}': 1,
    };
    for (const [series, value] of Object.entries(expected)) expect([series, m.get(series)]).toEqual([series, expect.closeTo(value, 9)]);
    expect(m.has('rxkube_informer_errors_total{name="pods",operation="list"}')).toBe(false);

    stop();
    const after = samples(await registry.metrics());
    expect(after.get('controller_runtime_active_workers{controller="mirror"}')).toBe(0);
    expect(after.get('workqueue_unfinished_work_seconds{name="mirror"}')).toBe(0);
  });

  it('counts each failed list of a typo\'d resource as a list error and its relist, and leaves the informer unsynced', async () => {
    const registry = new Registry();
    const metrics = prometheusMetrics({ registry, now: () => 0 });
    const s = testScheduler();
    s.run(() => {
      const lw: ListWatch = { list: () => throwError(() => ({ code: 404, reason: 'NotFound' })), watch: () => NEVER };
      const sub = informer(lw, { scheduler: s, random: () => 0, ...metrics.informer('typo') }).reflections$.subscribe();
      s.schedule(() => sub.unsubscribe(), 1000);
    });
    const m = samples(await registry.metrics());
    // Failures at 0 and 800 (backoff 800 ms, then 1600 ms): two errors, the initial list and one relist.
    expect(m.get('rxkube_informer_errors_total{name="typo",operation="list"}')).toBe(2);
    expect(m.get('rxkube_informer_lists_total{name="typo",reason="initial"}')).toBe(1);
    expect(m.get('rxkube_informer_lists_total{name="typo",reason="error"}')).toBe(1);
    expect(m.get('rxkube_informer_synced{name="typo"}')).toBe(0);
    expect(m.has('rxkube_informer_last_sync_age_seconds{name="typo"}')).toBe(false);
  });

  it('refuses a second metric set on the same registry', () => {
    const registry = new Registry();
    prometheusMetrics({ registry });
    expect(() => prometheusMetrics({ registry })).toThrow(/already been registered/);
  });
});
