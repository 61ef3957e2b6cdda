import { eventually as eventuallyWithin } from '../support/eventually.ts';
import { firstValueFrom, lastValueFrom, toArray, type Subscription } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import type { Informer } from '../../src/model/informer.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ObjectList, WatchEvent } from '../../src/model/wire.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { equalShards, shardMembership, shardSelector, type Shard } from '../../src/sources/shard.ts';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

const eventually = (check: () => void, ms = 10_000): Promise<void> => eventuallyWithin(check, ms);

const pods = { version: 'v1', plural: 'pods' };
const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** Two simulated servers with the same seeded content: one with the ShardedListAndWatch gate, one without. */
let gated: SimulatedApiServer;
let ungated: SimulatedApiServer;
beforeAll(async () => {
  [gated, ungated] = await Promise.all([createSimulatedApiServer({ shardedListAndWatch: true }), createSimulatedApiServer()]);
  for (const server of [gated, ungated]) {
    const rng = mulberry32(11);
    for (let i = 0; i < 60; i++) server.create('pods', generatePod(rng, i, { namespace: `ns-${i % 5}` }));
  }
});
afterAll(async () => {
  await Promise.all([gated.close(), ungated.close()]);
});

describe('the simulated server with ShardedListAndWatch', () => {
  it('lists only the shard and echoes the selector in metadata.shardInfo', async () => {
    const [shard] = equalShards(2);
    const selector = shardSelector(shard!);
    const body = (await (await fetch(`${gated.url}/api/v1/pods?shardSelector=${encodeURIComponent(selector)}`)).json()) as ObjectList<KubeObject>;
    expect(body.metadata.shardInfo).toEqual({ selector });
    const member = shardMembership(shard!);
    const all = gated.list('pods').items;
    expect(body.items.map(keyOf).sort()).toEqual(all.filter(member).map(keyOf).sort());
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.length).toBeLessThan(all.length);
  });

  it('ignores the parameter with the gate off: everything, no echo', async () => {
    const selector = shardSelector(equalShards(2)[0]!);
    const body = (await (await fetch(`${ungated.url}/api/v1/pods?shardSelector=${encodeURIComponent(selector)}`)).json()) as ObjectList<KubeObject>;
    expect(body.metadata.shardInfo).toBeUndefined();
    expect(body.items.length).toBe(ungated.list('pods').items.length);
  });

  it('answers a bad selector with 500 "invalid shard selector", as kube-apiserver 1.36.3', async () => {
    const res = await fetch(`${gated.url}/api/v1/pods?shardSelector=${encodeURIComponent("shardRange(object.metadata.uid, '0x0', '0x8000000000000000')")}`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toMatch(/^invalid shard selector: hexStart must be a 0x-prefixed 16-digit/);
  });

  it('sends a sharded watch only the shard’s events', async () => {
    const shard = equalShards(2)[1]!;
    const member = shardMembership(shard);
    const rv = gated.list('pods').resourceVersion;
    const raw = fetch(`${gated.url}/api/v1/pods?watch=true&timeoutSeconds=1&resourceVersion=${rv}&shardSelector=${encodeURIComponent(shardSelector(shard))}`).then((r) => r.text());
    await eventually(() => expect(gated.openWatches).toBe(1));
    const rng = mulberry32(5);
    const created = Array.from({ length: 12 }, (_, i) => gated.create('pods', generatePod(rng, 500 + i, { namespace: 'w' })));
    const events = (await raw).trim().split('\n').map((l) => JSON.parse(l) as WatchEvent);
    expect(events.map((e) => (e.type === 'ERROR' ? '' : keyOf(e.object)))).toEqual(created.filter(member).map(keyOf));
    for (const o of created) gated.delete('pods', keyOf(o));
  });
});

