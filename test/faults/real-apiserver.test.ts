import { filter, firstValueFrom, Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import { WatchStalledError } from '../../src/model/errors.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { sleep } from '../chaos/harness.ts';
import { describeFaultFailure, runFaultSchedule, startFaultEnv, type FaultEnv, type FaultKind, type FaultScheduleResult } from './real-apiserver.ts';

// The real kube-apiserver as the fault injector. `npm test` runs FAULTS_SCHEDULES (default 4)
// seeded schedules from FAULTS_BASE_SEED (default 13001); FAULTS_SEED=<n> replays one.
const count = Number(process.env['FAULTS_SCHEDULES'] ?? 4);
const base = Number(process.env['FAULTS_BASE_SEED'] ?? 13_001);
const SEEDS = process.env['FAULTS_SEED'] ? [Number(process.env['FAULTS_SEED'])] : Array.from({ length: count }, (_, i) => base + i);

let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv();
}, 180_000);
afterAll(async () => {
  await env?.close();
});

function expectConverged(r: FaultScheduleResult): void {
  expect(r.divergences.length === 0 ? '' : describeFaultFailure(r)).toBe('');
}

describe('real kube-apiserver as the fault injector: each fault, with its expected effect', () => {
  const one = async (kind: FaultKind, seed: number, resource?: 'configmaps' | 'secrets'): Promise<FaultScheduleResult> => {
    const r = await runFaultSchedule(env, seed, { kinds: [kind], steps: 1, ...(resource ? { resource } : {}) });
    console.log(`fault ${kind} (seed ${seed}, ${r.resource}): ${r.operations} operations (${r.failedOperations} failed), statuses ${JSON.stringify(r.statuses)}, converged after ${r.convergedAfterMs} ms; ${r.trace.slice(1).join('; ')}`);
    expectConverged(r);
    expect(r.faults[kind]).toBe(1);
    return r;
  };
  const seen = (r: FaultScheduleResult, prefix: string): boolean => Object.keys(r.statuses).some((s) => s.startsWith(prefix));

  it('kill -9 of kube-apiserver + etcd, restart on the same data and port: the informer reconnects and converges', async () => {
    const r = await one('kill9Restart', 1);
    expect(seen(r, 'backingOff:')).toBe(true);
  });

  it('etcd compaction while disconnected, under churn: 410 on resume, relist, converges', async () => {
    // configmaps are served from etcd (watch cache off), where compaction expires the resume point.
    const r = await one('compactWhileDisconnected', 2, 'configmaps');
    expect(seen(r, 'relisting:expired') || seen(r, 'backingOff:ApiError 410')).toBe(true);
  });

  it('a blackholed connection (half-open, no FIN or RST) is noticed by the stall limit and the watch re-opened', async () => {
    const r = await one('blackhole', 3);
    expect(seen(r, 'backingOff:WatchStalledError')).toBe(true);
  });

  it('overload: 429 from --max-requests-inflight, honoured, then converges', async () => {
    const r = await one('overload429', 4, 'configmaps');
    expect(seen(r, 'backingOff:ApiError 429')).toBe(true);
  });

  it('connection resets and a slow path: converges', async () => {
    await one('reset', 5);
    await one('slow', 6);
    await one('compactLive', 7);
  });
});

describe('real kube-apiserver as the fault injector: seeded schedules', () => {
  it(`${SEEDS.length} schedules of churn and mixed faults converge exactly`, async () => {
    const results: FaultScheduleResult[] = [];
    for (const seed of SEEDS) results.push(await runFaultSchedule(env, seed));
    const faults: Record<string, number> = {};
    for (const r of results) for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
    const sum = (f: (r: FaultScheduleResult) => number): number => results.reduce((a, r) => a + f(r), 0);
    const statuses: Record<string, number> = {};
    for (const r of results) for (const [k, n] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + n;
    console.log(`real-apiserver faults: ${results.length} schedules, ${sum((r) => r.operations)} operations, ${sum((r) => r.deltas)} deltas, ` +
      `faults ${JSON.stringify(faults)}, ${results.filter((r) => r.divergences.length > 0).length} divergent, ` +
      `converged after max ${Math.max(...results.map((r) => r.convergedAfterMs))} ms; statuses ${JSON.stringify(statuses)}`);
    for (const r of results) expectConverged(r);
  }, 3_600_000);
});

describe('dead connection detection against the real kube-apiserver (kubeListWatch over node:https)', () => {
  it('notices a blackholed watch within the stall limit and resumes it', async () => {
    const stallTimeoutMs = 1500;
    const ns = `blackhole-${process.pid}`;
    await env.admin.call('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const inf = informer<KubeObject>(kubeListWatch(env.kubeConfig(), { version: 'v1', plural: 'configmaps' }, { namespace: ns, stallTimeoutMs }));
    const subscriptions = new Subscription();
    const statuses: InformerStatus[] = [];
    subscriptions.add(inf.status$.subscribe((s) => statuses.push(s)));
    subscriptions.add(inf.reflections$.subscribe());
    try {
      await firstValueFrom(inf.status$.pipe(filter((s) => s.phase === 'watching')));
      await sleep(200);
      const blackholedAt = performance.now();
      env.proxy.setMode('blackhole');
      const stalled = await firstValueFrom(inf.status$.pipe(filter((s) => s.phase === 'backingOff')));
      const detectedMs = performance.now() - blackholedAt;
      env.proxy.setMode('forward');
      expect(stalled.phase === 'backingOff' && stalled.error).toBeInstanceOf(WatchStalledError);
      // Silent from the blackhole on (its last byte came earlier): one limit, plus timer lateness on a busy machine.
      expect(detectedMs).toBeLessThan(stallTimeoutMs + 2000);
      console.log(`real apiserver, kubeListWatch: blackholed watch noticed after ${Math.round(detectedMs)} ms (stall limit ${stallTimeoutMs} ms)`);
      // Resumed: a change made now arrives.
      await env.admin.call('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'after' } });
      await firstValueFrom(inf.reflections$.pipe(filter((r) => r.snapshot.get(`${ns}/after`) !== undefined)));
    } finally {
      env.proxy.setMode('forward');
      subscriptions.unsubscribe();
      await env.admin.call('DELETE', `/api/v1/namespaces/${ns}`);
    }
  }, 60_000);
});
