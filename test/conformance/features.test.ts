/**
 * Conformance of streaming lists, selectors, namespaces, custom resources, metadata-only mode and
 * authentication, against the real kube-apiserver and the simulated server alike.
 */
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import { ApiError } from '../../src/model/errors.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { collection, configmaps, pods, widgets, type Driver } from './driver.ts';
import { realDriver } from './drivers/real.ts';
import { simulatedDriver } from './drivers/simulated.ts';
import { contents, listContents, runLoop, waitFor } from './loop.ts';

const drivers: [string, () => Promise<Driver>][] = [
  ['real kube-apiserver', realDriver],
  ['simulated server', simulatedDriver],
];

const cm = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels },
  data: { v: name },
});

const pod = (namespace: string, name: string, labels: Record<string, string>, nodeName: string): KubeObject & { spec: unknown } => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { nodeName, containers: [{ name: 'c', image: 'example.invalid/none' }] },
});

const keys = (loop: { snapshot(): { keys(): IterableIterator<string> } | undefined }) => [...(loop.snapshot()?.keys() ?? [])].sort();

describe.each(drivers)('conformance: %s', (_name, makeDriver) => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await makeDriver();
  });
  afterAll(async () => {
    await driver?.close();
  });

  it('streaming list: ADDED events then the initial-events-end bookmark make the first snapshot; live changes follow', async () => {
    const ns = await driver.newNamespace('stream');
    for (const n of ['a', 'b', 'c']) await driver.create(configmaps, cm(ns, n));
    const before = driver.requests.length;
    const loop = runLoop(driver.listWatch({ ...configmaps, namespace: ns }), { initialList: 'stream' });
    try {
      await waitFor('the initial list', () => loop.events.some((e) => e.type === 'LIST_DONE'));
      expect(loop.events.map((e) => e.type).slice(0, 6)).toEqual(['LIST_START', 'ADDED', 'ADDED', 'ADDED', 'LIST_DONE', 'WATCH_START']);
      expect(loop.events[0]).toEqual({ type: 'LIST_START', reason: 'initial', mode: 'stream' });
      const path = collection(configmaps, ns);
      expect(driver.requests.slice(before)[0]).toMatch(new RegExp(`^${path}\\?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=\\d+&watch=true$`));
      expect(keys(loop)).toEqual([`${ns}/a`, `${ns}/b`, `${ns}/c`]);
      await driver.create(configmaps, cm(ns, 'd'));
      await waitFor('the live change', () => loop.snapshot()?.has(`${ns}/d`) === true);
      const server = await driver.request('GET', path);
      expect(contents(loop.snapshot())).toEqual(listContents(server.body.items));
    } finally {
      loop.stop();
    }
  });

  it('streaming list refused by the server (WatchList off: 422) falls back to list + watch', async () => {
    const ns = await driver.refusingServer.newNamespace('refused');
    for (const n of ['a', 'b']) await driver.refusingServer.create(configmaps, cm(ns, n));
    const lw = driver.listWatchRefusingStreaming({ ...configmaps, namespace: ns });
    const refusal = await lastValueFrom(lw.watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, timeoutSeconds: 5 }).pipe(toArray())).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
      message: 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
      details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled', field: 'sendInitialEvents' }] },
    });
    const loop = runLoop(lw, { initialList: 'stream' });
    try {
      await waitFor('the fallback list', () => loop.events.some((e) => e.type === 'LIST_DONE'));
      const starts = loop.events.filter((e) => e.type === 'LIST_START');
      expect(starts).toEqual([{ type: 'LIST_START', reason: 'initial', mode: 'stream' }, { type: 'LIST_START', reason: 'streamingFallback', mode: 'list' }]);
      expect(keys(loop)).toEqual([`${ns}/a`, `${ns}/b`]);
    } finally {
      loop.stop();
    }
  });

  it('label and field selectors apply to the list and the watch, in one namespace and across all namespaces', async () => {
    const one = await driver.newNamespace('sel');
    const two = await driver.newNamespace('sel');
    const run = `r${Date.now().toString(36)}`;
    await driver.create(pods, pod(one, 'web-1', { run, app: 'web', tier: 'a' }, 'node-1'));
    await driver.create(pods, pod(one, 'web-2', { run, app: 'web', tier: 'b' }, 'node-2'));
    await driver.create(pods, pod(one, 'db-1', { run, app: 'db', tier: 'a' }, 'node-1'));
    await driver.create(pods, pod(two, 'web-3', { run, app: 'web', tier: 'a' }, 'node-1'));
    const labelSelector = `run=${run},app=web,tier in (a,b)`;
    const fieldSelector = 'spec.nodeName=node-1';
    const inOne = runLoop(driver.listWatch({ ...pods, namespace: one }, { labelSelector, fieldSelector }));
    const everywhere = runLoop(driver.listWatch(pods, { labelSelector, fieldSelector }));
    try {
      await waitFor('both lists', () => [inOne, everywhere].every((l) => l.events.some((e) => e.type === 'WATCH_START')));
      expect(keys(inOne)).toEqual([`${one}/web-1`]);
      expect(keys(everywhere)).toEqual([`${one}/web-1`, `${two}/web-3`]);
      const sent = driver.requests.filter((r) => r.includes(`run%3D${run}`));
      expect(sent.every((r) => r.includes('fieldSelector=spec.nodeName%3Dnode-1') && r.includes(`labelSelector=run%3D${run}%2Capp%3Dweb%2Ctier+in+%28a%2Cb%29`))).toBe(true);
      expect(sent.some((r) => r.includes('watch=true'))).toBe(true);
      // A label change moves objects in and out of the selection: DELETED / ADDED on the watch.
      const db = await driver.request('GET', `${collection(pods, one)}/db-1`);
      await driver.update(pods, { ...db.body, metadata: { ...db.body.metadata, labels: { run, app: 'web', tier: 'b' } } });
      const web3 = await driver.request('GET', `${collection(pods, two)}/web-3`);
      await driver.update(pods, { ...web3.body, metadata: { ...web3.body.metadata, labels: { run, app: 'other' } } });
      await waitFor('the selection change', () => keys(everywhere).join() === [`${one}/db-1`, `${one}/web-1`].join() && keys(inOne).length === 2);
      expect(keys(inOne)).toEqual([`${one}/db-1`, `${one}/web-1`]);
      const changes = everywhere.deltas.slice(2).map((d) => `${d.type} ${d.key}`);
      expect(changes).toEqual([`added ${one}/db-1`, `deleted ${two}/web-3`]);
    } finally {
      inOne.stop();
      everywhere.stop();
    }
  });

  it('a custom resource: list, watch, and metadata-only mode (PartialObjectMetadata)', async () => {
    await driver.installWidgets();
    const ns = await driver.newNamespace('crd');
    const widget = (name: string, size: number) => ({ apiVersion: `${widgets.group}/${widgets.version}`, kind: 'Widget', metadata: { name, namespace: ns, labels: { shape: 'round' } }, spec: { size } });
    await driver.create(widgets, widget('w1', 1));
    const full = runLoop(driver.listWatch({ ...widgets, namespace: ns }));
    const meta = runLoop(driver.listWatch({ ...widgets, namespace: ns }, { metadataOnly: true }));
    try {
      await waitFor('both lists', () => [full, meta].every((l) => l.events.some((e) => e.type === 'WATCH_START')));
      await driver.create(widgets, widget('w2', 2));
      await waitFor('the new widget', () => [full, meta].every((l) => l.snapshot()?.has(`${ns}/w2`) === true));
      const w2 = full.snapshot()?.get(`${ns}/w2`) as KubeObject & { spec?: unknown };
      expect(w2).toMatchObject({ apiVersion: `${widgets.group}/v1`, kind: 'Widget', spec: { size: 2 }, metadata: { name: 'w2', generation: 1 } });
      const listed = full.events.find((e) => e.type === 'LIST_PAGE');
      expect(listed?.type === 'LIST_PAGE' ? listed.items[0] : undefined).toMatchObject({ apiVersion: `${widgets.group}/v1`, kind: 'Widget' });
      for (const key of [`${ns}/w1`, `${ns}/w2`]) {
        const m = meta.snapshot()?.get(key) as KubeObject & Record<string, unknown>;
        expect(Object.keys(m).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
        expect(m).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { labels: { shape: 'round' } } });
      }
    } finally {
      full.stop();
      meta.stop();
    }
  });

  it('authenticates with a bearer token from a kubeconfig; a wrong token is a 401 ApiError', async () => {
    const ns = await driver.newNamespace('auth');
    await driver.create(configmaps, cm(ns, 'a'));
    const good = await firstValueFrom(kubeListWatch(driver.kubeConfig('token'), 'configmaps', { namespace: ns }).list({}));
    expect(good.items.map((i) => i.metadata?.name)).toEqual(['a']);
    const bad = await firstValueFrom(kubeListWatch(driver.kubeConfig('badToken'), { version: 'v1', plural: 'configmaps', namespace: ns }).list({})).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ApiError);
    expect((bad as ApiError).status).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });
});

