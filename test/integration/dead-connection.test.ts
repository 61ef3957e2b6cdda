import { KubeConfig } from '@kubernetes/client-node';
import { filter, firstValueFrom, Subscription, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import { WatchStalledError } from '../../src/model/errors.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatch, WatchEvent } from '../../src/model/wire.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

// Dead connections (issue 13): a half-open connection — the peer gone without FIN or RST — made
// by a loopback TCP proxy that stops forwarding without closing, on both transports.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serverBehindProxy(options: Parameters<typeof createSimulatedApiServer>[0] = {}): Promise<{ server: SimulatedApiServer; proxy: TcpProxy; url: string }> {
  const server = await createSimulatedApiServer(options);
  cleanups.push(() => server.close());
  const proxy = await startTcpProxy({ port: Number(new URL(server.url).port) });
  cleanups.push(() => proxy.close());
  return { server, proxy, url: `http://127.0.0.1:${proxy.port}` };
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'u' }],
    currentContext: 'sim',
  });
  return kc;
}

const transports: [string, (url: string, stallTimeoutMs: number) => ListWatch<KubeObject>][] = [
  ['fetchListWatch (global fetch)', (url, stallTimeoutMs) => fetchListWatch({ baseUrl: url, resource: { version: 'v1', plural: 'pods' }, stallTimeoutMs })],
  ['kubeListWatch (node:http)', (url, stallTimeoutMs) => kubeListWatch(kubeConfigFor(url), { version: 'v1', plural: 'pods' }, { stallTimeoutMs })],
];

describe('a blackholed watch (no FIN, no RST) through a TCP proxy', () => {
  for (const [name, transport] of transports) {
    it(`${name}: is noticed within the stall limit, re-opened at once, and the informer catches up`, async () => {
      const stallTimeoutMs = 1000;
      // Bookmarks every 100 ms keep the quiet watch alive: any alarm before the blackhole would be false.
      const { server, proxy, url } = await serverBehindProxy({ bookmarkIntervalMs: 100 });
      server.create('pods', { metadata: { name: 'before', namespace: 'ns' } });
      const inf = informer(transport(url, stallTimeoutMs));
      const subscriptions = new Subscription();
      cleanups.push(() => subscriptions.unsubscribe());
      const phases: string[] = [];
      subscriptions.add(inf.status$.subscribe((s) => phases.push(s.phase)));
      subscriptions.add(inf.reflections$.subscribe());
      await firstValueFrom(inf.status$.pipe(filter((s) => s.phase === 'watching')));
      await new Promise((r) => setTimeout(r, 3 * stallTimeoutMs));
      expect(phases).not.toContain('backingOff');

      const blackholedAt = performance.now();
      proxy.setMode('blackhole');
      const stalled = await firstValueFrom(inf.status$.pipe(filter((s) => s.phase === 'backingOff')));
      const detectedMs = performance.now() - blackholedAt;
      expect(stalled.phase === 'backingOff' && stalled.error).toBeInstanceOf(WatchStalledError);
      expect(stalled.phase === 'backingOff' && stalled.delayMs).toBe(0);
      // Silent since the blackhole at the latest: one limit, plus timer lateness on a busy machine.
      expect(detectedMs).toBeLessThan(stallTimeoutMs + 1500);
      console.log(`simulated server, ${name}: blackholed watch noticed after ${Math.round(detectedMs)} ms (stall limit ${stallTimeoutMs} ms)`);

      // The path heals for new connections; the re-opened watch resumes and delivers.
      proxy.setMode('forward');
      server.create('pods', { metadata: { name: 'after', namespace: 'ns' } });
      const reflection = await firstValueFrom(inf.reflections$.pipe(filter((r) => r.snapshot.get('ns/after') !== undefined)));
      expect([...reflection.snapshot.keys()].sort()).toEqual(['ns/after', 'ns/before']);
      expect(proxy.blackholed).toBeGreaterThan(0);
    });
  }
});

describe('the simulated server\'s bookmarks on its own clock keep a quiet watch alive', () => {
  it('a quiet watch with the default limit sees no alarm in an hour of virtual time, and a stall is noticed within 90 s', async () => {
    const scheduler = new VirtualTimeScheduler();
    const server = await createSimulatedApiServer({ scheduler, bookmarkIntervalMs: 60_000 });
    cleanups.push(() => server.close());
    server.create('pods', { metadata: { name: 'only', namespace: 'ns' } });
    const lw = fetchListWatch<KubeObject>({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' }, scheduler });
    const events: WatchEvent<KubeObject>[] = [];
    let error: unknown;
    const sub = lw.watch({ resourceVersion: server.list('pods').resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 7200 })
      .subscribe({ next: (e) => events.push(e), error: (e: unknown) => (error = e) });
    cleanups.push(() => sub.unsubscribe());
    await new Promise((r) => setTimeout(r, 50));

    // One virtual second at a time, letting the bytes cross the real socket in between.
    const step = async (): Promise<void> => {
      scheduler.schedule(() => undefined, 1000);
      scheduler.maxFrames = scheduler.frame + 1000;
      scheduler.flush();
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    };
    for (let s = 0; s < 3600; s++) await step();
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'BOOKMARK')).toHaveLength(60);

    server.faults.stallWatches();
    const stalledAt = scheduler.frame;
    while (error === undefined && scheduler.frame - stalledAt < 200_000) await step();
    expect(error).toBeInstanceOf(WatchStalledError);
    expect(scheduler.frame - stalledAt).toBeLessThanOrEqual(90_000);
  }, 60_000);
});
