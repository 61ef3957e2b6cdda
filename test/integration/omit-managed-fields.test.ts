import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { informer } from '../../src/informer/informer.ts';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

let server: SimulatedApiServer;
beforeEach(async () => {
  server = await createSimulatedApiServer();
  const rng = mulberry32(7);
  for (let i = 0; i < 30; i++) server.create('pods', generatePod(rng, i, { namespace: `ns-${i % 3}` }) as KubeObject);
});
afterEach(async () => {
  await server.close();
});

/** The object as the server holds it, without managedFields (and without the type fields, which list items lack). */
function withoutManagedFields(o: KubeObject): unknown {
  const { managedFields: _, ...metadata } = o.metadata as Record<string, unknown>;
  const { kind: _k, apiVersion: _a, ...rest } = o as KubeObject & { kind?: string; apiVersion?: string };
  return { ...rest, metadata };
}

function untyped(o: KubeObject): unknown {
  const { kind: _k, apiVersion: _a, ...rest } = o as KubeObject & { kind?: string; apiVersion?: string };
  return rest;
}

describe('omitManagedFields over HTTP', () => {
  it('lists and watches every object exactly as the server has it, minus metadata.managedFields', async () => {
    const source = fetchListWatch({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' }, omitManagedFields: true });
    const page = await firstValueFrom(source.list({ limit: 7 }));
    const firstItem = page.items[0]!;
    const first = server.get('pods', `${firstItem.metadata?.namespace ?? ''}/${firstItem.metadata?.name ?? ''}`)!;
    expect((first.metadata as Record<string, unknown>)['managedFields']).toBeDefined();
    expect(untyped(page.items[0]!)).toEqual(withoutManagedFields(first));

    const inf = informer(source, { freeze: false });
    const synced = firstValueFrom(inf.reflections$.pipe(filter((r) => r.snapshot.size === 30), take(1)));
    const snapshot = (await synced).snapshot;
    for (const [key, object] of snapshot.entries()) expect(untyped(object)).toEqual(withoutManagedFields(server.get('pods', key)!));

    const changes = firstValueFrom(inf.reflections$.pipe(filter((r) => r.deltas.some((d) => d.key === 'ns-0/changed')), take(1), toArray()));
    server.create('pods', { ...generatePod(mulberry32(9), 99, { namespace: 'ns-0' }), metadata: { ...(generatePod(mulberry32(9), 99, { namespace: 'ns-0' }) as KubeObject).metadata, name: 'changed' } } as KubeObject);
    const [reflection] = await changes;
    const added = reflection!.deltas.find((d) => d.key === 'ns-0/changed')!.object;
    expect(untyped(added)).toEqual(withoutManagedFields(server.get('pods', 'ns-0/changed')!));
  });
});
