/**
 * Type tests (checked by `npm run typecheck`, which covers test/) with a runtime half: typed
 * index names, typed informer caches, the metadata fields pipelines use, and client-node's
 * models as the object type.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, filter, from, map, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchListWatch,
  informer,
  informerCache,
  joinWith,
  reflect,
  withIndex,
  toExternalStore,
  type Informer,
  type KubeObject,
  type ListWatchEvent,
  type ObjectMeta,
  type Snapshot,
} from '../../src/index.ts';
import { createSimulatedApiServer, generateNode, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

describe('typed index names', () => {
  it('informer(…, { indexes }) types byIndex, indexKeys and indexValues by the names given', () => {
    const pods = informer(fetchListWatch<V1Pod>({ baseUrl: 'http://127.0.0.1:1', resource: { version: 'v1', plural: 'pods' } }), {
      indexes: { node: (pod) => pod.spec?.nodeName, phase: (pod) => pod.status?.phase },
    });
    const use = (s: Snapshot<V1Pod, 'node' | 'phase'>): void => {
      s.byIndex('node', 'node-1');
      s.indexKeys('phase', 'Running');
      // @ts-expect-error: 'nodee' is not one of the informer's indexes
      s.byIndex('nodee', 'node-1');
      // @ts-expect-error: nor in indexValues
      s.indexValues('namespace');
    };
    const snapshot = pods.getSnapshot();
    if (snapshot !== undefined) use(snapshot);
    // @ts-expect-error: the informer's snapshots answer only 'node' and 'phase'
    pods.snapshot$.pipe(map((s) => s.byIndex('nodee', 'x')));
    expect(snapshot).toBeUndefined();
  });

  it('withIndex after reflect adds each name; several compose', async () => {
    const build = (events$: Observable<ListWatchEvent<V1Pod>>) =>
      events$.pipe(
        reflect(),
        withIndex('node', (pod: V1Pod) => pod.spec?.nodeName),
        withIndex('app', (pod: V1Pod) => pod.metadata?.labels?.['app']),
        map(({ snapshot }) => {
          // @ts-expect-error: 'nodee' was never added (at run time: UnknownIndexError)
          const typo = () => snapshot.byIndex('nodee', 'x');
          return [snapshot.byIndex('node', 'node-1').length + snapshot.byIndex('app', 'web').length, typo] as const;
        }),
      );
    const pod = (name: string, nodeName: string, app: string): V1Pod => ({ metadata: { name, namespace: 'ns', resourceVersion: '1', labels: { app } }, spec: { nodeName, containers: [] } });
    const events: ListWatchEvent<V1Pod>[] = [
      { type: 'LIST_START', reason: 'initial', mode: 'list' },
      { type: 'LIST_PAGE', items: [pod('a', 'node-1', 'web'), pod('b', 'node-2', 'web'), pod('c', 'node-1', 'db')] },
      { type: 'LIST_DONE', resourceVersion: '1' },
    ];
    const [count, typo] = await firstValueFrom(build(from(events)));
    expect(count).toBe(2 + 2);
    expect(typo).toThrow('index "nodee" does not exist');
  });
});

// Type positions only: declared, never called at run time.
declare const useSnapshot: typeof import('../../src/react/index.ts').useSnapshot;
declare const useSelector: typeof import('../../src/react/index.ts').useSelector;
declare const snapshotSignal: typeof import('../../src/angular/index.ts').snapshotSignal;
declare const selectSignal: typeof import('../../src/angular/index.ts').selectSignal;

// useSnapshot, useSelector, snapshotSignal, selectSignal and toExternalStore keep the index names:
// a compile-time check only (npm run typecheck), so it is no vitest test, which could not fail.
export const uiBindingsKeepIndexNames = (pods: Informer<V1Pod, 'node'>): void => {
  useSnapshot(pods)?.byIndex('node', 'node-1');
  // @ts-expect-error: not an index of pods
  useSnapshot(pods)?.byIndex('nodee', 'node-1');
  useSelector(pods, (s) => s.byIndex('node', 'node-1').length);
  // @ts-expect-error: not an index of pods
  useSelector(pods, (s) => s.byIndex('nodee', 'node-1').length);
  snapshotSignal(pods)()?.indexValues('node');
  // @ts-expect-error: not an index of pods
  snapshotSignal(pods)()?.indexValues('nodee');
  selectSignal(pods, (s) => s.indexKeys('node', 'node-1'));
  // @ts-expect-error: not an index of pods
  selectSignal(pods, (s) => s.indexKeys('nodee', 'node-1'));
  toExternalStore(pods).getSnapshot()?.byIndex('node', 'node-1');
  // @ts-expect-error: not an index of pods
  toExternalStore(pods).getSnapshot()?.byIndex('nodee', 'node-1');
};

describe('typed informer caches', () => {
  it('types each informer by its resource, without casts, and rejects unknown resources', () => {
    const cache = informerCache<{ pods: V1Pod; nodes: V1Node }>((ref) =>
      fetchListWatch({ baseUrl: 'http://127.0.0.1:1', resource: { version: 'v1', plural: ref.resource, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) } }));
    const pods = cache.informer({ resource: 'pods', namespace: 'shop' });
    const nodes = cache.informer({ resource: 'nodes' });
    const podName: (s: Snapshot<V1Pod>) => string | undefined = (s) => [...s.values()][0]?.spec?.nodeName;
    const nodeCidr: (s: Snapshot<V1Node>) => string | undefined = (s) => [...s.values()][0]?.spec?.podCIDR;
    pods.snapshot$.pipe(map(podName));
    nodes.snapshot$.pipe(map(nodeCidr));
    // @ts-expect-error: the cache serves pods and nodes only
    cache.informer({ resource: 'nodez' });
    // @ts-expect-error: a pods informer holds pods, not nodes
    nodes.snapshot$.pipe(map(podName));
    expect(cache.informer({ resource: 'pods', namespace: 'shop' })).toBe(pods);
  });
});

describe('ObjectMeta', () => {
  it('has the fields owner joins and finalizer logic read', () => {
    const meta: ObjectMeta = {
      name: 'web-0',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9', uid: 'u-1', controller: true }],
      finalizers: ['example.com/cleanup'],
      creationTimestamp: '2026-11-30T12:00:00Z',
      deletionTimestamp: '2026-11-30T12:05:00Z',
    };
    const owner = meta.ownerReferences?.find((o) => o.controller)?.uid;
    const terminating = meta.deletionTimestamp !== undefined && (meta.finalizers?.length ?? 0) > 0;
    expect([owner, terminating, new Date(meta.creationTimestamp ?? 0).getUTCHours()]).toEqual(['u-1', true, 12]);
  });
});

describe('client-node models as the object type', () => {
  let server: SimulatedApiServer;
  beforeAll(async () => {
    server = await createSimulatedApiServer();
    const rng = mulberry32(11);
    for (let i = 0; i < 3; i++) server.create('nodes', generateNode(rng, i));
    for (let i = 0; i < 30; i++) server.create('pods', generatePod(rng, i, { nodeCount: 3 }));
  });
  afterAll(() => server.close());

  it('an Informer<V1Pod> with a V1Pod index and a join to V1Node, against a server', async () => {
    const pods = informer(fetchListWatch<V1Pod>({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' } }), {
      indexes: { node: (pod) => pod.spec?.nodeName },
    });
    const nodes = informer(fetchListWatch<V1Node>({ baseUrl: server.url, resource: { version: 'v1', plural: 'nodes' } }));
    const joined$ = pods.reflections$.pipe(
      joinWith(nodes.reflections$, { leftKey: (pod: V1Pod) => pod.spec?.nodeName, rightKey: (node: V1Node) => node.metadata?.name }),
    );
    const [snapshot, joined] = await Promise.all([
      firstValueFrom(pods.snapshot$.pipe(filter((s) => s.size === 30))),
      firstValueFrom(joined$.pipe(filter((r) => r.snapshot.size === 30 && [...r.snapshot.values()].every((j) => j.right.length === 1)))),
    ]);
    const onNode1 = snapshot.byIndex('node', 'node-1');
    expect(onNode1.length).toBeGreaterThan(0);
    for (const pod of onNode1) expect(pod.spec?.nodeName).toBe('node-1');
    // Wire JSON, not client-node's deserialised classes: timestamps stay strings at run time.
    expect(typeof (snapshot.values().next().value as KubeObject).metadata?.creationTimestamp).toBe('string');
    const first = [...joined.snapshot.values()][0];
    expect(first?.right[0]?.metadata?.name).toBe(first?.left.spec?.nodeName);
  });
});