// TLS exists only on the real server: the simulated one is plain HTTP.
describe('conformance, real kube-apiserver only: TLS client certificates and CAs', () => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await realDriver();
  });
  afterAll(async () => {
    await driver?.close();
  });

  it('authenticates with the kubeconfig client-certificate context', async () => {
    const ns = await driver.newNamespace('cert');
    await driver.create(configmaps, cm(ns, 'a'));
    const kc = driver.kubeConfig('token');
    kc.setCurrentContext('rxkube-test-cert');
    expect(kc.getCurrentUser()?.token).toBeUndefined();
    const page = await firstValueFrom(kubeListWatch(kc, 'configmaps', { namespace: ns }).list({}));
    expect(page.items.map((i) => i.metadata?.name)).toEqual(['a']);
  });

  it('a kubeconfig with the wrong CA fails with a clear TLS error', async () => {
    const kc = driver.kubeConfig('token');
    const cluster = kc.getCurrentCluster()!;
    const { execFileSync } = await import('node:child_process');
    const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '/dev/null', '-days', '1', '-subj', '/CN=not-the-cluster-ca'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    kc.clusters = kc.clusters.map((c) => (c.name === cluster.name ? { ...c, caData: Buffer.from(pem).toString('base64') } : c));
    const error = await firstValueFrom(kubeListWatch(kc, { version: 'v1', plural: 'configmaps' }).list({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^TLS: https:\/\/127\.0\.0\.1:\d+ presented a certificate the kubeconfig does not trust \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
    expect((error as Error).message).not.toContain(driver.kubeConfig('token').getCurrentUser()?.token ?? '\u0000');
  });
});
