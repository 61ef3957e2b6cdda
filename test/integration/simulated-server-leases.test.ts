import { firstValueFrom, from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchLeaseClient } from '../../src/leader/fetch-lease-client.ts';
import type { Lease } from '../../src/leader/lease.ts';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';

describe('the simulated server serves coordination.k8s.io/v1 Leases (for leaderElection and shardRing)', () => {
  let server: SimulatedApiServer;
  beforeAll(async () => {
    server = await createSimulatedApiServer();
  });
  afterAll(() => server.close());

  it('creates, reads, updates guarded by resourceVersion, lists by label, and deletes with a resourceVersion precondition', async () => {
    const client = fetchLeaseClient({ baseUrl: server.url });
    const signal = new AbortController().signal;
    const lease = (name: string, ring: string): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'default', labels: { 'rxkube.io/ring': ring } }, spec: { holderIdentity: name, leaseDurationSeconds: 3 } });
    const a = await firstValueFrom(from(client.create(lease('a', 'one'), signal)));
    await firstValueFrom(from(client.create(lease('b', 'one'), signal)));
    await firstValueFrom(from(client.create(lease('c', 'two'), signal)));
    await expect(firstValueFrom(from(client.create(lease('a', 'one'), signal)))).rejects.toMatchObject({ code: 409 });
    expect((await firstValueFrom(from(client.get('default', 'a', signal))))?.spec?.holderIdentity).toBe('a');
    expect(await firstValueFrom(from(client.get('default', 'nope', signal)))).toBeUndefined();
    const renewed = await firstValueFrom(from(client.update({ ...a, spec: { ...a.spec, renewTime: '2026-11-30T00:00:00.000000Z' } }, signal)));
    expect(renewed.metadata?.resourceVersion).not.toBe(a.metadata?.resourceVersion);
    await expect(firstValueFrom(from(client.update(a, signal)))).rejects.toMatchObject({ code: 409 });
    const listed = await firstValueFrom(from(client.list('default', 'rxkube.io/ring=one', signal)));
    expect(listed.map((l) => l.metadata?.name).sort()).toEqual(['a', 'b']);
    await expect(firstValueFrom(from(client.delete('default', 'a', a.metadata!.resourceVersion!, signal)))).rejects.toMatchObject({ code: 409 });
    await firstValueFrom(from(client.delete('default', 'a', renewed.metadata!.resourceVersion!, signal)));
    expect(await firstValueFrom(from(client.get('default', 'a', signal)))).toBeUndefined();
    await expect(firstValueFrom(from(client.delete('default', 'a', renewed.metadata!.resourceVersion!, signal)))).rejects.toMatchObject({ code: 404 });
  });
});