describe('fetchListWatch with a shard', () => {
  it('trusts the echo (gate on) and filters itself (gate off): the same items either way', async () => {
    for (const shard of equalShards(3, 'namespace')) {
      const on = await firstValueFrom(fetchListWatch({ baseUrl: gated.url, resource: pods, shard }).list({}));
      const off = await firstValueFrom(fetchListWatch({ baseUrl: ungated.url, resource: pods, shard }).list({}));
      expect(on.shardFilter).toBe('server');
      expect(off.shardFilter).toBe('client');
      expect(off.items.map(keyOf)).toEqual(on.items.map(keyOf));
    }
  });

  it('sends shardSelector on list and watch, and nothing new without a shard', async () => {
    const shard = equalShards(2)[0]!;
    ungated.clearRequests();
    await firstValueFrom(fetchListWatch({ baseUrl: ungated.url, resource: pods, shard }).list({ limit: 5 }));
    await lastValueFrom(fetchListWatch({ baseUrl: ungated.url, resource: pods, shard }).watch({ resourceVersion: ungated.list('pods').resourceVersion, timeoutSeconds: 1 }).pipe(toArray()));
    await firstValueFrom(fetchListWatch({ baseUrl: ungated.url, resource: pods }).list({}));
    expect(ungated.requests.map((r) => [r.verb, r.params['shardSelector']])).toEqual([
      ['list', shardSelector(shard)],
      ['watch', shardSelector(shard)],
      ['list', undefined],
    ]);
  });

  it('drops watch events outside the shard when the server does not filter', async () => {
    const shard = equalShards(2)[0]!;
    const member = shardMembership(shard);
    const rv = ungated.list('pods').resourceVersion;
    const rng = mulberry32(9);
    const watched = lastValueFrom(fetchListWatch({ baseUrl: ungated.url, resource: pods, shard }).watch({ resourceVersion: rv, timeoutSeconds: 1 }).pipe(toArray()));
    await eventually(() => expect(ungated.openWatches).toBe(1));
    const created = Array.from({ length: 12 }, (_, i) => ungated.create('pods', generatePod(rng, 700 + i, { namespace: 'w' })));
    const events = await watched;
    expect(events.map((e) => (e.type === 'ERROR' ? '' : keyOf(e.object)))).toEqual(created.filter(member).map(keyOf));
    expect(created.filter(member).length).toBeLessThan(created.length);
    for (const o of created) ungated.delete('pods', keyOf(o));
  });
});

describe('sharded informers', () => {
  const subs: Subscription[] = [];
  afterEach(() => {
    for (const s of subs.splice(0)) s.unsubscribe();
  });

  function start(server: SimulatedApiServer, shard: Shard): Informer<KubeObject> {
    const inf = informer(fetchListWatch({ baseUrl: server.url, resource: pods, shard, stallTimeoutMs: 2_000 }), { pageSize: 7 });
    subs.push(inf.snapshot$.subscribe());
    return inf;
  }
  const keys = (inf: Informer<KubeObject>) => [...(inf.getSnapshot()?.entries() ?? [])].map(([k]) => k).sort();

  it('says in status$ whether the server or rxkube filtered the list', async () => {
    const shard = equalShards(2)[0]!;
    const statuses: InformerStatus[] = [];
    for (const server of [gated, ungated]) {
      const inf = start(server, shard);
      subs.push(inf.status$.subscribe((s) => statuses.push(s)));
      await eventually(() => expect(inf.getStatus().phase).toBe('watching'));
    }
    expect(statuses.filter((s) => s.phase === 'synced').map((s) => (s.phase === 'synced' ? s.shardFilter : undefined))).toEqual(['server', 'client']);
  });

  for (const field of ['uid', 'namespace'] as const) {
    it(`over ${field}: shards are disjoint, their union is the collection, gate on or off, through churn`, async () => {
      const shards = equalShards(3, field);
      const on = shards.map((s) => start(gated, s));
      const off = shards.map((s) => start(ungated, s));
      const settled = async () => {
        for (const [server, infs] of [[gated, on], [ungated, off]] as const) {
          const all = server.list('pods').items.map(keyOf).sort();
          await eventually(() => expect(infs.every((inf) => inf.getStatus().hasSynced)).toBe(true));
          await eventually(() => expect(infs.flatMap(keys).sort()).toEqual(all));
        }
        for (let i = 0; i < shards.length; i++) {
          expect(new Set(keys(on[i]!)).size).toBe(keys(on[i]!).length);
          // The same seeded pods get different uids on the two servers, so compare per server for uid.
          if (field === 'namespace') expect(keys(off[i]!)).toEqual(keys(on[i]!));
          const member = shardMembership(shards[i]!);
          for (const [, o] of on[i]!.getSnapshot()!.entries()) expect(member(o)).toBe(true);
          for (const [, o] of off[i]!.getSnapshot()!.entries()) expect(member(o)).toBe(true);
        }
      };
      await settled();
      for (const server of [gated, ungated]) {
        const rng = mulberry32(field === 'uid' ? 1 : 2);
        for (let i = 0; i < 10; i++) server.create('pods', generatePod(rng, 900 + i, { namespace: `ns-${i % 4}` }));
        for (const o of server.list('pods').items.slice(0, 6)) server.patch('pods', keyOf(o), { metadata: { labels: { touched: 'yes' } } });
        for (const o of server.list('pods').items.filter((p) => p.metadata?.namespace === 'ns-3').slice(0, 3)) server.delete('pods', keyOf(o));
      }
      await settled();
      for (const server of [gated, ungated]) for (const o of server.list('pods').items.filter((p) => Number(p.metadata?.name?.split('-').pop()) >= 900)) server.delete('pods', keyOf(o));
    });
  }
});
