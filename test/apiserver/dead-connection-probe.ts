/**
 * Measures how long the DEFAULT stall limit takes to notice a blackholed watch (a half-open
 * connection), on both transports against the simulated server and on kubeListWatch against the
 * real kube-apiserver. Takes about 4 minutes (real time, on purpose).
 *
 *   node test/apiserver/dead-connection-probe.ts
 *
 * For each: open a watch with bookmarks through the TCP proxy, wait for a periodic bookmark, then
 * blackhole the proxy at once (the worst case: the connection dies just after a byte), and print
 * the time until WatchStalledError. A second watch is blackholed right after it opens.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { request } from 'node:https';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatch } from '../../src/model/wire.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer } from '../../src/testing/index.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { startControlPlane } from './harness.ts';

const t0 = performance.now();
const at = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

async function probe(label: string, lw: ListWatch<KubeObject>, resourceVersion: string, blackhole: () => void, afterBookmark: boolean): Promise<void> {
  let opened = performance.now();
  let blackholedAt: number | undefined;
  if (!afterBookmark) {
    blackhole();
    blackholedAt = opened;
  }
  await new Promise<void>((resolve) => {
    lw.watch({ resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 600 }).subscribe({
      next: (e) => {
        if (e.type === 'BOOKMARK' && blackholedAt === undefined) {
          blackhole();
          blackholedAt = performance.now();
          console.log(`${at()} ${label}: bookmark after ${((blackholedAt - opened) / 1000).toFixed(1)} s; blackholed`);
        }
      },
      error: (e: Error) => {
        const now = performance.now();
        console.log(`${at()} ${label}: ${e.name} ${((now - (blackholedAt ?? opened)) / 1000).toFixed(1)} s after the blackhole (watch age ${((now - opened) / 1000).toFixed(1)} s)`);
        resolve();
      },
      complete: () => {
        console.log(`${at()} ${label}: completed?`);
        resolve();
      },
    });
  });
}

const sim = await createSimulatedApiServer({ bookmarkIntervalMs: 60_000 });
sim.create('pods', { metadata: { name: 'p', namespace: 'ns' } });
const rv = sim.list('pods').resourceVersion;
const simKc = (url: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 's', server: url, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 's', cluster: 's', user: 'u' }], currentContext: 's' });
  return kc;
};
const cp = await startControlPlane({});
const call = (method: string, path: string, body?: unknown): Promise<any> =>
  new Promise((resolve, reject) => {
    const req = request(cp.url + path, { method, ca: cp.caCert, headers: { authorization: `Bearer ${cp.token}`, 'content-type': 'application/json' } }, (res) => {
      let t = '';
      res.on('data', (c) => (t += c));
      res.on('end', () => resolve(JSON.parse(t)));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
await call('POST', '/api/v1/namespaces', { metadata: { name: 'probe' } });
const realRv: string = (await call('GET', '/api/v1/namespaces/probe/configmaps')).metadata.resourceVersion;

const runs: Promise<void>[] = [];
for (const afterBookmark of [true, false]) {
  const when = afterBookmark ? 'after a bookmark' : 'at open';
  const p1 = await startTcpProxy({ port: Number(new URL(sim.url).port) });
  runs.push(probe(`simulated, fetchListWatch (global fetch), ${when}`, fetchListWatch({ baseUrl: `http://127.0.0.1:${p1.port}`, resource: { version: 'v1', plural: 'pods' } }), rv, () => p1.setMode('blackhole'), afterBookmark));
  const p2 = await startTcpProxy({ port: Number(new URL(sim.url).port) });
  runs.push(probe(`simulated, kubeListWatch (node:http), ${when}`, kubeListWatch(simKc(`http://127.0.0.1:${p2.port}`), { version: 'v1', plural: 'pods' }), rv, () => p2.setMode('blackhole'), afterBookmark));
  const p3 = await startTcpProxy({ port: Number(new URL(cp.url).port) });
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig.replace(cp.url, `https://127.0.0.1:${p3.port}`));
  runs.push(probe(`kube-apiserver ${cp.version}, kubeListWatch (node:https), ${when}`, kubeListWatch(kc, { version: 'v1', plural: 'configmaps', namespace: 'probe' }), realRv, () => p3.setMode('blackhole'), afterBookmark));
}
await Promise.all(runs);
await cp.stop();
await sim.close();
process.exit(0);
