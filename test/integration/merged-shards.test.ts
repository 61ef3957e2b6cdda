import { eventually as eventuallyWithin } from '../support/eventually.ts';
import type { Subscription } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe as suite, expect, it } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import { mergeShards } from '../../src/informer/merge-shards.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { Delta } from '../../src/model/reflection.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { equalShards } from '../../src/sources/shard.ts';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

const eventually = (check: () => void, ms = 10_000): Promise<void> => eventuallyWithin(check, ms);
const pods = { version: 'v1', plural: 'pods' };
const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
/** A delta as text: type, key and the object's resourceVersion, so a repeated delivery shows. */
const describe = (d: Delta<KubeObject>) => `${d.type} ${d.key} ${d.object.metadata?.resourceVersion}`;

let gated: SimulatedApiServer;
let ungated: SimulatedApiServer;
beforeAll(async () => {
  [gated, ungated] = await Promise.all([createSimulatedApiServer({ shardedListAndWatch: true }), createSimulatedApiServer()]);
  for (const server of [gated, ungated]) {
    const rng = mulberry32(23);
    for (let i = 0; i < 60; i++) server.create('pods', generatePod(rng, i, { namespace: `ns-${i % 5}` }));
  }
});
afterAll(async () => {
  await Promise.all([gated.close(), ungated.close()]);
});

suite('mergeShards over 3 uid shards, over HTTP', () => {
  const subs: Subscription[] = [];
  afterEach(() => {
    for (const s of subs.splice(0)) s.unsubscribe();
  });

  for (const gate of ['on', 'off'] as const) {
    it(`gate ${gate}: the merged snapshot is the whole collection through churn, each change one delta, as an unsharded informer sees it`, async () => {
      const server = gate === 'on' ? gated : ungated;
      const shards = equalShards(3).map((shard) => informer(fetchListWatch({ baseUrl: server.url, resource: pods, shard, stallTimeoutMs: 2_000 }), { pageSize: 7 }));
      const merged = mergeShards(shards);
      const deltas: Delta<KubeObject>[] = [];
      let reflections = 0;
      subs.push(
        merged.reflections$.subscribe((r) => {
          if (reflections++ > 0) deltas.push(...r.deltas);
        }),
      );
      // An unsharded informer of the same collection: the changes the merge must reproduce.
      const whole$ = informer(fetchListWatch({ baseUrl: server.url, resource: pods, stallTimeoutMs: 2_000 }), { pageSize: 7 });
      const reference: Delta<KubeObject>[] = [];
      let referenceReflections = 0;
      subs.push(
        whole$.reflections$.subscribe((r) => {
          if (referenceReflections++ > 0) reference.push(...r.deltas);
        }),
      );
      const statuses: InformerStatus[] = [];
      subs.push(merged.status$.subscribe((s) => statuses.push(s)));
      const whole = () => server.list('pods').items.map(keyOf).sort();
      const mergedKeys = () => [...(merged.getSnapshot()?.entries() ?? [])].map(([k]) => k).sort();

      await eventually(() => expect(merged.getStatus()).toMatchObject({ phase: 'watching', hasSynced: true }));
      await eventually(() => expect(whole$.getStatus().phase).toBe('watching'));
      expect(mergedKeys()).toEqual(whole());
      // Each shard listed its own slice: the server's (gate on) or rxkube's filter (gate off).
      const filters = statuses.flatMap((s) => (s.phase === 'synced' ? [s.shardFilter] : []));
      expect(filters.length).toBeGreaterThan(0);
      expect(new Set(filters)).toEqual(new Set([gate === 'on' ? 'server' : 'client']));
      // Not synced until the last shard is.
      expect(statuses.findIndex((s) => s.hasSynced)).toBeGreaterThan(0);
      for (const shard of shards) expect(shard.getSnapshot()!.size).toBeLessThan(merged.getSnapshot()!.size);

      const before = server.list('pods').items;
      const patched = before.slice(0, 8).map(keyOf);
      const deleted = before.filter((p) => p.metadata?.namespace === 'ns-3').slice(0, 4).map(keyOf);
      const rng = mulberry32(gate === 'on' ? 3 : 4);
      const created = Array.from({ length: 12 }, (_, i) => keyOf(server.create('pods', generatePod(rng, 900 + i, { namespace: `new-${i % 4}` }))));
      for (const key of patched) server.patch('pods', key, { metadata: { labels: { touched: gate } } });
      for (const key of deleted) server.delete('pods', key);

      await eventually(() => expect(mergedKeys()).toEqual(whole()));
      await eventually(() => expect(deltas.length).toBe(created.length + patched.length + 2 * deleted.length));
      // The same changes as one unsharded informer of the collection saw, each exactly once.
      await eventually(() => expect(deltas.map(describe).sort()).toEqual(reference.map(describe).sort()));
      expect(deltas.filter((d) => d.type === 'added').map((d) => d.key).sort()).toEqual([...created].sort());
      expect(deltas.filter((d) => d.type === 'deleted').map((d) => d.key).sort()).toEqual([...deleted].sort());
      for (const key of patched) expect(merged.getSnapshot()!.get(key)?.metadata?.labels?.['touched']).toBe(gate);
    });
  }
});
