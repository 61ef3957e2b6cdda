import { Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeHealth } from '../../src/informer/health.ts';
import { informer } from '../../src/informer/informer.ts';
import { ApiError, WatchStalledError } from '../../src/model/errors.ts';
import type { Informer } from '../../src/model/informer.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';
import { diffAgainstServer, until } from './harness.ts';

let server: SimulatedApiServer;
let pods: Informer<KubeObject>;
let statuses: InformerStatus[];
let subscriptions: Subscription;

beforeEach(async () => {
  server = await createSimulatedApiServer({ bookmarkIntervalMs: 50 });
  for (let i = 0; i < 5; i++) server.create('pods', { metadata: { name: `p${i}`, namespace: 'default' } });
  pods = informer<KubeObject>(fetchListWatch({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' }, stallTimeoutMs: 300 }), {
    backoff: { initialMs: 5, capMs: 20 },
    minWatchTimeoutSeconds: 60,
  });
  statuses = [];
  subscriptions = new Subscription();
  subscriptions.add(pods.status$.subscribe((s) => statuses.push(s)));
});

afterEach(async () => {
  subscriptions.unsubscribe();
  await server.close();
});

const watchingAndConverged = async (): Promise<void> => {
  const { problems } = await until(() => [
    ...(pods.getStatus().phase === 'watching' && server.openWatches === 1 ? [] : [`phase ${pods.getStatus().phase}, ${server.openWatches} watches`]),
    ...diffAgainstServer(pods.getSnapshot(), server.list('pods').items),
  ], 10_000);
  expect(problems).toEqual([]);
};

const since = (mark: number): InformerStatus[] => statuses.slice(mark);

describe('status$ over HTTP reports stalls, backoffs and relists with their reasons', () => {
  it('idle → listing (initial) → synced → watching', async () => {
    expect(pods.getStatus()).toEqual({ phase: 'idle', hasSynced: false });
    subscriptions.add(pods.reflections$.subscribe());
    await watchingAndConverged();
    // One status per change: `listing` repeats as pages load (its `loaded` count grows).
    expect(statuses.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1])).toEqual(['idle', 'listing', 'synced', 'watching']);
    expect(statuses.filter((s) => s.phase === 'listing').at(-1)).toMatchObject({ loaded: 5 });
    expect(statuses[1]).toMatchObject({ phase: 'listing', reason: 'initial' });
    expect(statuses.find((s) => s.phase === 'synced')).toMatchObject({ phase: 'synced', size: 5 });
  });

  it('a stalled watch: backingOff with WatchStalledError, then watching again without a relist', async () => {
    subscriptions.add(pods.reflections$.subscribe());
    await watchingAndConverged();
    const mark = statuses.length;
    server.faults.stallWatches();
    server.create('pods', { metadata: { name: 'during-stall', namespace: 'default' } });
    await until(() => (since(mark).some((s) => s.phase === 'backingOff') ? [] : ['no backoff yet']), 5_000);
    await watchingAndConverged();
    const backoff = since(mark).find((s) => s.phase === 'backingOff');
    expect(backoff).toMatchObject({ phase: 'backingOff', hasSynced: true, next: 'rewatch', error: expect.any(WatchStalledError) });
    expect(since(mark).some((s) => s.phase === 'relisting')).toBe(false);
  });

  it('a burst of 503s: backingOff with growing attempts and the ApiError, then watching', async () => {
    subscriptions.add(pods.reflections$.subscribe());
    await watchingAndConverged();
    const mark = statuses.length;
    server.faults.failNext(503, { count: 3, retryAfterSeconds: 0 });
    server.faults.dropWatches();
    await watchingAndConverged();
    const backoffs = since(mark).filter((s): s is Extract<InformerStatus, { phase: 'backingOff' }> => s.phase === 'backingOff');
    expect(backoffs.length).toBeGreaterThanOrEqual(3);
    const attempts = backoffs.filter((b) => b.error instanceof ApiError && b.error.code === 503).map((b) => b.attempt);
    expect(attempts).toHaveLength(3);
    expect(attempts.every((a, i) => i === 0 || a === attempts[i - 1]! + 1)).toBe(true);
  });

  it('compaction while disconnected: relisting with reason "expired", serving the old snapshot meanwhile', async () => {
    subscriptions.add(pods.reflections$.subscribe());
    await watchingAndConverged();
    const before = pods.getSnapshot();
    const mark = statuses.length;
    server.faults.dropWatches();
    server.delete('pods', 'default/p0');
    server.create('pods', { metadata: { name: 'p0', namespace: 'default' } });
    server.faults.compact();
    await watchingAndConverged();
    expect(since(mark)).toContainEqual(expect.objectContaining({ phase: 'relisting', reason: 'expired', hasSynced: true }));
    expect(before?.get('default/p0')?.metadata?.uid).not.toBe(pods.getSnapshot()?.get('default/p0')?.metadata?.uid);
  });

  it('an in-stream ERROR 500: relisting with reason "error"', async () => {
    subscriptions.add(pods.reflections$.subscribe());
    await watchingAndConverged();
    const mark = statuses.length;
    server.faults.sendErrorEvent({ kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd' });
    await until(() => (since(mark).some((s) => s.phase === 'relisting') ? [] : ['no relist yet']), 5_000);
    await watchingAndConverged();
    expect(since(mark)).toContainEqual(expect.objectContaining({ phase: 'backingOff', next: 'relist', error: expect.objectContaining({ code: 500 }) }));
    expect(since(mark)).toContainEqual(expect.objectContaining({ phase: 'relisting', reason: 'error' }));
  });

  it('probeHealth: ready once synced, not live through a long outage, live again after it', async () => {
    const probe = probeHealth(pods, { maxUnhealthyMs: 150 });
    try {
      expect(probe.readyz()).toEqual({ status: 503, body: 'idle: nothing is subscribed to the informer' });
      subscriptions.add(pods.reflections$.subscribe());
      await watchingAndConverged();
      expect(probe.readyz()).toEqual({ status: 200, body: 'ok' });
      expect(probe.livez()).toEqual({ status: 200, body: 'ok' });

      // An outage of 30 failed requests: with 5–40 ms backoffs, well over maxUnhealthyMs.
      server.faults.failNext(500, { count: 30 });
      server.faults.dropWatches();
      const down = await until(() => (probe.livez().status === 503 ? [] : ['still live']), 5_000);
      expect(down.problems).toEqual([]);
      expect(probe.livez().body).toMatch(/^not watching for \d+ ms: /);
      expect(probe.readyz().status).toBe(200);

      await watchingAndConverged();
      expect(probe.livez()).toEqual({ status: 200, body: 'ok' });
      expect(probe.current()).toEqual({ ready: true, live: true });
    } finally {
      probe.close();
    }
  });
});
