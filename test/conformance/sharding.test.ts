/**
 * Sharded list and watch (KEP-5866) on the real kube-apiserver v1.36.3: the main control plane has
 * the `ShardedListAndWatch` gate on, the other has it off (the 1.36 default). Shards over uid and
 * namespace must be disjoint and cover the collection on both, be filtered by the server on the
 * first (`shardFilter: 'server'`, and a raw watch carries only the shard's objects) and by rxkube
 * on the second, and — for namespace shards, which do not depend on server-assigned uids — hold
 * the same objects on both.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, inject, it } from 'vitest';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { WatchEvent } from '../../src/model/wire.ts';
import { equalShards, shardMembership, shardSelector, type ShardField } from '../../src/sources/shard.ts';
import { createSimulatedApiServer } from '../../src/testing/index.ts';
import { call, type ControlPlaneInfo } from './drivers/real.ts';

async function create(info: ControlPlaneInfo, path: string, body: unknown): Promise<KubeObject> {
  const r = await call(info, 'POST', path, { body });
  if (r.status !== 201) throw new Error(`POST ${path}: HTTP ${r.status}: ${r.text}`);
  return JSON.parse(r.text) as KubeObject;
}

const configmaps = { version: 'v1', plural: 'configmaps' };
const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
const run = Math.random().toString(36).slice(2, 7);
const namespaces = Array.from({ length: 8 }, (_, i) => `shard-${run}-${i}`);

describe('sharded list and watch on the real kube-apiserver', () => {
  const planes = inject('rxkubeControlPlanes');
  if (planes === undefined) throw new Error('run with the conformance project (its global-setup starts kube-apiserver)');
  const gateOn = planes.main;
  const gateOff = planes.noWatchList;
  const kc = (info: ControlPlaneInfo) => {
    const k = new KubeConfig();
    k.loadFromString(info.kubeconfig);
    return k;
  };
  /** The test's configmaps on a plane, by listing every namespace of this run. */
  const ours = (items: KubeObject[]) => items.filter((o) => namespaces.includes(o.metadata?.namespace ?? '')).map(keyOf).sort();
  let seeded: Promise<void> | undefined;
  const seed = () =>
    (seeded ??= (async () => {
      for (const info of [gateOn, gateOff]) {
        for (const ns of namespaces) {
          await create(info, '/api/v1/namespaces', { metadata: { name: ns } });
          for (let i = 0; i < 4; i++) await create(info, `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `cm-${i}` }, data: { i: String(i) } });
        }
      }
    })());

  for (const field of ['uid', 'namespace'] as ShardField[]) {
    it(`lists shards over ${field}: disjoint, covering, server-filtered with the gate and client-filtered without`, async () => {
      await seed();
      const shards = equalShards(3, field);
      const got = new Map<ControlPlaneInfo, string[][]>();
      for (const [info, expected] of [[gateOn, 'server'], [gateOff, 'client']] as const) {
        const all = ours((await firstValueFrom(kubeListWatch(kc(info), configmaps).list({}))).items);
        expect(all.length).toBe(namespaces.length * 4);
        const perShard: string[][] = [];
        for (const shard of shards) {
          const page = await firstValueFrom(kubeListWatch(kc(info), configmaps, { shard }).list({}));
          expect(page.shardFilter).toBe(expected);
          if (expected === 'server') expect(page.metadata.shardInfo).toEqual({ selector: shardSelector(shard) });
          // With the gate on, the server chose the items: rxkube's hash must agree with kube-apiserver's.
          expect(page.items.every(shardMembership(shard))).toBe(true);
          perShard.push(ours(page.items));
        }
        expect(perShard.flat().sort()).toEqual(all);
        expect(new Set(perShard.flat()).size).toBe(all.length);
        got.set(info, perShard);
      }
      if (field === 'namespace') expect(got.get(gateOff)).toEqual(got.get(gateOn));
    });
  }

  it('the simulated server answers shard selectors as the real one does: canonical echo, 500 on bad ones', async () => {
    const sim = await createSimulatedApiServer({ shardedListAndWatch: true });
    try {
      const selectors = [
        "shardRange( object.metadata.uid ,'0x0000000000000000','0x8000000000000000' )||shardRange(object.metadata.uid, '0x9000000000000000', '0x10000000000000000')",
        "shardRange(object.metadata.namespace, '0x0000000000000000', '0x10000000000000000')",
        "shardRange(object.metadata.uid, '0x0', '0x8000000000000000')",
        "shardRange(object.metadata.name, '0x0000000000000000', '0x8000000000000000')",
        "shardRange(object.metadata.uid, '0x8000000000000000', '0x0000000000000000')",
        "shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000') || shardRange(object.metadata.namespace, '0x0000000000000000', '0x8000000000000000')",
        "shardRange(object.metadata.uid, '0x000000000000000A', '0x8000000000000000')",
      ];
      for (const selector of selectors) {
        const path = `/api/v1/namespaces/default/configmaps?shardSelector=${encodeURIComponent(selector)}`;
        const real = await call(gateOn, 'GET', path);
        const simulated = await fetch(sim.url + path);
        const simText = await simulated.text();
        const view = (status: number, text: string) => {
          const body = JSON.parse(text) as { metadata?: { shardInfo?: unknown }; message?: string };
          return status === 200 ? { status, shardInfo: body.metadata?.shardInfo } : { status, failed: true };
        };
        expect(view(simulated.status, simText), selector).toEqual(view(real.status, real.text));
        // The reasons are worded alike where rxkube copies them (the server's CEL parser words syntax errors its own way).
        const message = (text: string) => (JSON.parse(text) as { message: string }).message;
        if (real.status === 500 && /unsupported field|same field|less than end/.test(real.text)) expect(message(simText)).toBe(message(real.text));
        if (real.status === 500 && /hexStart/.test(real.text)) expect(message(simText)).toMatch(/^invalid shard selector: hexStart/);
      }
    } finally {
      await sim.close();
    }
  });

  // kube-apiserver v1.36.3 filters a sharded watch only when it is served from the watch cache:
  // its etcd watcher replaces a predicate without label or field selector by "everything"
  // (storage/etcd3/watcher.go: `if pred.Empty()`, and Empty() ignores ShardSelector), so a watch
  // on a resource without a watch cache (configmaps here, `--watch-cache-sizes=configmaps#0`)
  // gets every event. rxkube checks every watch event itself, so its result is the shard either way.
  it.each([
    ['secrets', 'from the watch cache', true],
    ['configmaps', 'from etcd (watch cache off)', false],
  ] as const)('watches a shard of %s %s: the shard, whatever the server sends', async (plural, _how, serverFiltersWatch) => {
    await seed();
    const shard = equalShards(2)[0]!;
    const member = shardMembership(shard);
    const ns = namespaces[0]!;
    const resource = { version: 'v1', plural, namespace: ns };
    for (const info of [gateOn, gateOff]) {
      const rv = (await firstValueFrom(kubeListWatch(kc(info), resource).list({}))).metadata.resourceVersion;
      const sharded = lastValueFrom(kubeListWatch(kc(info), resource, { shard }).watch({ resourceVersion: rv, timeoutSeconds: 3 }).pipe(toArray()));
      const raw = call(info, 'GET', `/api/v1/namespaces/${ns}/${plural}?watch=true&timeoutSeconds=3&resourceVersion=${rv}&shardSelector=${encodeURIComponent(shardSelector(shard))}`);
      await new Promise((r) => setTimeout(r, 500));
      const created: KubeObject[] = [];
      for (let i = 0; i < 12; i++) created.push(await create(info, `/api/v1/namespaces/${ns}/${plural}`, { metadata: { name: `w-${i}` } }));
      const inShard = created.filter(member).map(keyOf);
      expect(inShard.length).toBeGreaterThan(0);
      expect(inShard.length).toBeLessThan(created.length);
      const names = (events: WatchEvent[]) => events.filter((e) => e.type === 'ADDED').map((e) => keyOf(e.object as KubeObject));
      expect(names(await sharded)).toEqual(inShard);
      const rawEvents = (await raw).text.trim().split('\n').map((l) => JSON.parse(l) as WatchEvent);
      expect(names(rawEvents)).toEqual(info === gateOn && serverFiltersWatch ? inShard : created.map(keyOf));
    }
  });
});
