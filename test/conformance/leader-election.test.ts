/**
 * Leader election against the real kube-apiserver: three candidates as separate OS processes
 * campaign on one Lease (lease 3 s, renew deadline 2 s, retry 0.5 s). Each appends its leadership
 * changes to a shared ledger; the test kills the leader with SIGKILL, then stops the next one
 * gracefully, and checks that terms never overlap and that takeovers are as fast as client-go's
 * timings allow.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { kubeLeaseClient } from '../../src/kube/lease-client.ts';
import { processFleet, readLedger, waitFor as waitForLedger } from './process-fleet.ts';

const LEASE_MS = 3000;
const RETRY_MS = 500;
/** The acquire loop waits retry × (1 + random × 1.2). */
const JITTERED_RETRY_MS = RETRY_MS * 2.2;
/** Process scheduling and HTTP round trips on a loaded 2-core machine. */
const SLACK_MS = 1000;

interface Entry {
  readonly id: string;
  readonly event: 'ready' | 'start' | 'stop';
  readonly t: number;
}

describe('leader election on the real kube-apiserver', () => {
  const fleet = processFleet('rxkube-leader-');
  const { children } = fleet;
  afterAll(() => fleet.close());

  it('keeps one leader at a time; SIGKILL → takeover within lease + retry; graceful release → takeover within a retry', async () => {
    const planes = inject('rxkubeControlPlanes');
    if (planes === undefined) throw new Error('run with the conformance project (its global-setup starts kube-apiserver)');
    const { kubeconfig, ledger } = fleet.writeKubeconfigAndLedger(planes.main.kubeconfig);
    const leaseName = `leader-${randomBytes(4).toString('hex')}`;
    const read = (): Entry[] => readLedger<Entry>(ledger);
    const waitFor = <T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> =>
      waitForLedger(what, probe, timeoutMs, { intervalMs: 25, detail: () => `ledger:\n${readFileSync(ledger, 'utf8')}\nstderr:\n${fleet.stderr()}` });

    for (const id of ['a', 'b', 'c']) fleet.start(id, 'leader-elector.ts', [kubeconfig, id, ledger, leaseName]);
    await waitFor('three candidates', () => (read().filter((e) => e.event === 'ready').length === 3 ? true : undefined), 30_000);
    const first = await waitFor('a first leader', () => read().find((e) => e.event === 'start'), 20_000);
    // Let the others see a few renewals, so they measure the lease from a recent change.
    await new Promise((resolve) => setTimeout(resolve, 2 * RETRY_MS + 500));

    // 1. SIGKILL the leader: no release; the others wait for the lease to expire on their clocks.
    children.get(first.id)!.kill('SIGKILL');
    const killedAt = Date.now();
    await fleet.exited(first.id);
    const second = await waitFor('a leader after SIGKILL', () => read().find((e) => e.event === 'start' && e.id !== first.id), 20_000);
    expect(second.t - killedAt).toBeLessThanOrEqual(LEASE_MS + JITTERED_RETRY_MS + SLACK_MS);

    // 2. SIGTERM the new leader: it stops, releases the Lease, and the last candidate takes over at its next attempt.
    await new Promise((resolve) => setTimeout(resolve, 2 * RETRY_MS));
    children.get(second.id)!.kill('SIGTERM');
    await fleet.exited(second.id);
    expect(children.get(second.id)!.exitCode).toBe(0);
    const stopped = read().find((e) => e.event === 'stop' && e.id === second.id);
    expect(stopped).toBeDefined();
    const third = await waitFor('a leader after the release', () => read().find((e) => e.event === 'start' && e.id !== first.id && e.id !== second.id), 20_000);
    expect(third.t - stopped!.t).toBeLessThanOrEqual(JITTERED_RETRY_MS + SLACK_MS);

    // 3. Stop the last one too; its release leaves the Lease as client-go's ReleaseOnCancel does.
    children.get(third.id)!.kill('SIGTERM');
    await fleet.exited(third.id);
    const kc = new KubeConfig();
    kc.loadFromString(planes.main.kubeconfig);
    const lease = await firstValueFrom(from(kubeLeaseClient(kc).get('default', leaseName, new AbortController().signal)));
    expect(lease?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 2 });

    // One leader at a time: the terms, with the killed leader's ending at the kill, never overlap.
    const entries = read();
    const terms = ['a', 'b', 'c'].flatMap((id) => {
      const mine = entries.filter((e) => e.id === id);
      const result: { id: string; start: number; stop: number }[] = [];
      for (const start of mine.filter((e) => e.event === 'start')) {
        const stop = mine.find((e) => e.event === 'stop' && e.t >= start.t)?.t ?? (id === first.id ? killedAt : Number.POSITIVE_INFINITY);
        result.push({ id, start: start.t, stop });
      }
      return result;
    });
    terms.sort((x, y) => x.start - y.start);
    expect(terms.map((term) => term.id)).toEqual([first.id, second.id, third.id]);
    for (let i = 1; i < terms.length; i++) expect(terms[i]!.start).toBeGreaterThanOrEqual(terms[i - 1]!.stop);
  });
});
