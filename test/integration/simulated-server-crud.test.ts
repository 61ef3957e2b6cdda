import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/model/errors.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';
import { getJson, pod } from './simulated-server/helpers.ts';

let server: SimulatedApiServer;
beforeEach(async () => {
  server = await createSimulatedApiServer();
});
afterEach(async () => {
  await server.close();
});

const json = (method: string, body: unknown, contentType = 'application/json'): RequestInit => ({ method, body: JSON.stringify(body), headers: { 'content-type': contentType } });

describe('simulated server: CRUD over HTTP', () => {
  it('POST creates (201) and fills uid, creationTimestamp, resourceVersion, generation, namespace from the URL', async () => {
    const { status, body } = await getJson(`${server.url}/api/v1/namespaces/team/pods`, json('POST', { metadata: { name: 'a' }, spec: {} }));
    expect(status).toBe(201);
    expect(body).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', namespace: 'team', generation: 1, resourceVersion: server.resourceVersion } });
    expect(body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Object.keys(body).slice(0, 2)).toEqual(['kind', 'apiVersion']);
  });

  it('POST of an existing name: 409 AlreadyExists', async () => {
    server.create('pods', pod('a'));
    const { status, body } = await getJson(`${server.url}/api/v1/namespaces/default/pods`, json('POST', pod('a')));
    expect(status).toBe(409);
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "a" already exists', reason: 'AlreadyExists', details: { name: 'a', kind: 'pods' }, code: 409 });
  });

  it('POST with a namespace that contradicts the URL: 400', async () => {
    const { status } = await getJson(`${server.url}/api/v1/namespaces/x/pods`, json('POST', pod('a', 'y')));
    expect(status).toBe(400);
  });

  it('generateName picks a fresh name', async () => {
    const { body } = await getJson(`${server.url}/api/v1/namespaces/default/configmaps`, json('POST', { metadata: { generateName: 'cm-' } }));
    expect(body.metadata.name).toMatch(/^cm-[0-9a-f]{5}$/);
  });

  it('GET one: 200 or 404 NotFound with the real shape (group in details for non-core)', async () => {
    server.create('pods', pod('a'));
    expect((await getJson(`${server.url}/api/v1/namespaces/default/pods/a`)).body.metadata.name).toBe('a');
    const missing = await getJson(`${server.url}/apis/apps/v1/namespaces/default/deployments/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "nope" not found', details: { name: 'nope', group: 'apps', kind: 'deployments' } });
  });

  it('PUT with a stale resourceVersion: 409 Conflict with the real message', async () => {
    const created = server.create('pods', pod('a'));
    server.update('pods', { ...created, metadata: { ...created.metadata, labels: { v: '2' } } });
    const { status, body } = await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('PUT', created));
    expect(status).toBe(409);
    expect(body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'a', kind: 'pods' },
    });
  });

  it('PUT bumps resourceVersion; generation only on spec changes; a no-op update commits nothing', async () => {
    const created = server.create('pods', pod('a'));
    const labelled = (await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('PUT', { ...created, metadata: { ...created.metadata, labels: { v: '2' } } }))).body;
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata!.resourceVersion));
    expect(labelled.metadata.generation).toBe(1);
    const respec = (await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('PUT', { ...labelled, spec: { nodeName: 'node-7' } }))).body;
    expect(respec.metadata.generation).toBe(2);
    const rv = server.resourceVersion;
    const noop = (await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('PUT', respec))).body;
    expect(noop.metadata.resourceVersion).toBe(respec.metadata.resourceVersion);
    expect(server.resourceVersion).toBe(rv);
    expect(respec.metadata.uid).toBe(created.metadata!.uid);
  });

  it('PATCH merge patch', async () => {
    server.create('pods', pod('a', 'default', { keep: 'me', drop: 'me' }));
    const { status, body } = await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('PATCH', { metadata: { labels: { drop: null, add: 'x' } } }, 'application/merge-patch+json'));
    expect(status).toBe(200);
    expect(body.metadata.labels).toEqual({ keep: 'me', add: 'x' });
    const unsupported = await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('PATCH', [], 'application/json-patch+json'));
    expect(unsupported.status).toBe(415);
  });

  it('DELETE of a pod (graceful) returns it marked for deletion; preconditions are honoured', async () => {
    const a = server.create('pods', pod('a'));
    const bad = await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, json('DELETE', { preconditions: { uid: 'other' } }));
    expect(bad.status).toBe(409);
    const { status, body } = await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, { method: 'DELETE' });
    expect(status).toBe(200);
    expect(body.metadata.uid).toBe(a.metadata!.uid);
    expect(body.metadata).toMatchObject({ generation: 2, deletionGracePeriodSeconds: 0, deletionTimestamp: expect.any(String) });
    // The mark is one revision, the removal the next.
    expect(Number(body.metadata.resourceVersion)).toBe(Number(server.resourceVersion) - 1);
    expect(server.get('pods', 'default/a')).toBeUndefined();
    expect((await getJson(`${server.url}/api/v1/namespaces/default/pods/a`, { method: 'DELETE' })).status).toBe(404);
  });

  it('DELETE of a configmap (immediate) returns a Success Status naming it', async () => {
    const c: KubeObject = server.create('configmaps', { metadata: { name: 'c', namespace: 'default' }, data: { k: 'v' } } as KubeObject);
    expect(c.metadata).not.toHaveProperty('generation');
    const { status, body } = await getJson(`${server.url}/api/v1/namespaces/default/configmaps/c`, { method: 'DELETE' });
    expect(status).toBe(200);
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'c', kind: 'configmaps', uid: c.metadata!.uid } });
  });

  it('cluster-scoped resources live outside namespaces', async () => {
    const { status } = await getJson(`${server.url}/api/v1/nodes`, json('POST', { metadata: { name: 'n1', namespace: 'ignored' } }));
    expect(status).toBe(201);
    expect(server.get('nodes', 'n1')?.metadata?.name).toBe('n1');
    expect(server.get('nodes', 'n1')!.metadata!.namespace).toBeUndefined();
    expect((await getJson(`${server.url}/api/v1/namespaces/default/nodes`)).status).toBe(404);
  });

  it('unknown paths: 404 with the real message', async () => {
    const { status, body } = await getJson(`${server.url}/api/v1/widgets`);
    expect(status).toBe(404);
    expect(body.message).toBe('the server could not find the requested resource');
  });
});

describe('simulated server: code API', () => {
  it('create/update/delete/get/list reflect the exact state and share the global revision', () => {
    const before = Number(server.resourceVersion);
    server.create('pods', pod('b'));
    server.create('deployments.apps', { metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 1 } });
    server.create('po', pod('a'));
    expect(Number(server.resourceVersion)).toBe(before + 3);
    expect(server.list('pods').items.map((p) => p.metadata?.name)).toEqual(['a', 'b']);
    expect(server.list('deployments').items).toHaveLength(1);
    server.patch('pods', 'default/a', { metadata: { labels: { x: '1' } } });
    expect(server.get('pods', 'default/a')?.metadata?.labels).toEqual({ x: '1' });
    server.delete('pods', 'default/a');
    expect(server.list('pods', 'default').items.map((p) => p.metadata?.name)).toEqual(['b']);
  });

  it('throws ApiError with the HTTP Status', () => {
    const a = server.create('pods', pod('a'));
    server.update('pods', { ...a, metadata: { ...a.metadata, labels: { v: '1' } } });
    let err: unknown;
    try {
      server.update('pods', a);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(409);
    expect((err as ApiError).reason).toBe('Conflict');
    expect(() => server.create('pods', pod('a'))).toThrow(/already exists/);
  });

  it('stored objects are frozen, so tests cannot corrupt the server by mutation', () => {
    const a = server.create('pods', pod('a'));
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.metadata)).toBe(true);
  });

  it('with requireNamespaces, creates in a missing namespace are 404 and a new cluster has its namespaces', async () => {
    const strict = await createSimulatedApiServer({ requireNamespaces: true });
    try {
      expect(strict.list('namespaces').items.map((n) => n.metadata?.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      const { status, body } = await getJson(`${strict.url}/api/v1/namespaces/nowhere/configmaps`, json('POST', { metadata: { name: 'c' } }));
      expect(status).toBe(404);
      expect(body).toMatchObject({ reason: 'NotFound', message: 'namespaces "nowhere" not found', details: { name: 'nowhere', kind: 'namespaces' } });
      expect((await getJson(`${strict.url}/api/v1/namespaces/default/configmaps`, json('POST', { metadata: { name: 'c' } }))).status).toBe(201);
    } finally {
      await strict.close();
    }
  });
});
