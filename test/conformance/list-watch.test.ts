/**
 * Conformance of rxkube's list/watch loop, run against the real kube-apiserver and the simulated
 * server alike: paginated initial list, resume after timeoutSeconds, 410 → relist, bookmarks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { collection, configmaps, pods, type Driver } from './driver.ts';
import { realDriver } from './drivers/real.ts';
import { simulatedDriver } from './drivers/simulated.ts';
import { contents, listContents, runLoop, sleep, waitFor } from './loop.ts';

const drivers: [string, () => Promise<Driver>][] = [
  ['real kube-apiserver', realDriver],
  ['simulated server', simulatedDriver],
];

const cm = (namespace: string, name: string, data: Record<string, string> = { v: '0' }): KubeObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

const pod = (namespace: string, name: string): KubeObject & { spec: unknown } => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'c', image: 'example.invalid/none' }] },
});

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

describe.each(drivers)('list/watch conformance: %s', (_name, makeDriver) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await makeDriver();
  });
  afterAll(async () => {
    await driver?.close();
  });

  it('lists 2,000 objects in pages of 500 with limit and continue as sent on the wire, then watches from the list RV', async () => {
    const ns = await driver.newNamespace('paged');
    const names = Array.from({ length: 2000 }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
    await inParallel(names, 16, (n) => driver.create(configmaps, cm(ns, n)));
    const path = collection(configmaps, ns);
    const before = driver.requests.length;
    const loop = runLoop(driver.listWatch({ ...configmaps, namespace: ns }));
    try {
      await waitFor('the first watch', () => loop.events.some((e) => e.type === 'WATCH_START'));
      const pages = loop.events.filter((e) => e.type === 'LIST_PAGE');
      expect(pages.map((p) => p.items.length)).toEqual([500, 500, 500, 500]);
      expect(pages.map((p) => p.remainingItemCount)).toEqual([1500, 1000, 500, undefined]);
      const done = loop.events.find((e) => e.type === 'LIST_DONE');
      const sent = driver.requests.slice(before).filter((r) => r.startsWith(path + '?'));
      expect(sent[0]).toBe(`${path}?limit=500&resourceVersion=0`);
      for (const r of sent.slice(1, 4)) expect(r).toMatch(new RegExp(`^${path}\\?continue=[A-Za-z0-9_-]+&limit=500$`));
      expect(sent[4]).toMatch(new RegExp(`^${path}\\?allowWatchBookmarks=true&resourceVersion=${done?.resourceVersion}&timeoutSeconds=\\d+&watch=true$`));
      const server = await driver.request('GET', path);
      expect(loop.snapshot()?.size).toBe(2000);
      expect(contents(loop.snapshot())).toEqual(listContents(server.body.items));
    } finally {
      loop.stop();
    }
  });

  it('resumes every watch from the last resourceVersion after timeoutSeconds: no relist, no duplicate, no missing delta', async () => {
    const ns = await driver.newNamespace('resume');
    for (const n of ['a', 'b', 'c']) await driver.create(configmaps, cm(ns, n));
    const loop = runLoop(driver.listWatch({ ...configmaps, namespace: ns }), { minWatchTimeoutSeconds: 2 });
    try {
      await waitFor('the first watch', () => loop.events.some((e) => e.type === 'WATCH_START'));
      const initialDeltas = loop.deltas.length;
      const expected: string[] = [];
      const started = Date.now();
      const watches = () => loop.events.filter((e) => e.type === 'WATCH_START').length;
      // Keep changing objects across at least two watch timeouts (15 s at most).
      for (let i = 0; (watches() < 3 || Date.now() - started < 4000) && Date.now() - started < 15_000; i++) {
        const name = `n${i}`;
        const created = await driver.create(configmaps, cm(ns, name));
        expected.push(`added ${ns}/${name} ${created.metadata?.resourceVersion}`);
        if (i % 2 === 0) {
          const updated = await driver.update(configmaps, { ...created, data: { v: '1' } });
          expected.push(`updated ${ns}/${name} ${updated.metadata?.resourceVersion}`);
        }
        if (i % 3 === 0) {
          await driver.remove(configmaps, ns, name);
          expected.push(`deleted ${ns}/${name}`);
        }
        await sleep(200);
      }
      const describe = (d: (typeof loop.deltas)[number]) => (d.type === 'deleted' ? `deleted ${d.key}` : `${d.type} ${d.key} ${d.object.metadata?.resourceVersion}`);
      await waitFor('every change', () => loop.deltas.length - initialDeltas >= expected.length);
      await sleep(300);
      expect(loop.deltas.slice(initialDeltas).map(describe)).toEqual(expected);
      expect(loop.events.filter((e) => e.type === 'LIST_START')).toHaveLength(1);
      expect(loop.events.filter((e) => e.type === 'BACKOFF')).toEqual([]);
      // Each watch after the first starts where the previous one's last event left off.
      const starts = loop.events.flatMap((e, i) => (e.type === 'WATCH_START' ? [i] : []));
      expect(starts.length).toBeGreaterThanOrEqual(3);
      for (const i of starts.slice(1)) {
        const previous = loop.events.slice(0, i).reverse().find((e) => e.type === 'LIST_DONE' || 'object' in e);
        const rv = previous === undefined ? undefined : previous.type === 'LIST_DONE' ? previous.resourceVersion : 'object' in previous ? previous.object.metadata?.resourceVersion : undefined;
        const start = loop.events[i];
        expect(start?.type === 'WATCH_START' ? start.resourceVersion : undefined).toBe(rv);
      }
      const server = await driver.request('GET', collection(configmaps, ns));
      expect(contents(loop.snapshot())).toEqual(listContents(server.body.items));
    } finally {
      loop.stop();
    }
  });

  it('410 Expired after the history was compacted while disconnected: relists, converges, reports unseen deletes as finalStateUnknown', async () => {
    const ns = await driver.newNamespace('expired');
    for (const n of ['a', 'b', 'c']) await driver.create(configmaps, cm(ns, n));
    const loop = runLoop(driver.listWatch({ ...configmaps, namespace: ns }), { minWatchTimeoutSeconds: 60 });
    try {
      await waitFor('the first watch', () => loop.events.some((e) => e.type === 'WATCH_START'));
      driver.disconnect();
      const before = loop.deltas.length;
      const a = await driver.request('GET', `${collection(configmaps, ns)}/a`);
      await driver.update(configmaps, { ...a.body, data: { v: 'changed' } });
      await driver.remove(configmaps, ns, 'b');
      await driver.create(configmaps, cm(ns, 'd'));
      await driver.expireHistory();
      driver.reconnect();
      const server = await driver.request('GET', collection(configmaps, ns));
      await waitFor('convergence', () => JSON.stringify(contents(loop.snapshot())) === JSON.stringify(listContents(server.body.items)));
      expect(loop.events.some((e) => e.type === 'LIST_START' && e.reason === 'expired')).toBe(true);
      const after = loop.deltas.slice(before).map((d) => `${d.type} ${d.key}${d.finalStateUnknown ? ' (final state unknown)' : ''}`).sort();
      expect(after).toEqual([`added ${ns}/d`, `deleted ${ns}/b (final state unknown)`, `updated ${ns}/a`]);
    } finally {
      driver.reconnect();
      loop.stop();
    }
  });

  it('a bookmark on a quiet namespace (sent ~2 s before timeoutSeconds) advances the resourceVersion without a delta; the next watch resumes from it', async () => {
    const quiet = await driver.newNamespace('quiet');
    const busy = await driver.newNamespace('busy');
    const loop = runLoop(driver.listWatch({ ...pods, namespace: quiet }), { minWatchTimeoutSeconds: 4 });
    try {
      await waitFor('the first watch', () => loop.events.some((e) => e.type === 'WATCH_START'));
      const created = await driver.create(pods, pod(busy, 'elsewhere'));
      await waitFor('a bookmark', () => loop.events.some((e) => e.type === 'BOOKMARK'), 15_000);
      const bookmark = loop.events.find((e) => e.type === 'BOOKMARK');
      const rv = bookmark !== undefined && 'object' in bookmark ? bookmark.object.metadata?.resourceVersion : undefined;
      expect(Number(rv)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));
      // reflect emits nothing for a bookmark (no delta); the loop keeps its resourceVersion.
      expect(loop.snapshot()?.size).toBe(0);
      expect(loop.deltas).toEqual([]);
      await waitFor('the next watch', () => loop.events.filter((e) => e.type === 'WATCH_START').length >= 2, 15_000);
      const second = loop.events.filter((e) => e.type === 'WATCH_START')[1];
      expect(second?.type === 'WATCH_START' ? second.resourceVersion : undefined).toBe(rv);
    } finally {
      loop.stop();
    }
  });
});
