/**
 * Shard membership against the real kube-apiserver: replicas as separate OS processes join a ring
 * of Leases (lease 3 s, renew deadline 2 s, retry 0.5 s) and reconcile the configmaps of one
 * namespace under `whileOwning`, appending `start`/`reconciled`/`stop` per key to a shared ledger
 * (one file, appended to by every process, so its line order is the real order). The test updates
 * configmaps all along, kills one replica with SIGKILL, adds another, and then checks: no key was
 * ever reconciled by two replicas at once, and every configmap was reconciled at its latest
 * resourceVersion.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ringAssignment } from '../../src/leader/ring-assignment.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { shardSelector } from '../../src/sources/shard.ts';
import { call, ok } from './drivers/real.ts';
import { processFleet, readLedger, waitFor as waitForLedger } from './process-fleet.ts';

const CONFIGMAPS = 40;

interface Entry {
  readonly id: string;
  readonly event: 'ready' | 'assignment' | 'start' | 'reconciled' | 'stop' | 'killed';
  readonly key?: string;
  readonly rv?: string;
  readonly members?: string[];
  readonly ready?: string | null;
  readonly t: number;
}

describe('shard ring on the real kube-apiserver', () => {
  const fleet = processFleet('rxkube-ring-');
  const { children } = fleet;
  afterAll(() => fleet.close());

  it('under churn (kill -9 one, add one) no configmap is reconciled by two replicas at once, and all converge to their latest resourceVersion', async () => {
    const planes = inject('rxkubeControlPlanes');
    if (planes === undefined) throw new Error('run with the conformance project (its global-setup starts kube-apiserver)');
    const info = planes.main;
    const run = Math.random().toString(36).slice(2, 7);
    const namespace = `ring-${run}`;
    const ring = `ring-${run}`;
    const { kubeconfig, ledger } = fleet.writeKubeconfigAndLedger(info.kubeconfig);
    const read = (): Entry[] => readLedger<Entry>(ledger);
    const waitFor = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> =>
      waitForLedger(what, probe, timeoutMs, { intervalMs: 100, detail: () => `stderr:\n${fleet.stderr()}\nledger tail:\n${readFileSync(ledger, 'utf8').split('\n').slice(-30).join('\n')}` });
    const start = (id: string): void => void fleet.start(id, 'ring-replica.ts', [kubeconfig, id, ledger, ring, namespace]);
    /** Whether every member's latest assignment is the ring's, with its whole range ready. */
    const settledOn = (members: string[]): true | undefined => {
      const entries = read();
      for (const id of members) {
        const latest = entries.filter((e) => e.id === id && e.event === 'assignment').at(-1);
        if (latest === undefined || latest.members?.join() !== members.join() || latest.ready !== shardSelector(ringAssignment(members, id)!)) return undefined;
      }
      return true;
    };
    const configmaps = async (): Promise<KubeObject[]> => ((await ok(info, 'GET', `/api/v1/namespaces/${namespace}/configmaps`)) as { items: KubeObject[] }).items;
    /** Whether every configmap's last `reconciled` entry has its current resourceVersion. */
    const converged = async (): Promise<true | undefined> => {
      const last = new Map<string, string | undefined>();
      for (const e of read()) if (e.event === 'reconciled') last.set(e.key!, e.rv);
      const items = await configmaps();
      return items.length === CONFIGMAPS && items.every((cm) => last.get(`${namespace}/${cm.metadata?.name}`) === cm.metadata?.resourceVersion) ? true : undefined;
    };

    await ok(info, 'POST', '/api/v1/namespaces', { metadata: { name: namespace } });
    await Promise.all(Array.from({ length: CONFIGMAPS }, (_, i) => ok(info, 'POST', `/api/v1/namespaces/${namespace}/configmaps`, { metadata: { name: `cm-${i}` }, data: { v: '0' } })));

    for (const id of ['a', 'b', 'c']) start(id);
    await waitFor('a ring of a, b, c with every range ready', () => settledOn(['a', 'b', 'c']), 40_000);
    await waitFor('every configmap reconciled', converged, 20_000);

    // Churn: update configmaps all along while the ring changes.
    let churning = true;
    let version = 0;
    const churn = (async () => {
      while (churning) {
        const i = Math.floor(Math.random() * CONFIGMAPS);
        await ok(info, 'PATCH', `/api/v1/namespaces/${namespace}/configmaps/cm-${i}`, { data: { v: String(++version) } });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // 1. kill -9 b: no release; a and c take its keys once its Lease expires on their clocks.
    children.get('b')!.kill('SIGKILL');
    await fleet.exited('b');
    appendFileSync(ledger, `${JSON.stringify({ id: 'b', event: 'killed', t: Date.now() })}\n`);
    await waitFor('a and c to take over from b', () => settledOn(['a', 'c']), 20_000);
    // b's Lease is deleted by a survivor (guarded by its resourceVersion), so d will not wait for it.
    await waitFor('b\'s Lease to be deleted', async () => ((await call(info, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${ring}-b`)).status === 404 ? true : undefined), 10_000);

    // 2. add d: a and c give up part of their ranges before d starts on them.
    start('d');
    await waitFor('a ring of a, c, d', () => settledOn(['a', 'c', 'd']), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    churning = false;
    await churn;
    await waitFor('every configmap reconciled at its latest resourceVersion', converged, 20_000);
    expect(version).toBeGreaterThan(20);

    for (const id of ['a', 'c', 'd']) children.get(id)!.kill('SIGTERM');
    await Promise.all(['a', 'c', 'd'].map((id) => fleet.exited(id)));
    for (const id of ['a', 'c', 'd']) expect(children.get(id)!.exitCode, fleet.stderr()).toBe(0);

    // The ledger, in order: a key has at most one owner at a time, and is reconciled only by its owner.
    const owner = new Map<string, string>();
    const violations: string[] = [];
    const entries = read();
    for (const [line, e] of entries.entries()) {
      if (e.event === 'start') {
        const current = owner.get(e.key!);
        if (current !== undefined && current !== e.id) violations.push(`line ${line + 1}: ${e.id} starts ${e.key} still owned by ${current}`);
        owner.set(e.key!, e.id);
      } else if (e.event === 'stop') {
        if (owner.get(e.key!) === e.id) owner.delete(e.key!);
      } else if (e.event === 'killed') {
        for (const [key, id] of [...owner]) if (id === e.id) owner.delete(key);
      } else if (e.event === 'reconciled' && owner.get(e.key!) !== e.id) {
        violations.push(`line ${line + 1}: ${e.id} reconciles ${e.key} owned by ${owner.get(e.key!) ?? 'nobody'}`);
      }
    }
    expect(violations).toEqual([]);
    // Every replica reconciled something, and keys moved: b's to a and c, then some to d.
    for (const id of ['a', 'b', 'c', 'd']) expect(entries.some((e) => e.id === id && e.event === 'reconciled')).toBe(true);
    const movedFromB = new Set(entries.filter((e) => e.id === 'b' && e.event === 'start').map((e) => e.key));
    const killedAt = entries.findIndex((e) => e.event === 'killed');
    expect(entries.slice(killedAt).some((e) => e.event === 'start' && e.id !== 'b' && movedFromB.has(e.key))).toBe(true);
    // Every replica's last assignment after SIGTERM: nothing stays started.
    expect([...owner]).toEqual([]);
  }, 110_000);
});
