import { eventually } from '../support/eventually.ts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Subscription } from 'rxjs';
import { informer } from '../../src/informer/informer.ts';
import type { Informer } from '../../src/model/informer.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { Delta } from '../../src/model/reflection.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

/** Polls until `check` passes or `ms` elapse; the bound is for hangs, not a speed assertion. */
describe('an informer over HTTP converges to the server\'s exact state after every fault', () => {
  let server: SimulatedApiServer;
  let pods: Informer<KubeObject>;
  let sub: Subscription;
  let deltas: Delta<KubeObject>[];
  const rng = mulberry32(11);
  let counter = 0;

  const serverState = () => new Map(server.list('pods').items.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.metadata?.resourceVersion]));
  const informerState = () => new Map([...(pods.getSnapshot()?.entries() ?? [])].map(([k, p]) => [k, p.metadata?.resourceVersion]));
  const converged = () => expect(informerState()).toEqual(serverState());
  const replayed = () => {
    const model = new Map<string, string | undefined>();
    for (const d of deltas) {
      if (d.type === 'deleted') model.delete(d.key);
      else model.set(d.key, d.object.metadata?.resourceVersion);
    }
    return model;
  };

  const churn = (n: number) => {
    for (let i = 0; i < n; i++) {
      const existing = server.list('pods').items;
      const r = rng();
      if (r < 0.4 || existing.length < 5) server.create('pods', generatePod(rng, 1000 + counter++, { namespace: r < 0.2 ? 'a' : 'b' }));
      else if (r < 0.8) {
        const victim = existing[Math.floor(rng() * existing.length)];
        if (victim) server.patch('pods', `${victim.metadata?.namespace}/${victim.metadata?.name}`, { metadata: { labels: { touched: String(counter++) } } });
      } else {
        const victim = existing[Math.floor(rng() * existing.length)];
        if (victim) server.delete('pods', `${victim.metadata?.namespace}/${victim.metadata?.name}`);
      }
    }
  };

  beforeAll(async () => {
    server = await createSimulatedApiServer({ historySize: 50, bookmarkIntervalMs: 200 });
    for (let i = 0; i < 40; i++) server.create('pods', generatePod(rng, i, { namespace: i % 2 ? 'a' : 'b' }));
  });
  afterAll(() => server.close());

  beforeEach(async () => {
    deltas = [];
    pods = informer(fetchListWatch({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' }, stallTimeoutMs: 500 }), {
      backoff: { initialMs: 5, capMs: 50 },
      pageSize: 7,
    });
    sub = pods.reflections$.subscribe((r) => deltas.push(...r.deltas));
    await eventually(() => expect(pods.getStatus().phase).toBe('watching'));
  });
  afterEach(async () => {
    sub.unsubscribe();
    await eventually(() => expect(server.openWatches).toBe(0));
  });

  const cases: [string, () => void][] = [
    ['watches dropped', () => server.faults.dropWatches()],
    ['streams cut mid-line', () => server.faults.cutWatches('midLine')],
    ['streams cut mid-character', () => server.faults.cutWatches('midChar')],
    ['streams stalled', () => server.faults.stallWatches()],
    ['a 429 burst with Retry-After', () => {
      server.faults.failNext(429, { count: 3, retryAfterSeconds: 0 });
      server.faults.dropWatches();
    }],
    ['500 and 503 bursts', () => {
      server.faults.failNext(500, { count: 2 });
      server.faults.failNext(503, { count: 2 });
      server.faults.dropWatches();
    }],
    ['an in-stream 410 ERROR event', () => server.faults.sendErrorEvent({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' })],
    ['a malformed line', () => server.faults.sendMalformedLine()],
    ['an unknown event type', () => server.faults.sendUnknownEventType()],
    ['history compacted while disconnected', () => {
      server.faults.stallWatches();
      churn(80);
      server.faults.compact();
      server.faults.dropWatches();
    }],
    ['a server restart that loses history', () => {
      churn(20);
      server.faults.restart();
    }],
  ];

  for (const [name, inject] of cases) {
    it(`after ${name}`, async () => {
      churn(10);
      inject();
      churn(30);
      await eventually(converged);
      expect(replayed()).toEqual(informerState());
    });
  }

  it('delivers deletes that happened while disconnected as finalStateUnknown after a relist', async () => {
    server.faults.stallWatches();
    const victim = server.list('pods').items[0];
    const key = `${victim?.metadata?.namespace}/${victim?.metadata?.name}`;
    server.delete('pods', key);
    churn(60);
    server.faults.compact();
    server.faults.dropWatches();
    await eventually(converged);
    const deletion = deltas.find((d) => d.type === 'deleted' && d.key === key);
    expect(deletion?.finalStateUnknown).toBe(true);
  });

  it('resumes without relisting after a clean drop, requesting the last resourceVersion', async () => {
    churn(5);
    await eventually(converged);
    const rv = pods.getSnapshot()?.resourceVersion;
    server.clearRequests();
    server.faults.dropWatches({ graceful: true });
    await eventually(() => expect(server.requests.some((r) => r.query.get('watch') === 'true')).toBe(true));
    const lists = server.requests.filter((r) => r.query.get('watch') !== 'true');
    expect(lists).toEqual([]);
    const resumed = server.requests.find((r) => r.query.get('watch') === 'true');
    expect(resumed?.query.get('allowWatchBookmarks')).toBe('true');
    expect(Number(resumed?.query.get('resourceVersion'))).toBeGreaterThanOrEqual(Number(rv));
  });
});
