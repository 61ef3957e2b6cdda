import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/model/errors.ts';
import { kubeFetch, kubeListWatch, resolveResource, ResourceNotFoundError } from '../../src/kube/index.ts';
import { readBodyText } from '../../src/sources/response-body.ts';

const TOKEN = 'kube-s3cr3t-token-value';

let dir: string;
let pem: { ca: string; otherCa: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string };
let server: https.Server;
let baseUrl: string;
/** `path?query` of every request since the last reset. */
let urls: string[];
let requests: http.IncomingMessage[];
/** The client certificate's CN of every request, if one was presented. */
let peerNames: (string | undefined)[];
const openSockets = new Set<Socket>();

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makePki(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rxkube-test-ca');
  openssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.crt', '-days', '2', '-subj', '/CN=rxkube-other-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=alice/O=rxkube');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2', '-extfile', 'client.ext');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  pem = { ca: read('ca.crt'), otherCa: read('other.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig for the test server; `cluster` and `user` override the defaults (CA data + token). */
function kubeConfig(cluster: Record<string, unknown> = {}, user: Record<string, unknown> = { token: TOKEN }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: baseUrl, 'certificate-authority-data': b64(pem.ca), ...cluster } }],
      users: [{ name: 'tester', user }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'tester' } }],
      'current-context': 'test',
    }),
  );
  return kc;
}

const resource = (name: string, kind: string, namespaced: boolean, extra: Record<string, unknown> = {}) => ({
  name,
  singularName: '',
  namespaced,
  kind,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  ...extra,
});

const discovery: Record<string, unknown> = {
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      resource('bindings', 'Binding', true, { verbs: ['create'] }),
      resource('namespaces', 'Namespace', false, { shortNames: ['ns'] }),
      resource('nodes', 'Node', false, { shortNames: ['no'] }),
      resource('pods', 'Pod', true, { singularName: 'pod', shortNames: ['po'] }),
      resource('pods/log', 'Pod', true, { verbs: ['get'] }),
    ],
  },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
      { name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }], preferredVersion: { groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' } },
      {
        name: 'example.com',
        versions: [
          { groupVersion: 'example.com/v2', version: 'v2' },
          { groupVersion: 'example.com/v1', version: 'v1' },
        ],
        preferredVersion: { groupVersion: 'example.com/v2', version: 'v2' },
      },
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    groupVersion: 'apps/v1',
    resources: [resource('deployments', 'Deployment', true, { singularName: 'deployment', shortNames: ['deploy'] }), resource('deployments/scale', 'Scale', true)],
  },
  '/apis/example.com/v2': { kind: 'APIResourceList', groupVersion: 'example.com/v2', resources: [resource('widgets', 'Widget', true, { singularName: 'widget' })] },
  '/apis/example.com/v1': { kind: 'APIResourceList', groupVersion: 'example.com/v1', resources: [resource('widgets', 'Widget', true, { singularName: 'widget' })] },
};

const pod = (name: string, rv: string) => ({ metadata: { name, namespace: 'default', resourceVersion: rv } });

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  const send = (code: number, body: unknown) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.headers.authorization === 'Bearer revoked') {
    send(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    return;
  }
  if (url.pathname === '/apis/metrics.k8s.io/v1beta1') {
    send(503, { kind: 'Status', status: 'Failure', message: 'service unavailable', reason: 'ServiceUnavailable', code: 503 });
    return;
  }
  const document = discovery[url.pathname];
  if (document !== undefined) {
    send(200, document);
    return;
  }
  if (url.searchParams.get('watch') === 'true') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: pod('a', '5') })}\n`);
    if (url.searchParams.get('timeoutSeconds') === '1') res.end(`${JSON.stringify({ type: 'MODIFIED', object: pod('a', '6') })}\n`);
    return;
  }
  if (/^\/(api\/v1|apis\/[^/]+\/[^/]+)\/(namespaces\/[^/]+\/)?[a-z]+$/.test(url.pathname)) {
    send(200, { metadata: { resourceVersion: '10' }, items: [pod('a', '5')] });
    return;
  }
  send(404, { kind: 'Status', status: 'Failure', message: `the server could not find the requested resource`, reason: 'NotFound', code: 404 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxkube-kube-'));
  makePki();
  server = https.createServer({ key: pem.serverKey, cert: pem.serverCert, ca: [pem.ca], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    urls.push(req.url ?? '');
    requests.push(req);
    const cn = (req.socket as TLSSocket).getPeerCertificate()?.subject?.CN;
    peerNames.push(Array.isArray(cn) ? cn[0] : cn);
    handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  urls = [];
  requests = [];
  peerNames = [];
});

function errorOf(observable: { subscribe(o: { error(e: unknown): void; complete(): void }): unknown }): Promise<unknown> {
  return new Promise((resolve, reject) => observable.subscribe({ error: resolve, complete: () => reject(new Error('completed instead of failing')) }));
}

function expectNoToken(error: unknown): void {
  const e = error as Error & { cause?: unknown };
  const text = [e.message, e.stack, String(e.cause), JSON.stringify((e as { status?: unknown }).status ?? null)].join('\n');
  expect(text).not.toContain(TOKEN);
}

describe('kubeListWatch: authentication and TLS', () => {
  it('lists over HTTPS with the kubeconfig\'s CA and bearer token, without discovery for a ResourceRef', async () => {
    const lw = kubeListWatch(kubeConfig(), { version: 'v1', plural: 'pods' }, { namespace: 'default', labelSelector: 'app=web' });
    const page = await lastValueFrom(lw.list({ limit: 500 }));
    expect(page.items.map((p) => p.metadata?.name)).toEqual(['a']);
    expect(urls).toEqual(['/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=500']);
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('streams a watch over HTTPS until the server ends it', async () => {
    const lw = kubeListWatch(kubeConfig(), { version: 'v1', plural: 'pods' });
    const events = await lastValueFrom(lw.watch({ resourceVersion: '4', timeoutSeconds: 1 }).pipe(toArray()));
    expect(events.map((e) => [e.type, e.object.metadata?.resourceVersion])).toEqual([
      ['ADDED', '5'],
      ['MODIFIED', '6'],
    ]);
    expect(urls).toEqual(['/api/v1/pods?resourceVersion=4&timeoutSeconds=1&watch=true']);
  });

  it('closes the TLS connection when the watch is unsubscribed', async () => {
    const lw = kubeListWatch(kubeConfig(), { version: 'v1', plural: 'pods' });
    const first = await firstValueFrom(lw.watch({ resourceVersion: '4' }));
    expect(first.type).toBe('ADDED');
    await vi.waitFor(() => expect(openSockets.size).toBe(0));
  });

  it('presents the kubeconfig\'s client certificate', async () => {
    const kc = kubeConfig({}, { 'client-certificate-data': b64(pem.clientCert), 'client-key-data': b64(pem.clientKey) });
    await lastValueFrom(kubeListWatch(kc, { version: 'v1', plural: 'pods' }).list({}));
    expect(peerNames).toEqual(['alice']);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.authorization).toBeUndefined();
  });

  it('takes the token from an exec credential plugin', async () => {
    const script = join(dir, 'credential.sh');
    writeFileSync(
      script,
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}'\n`,
    );
    chmodSync(script, 0o755);
    const kc = kubeConfig({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script, interactiveMode: 'Never' } });
    await lastValueFrom(kubeListWatch(kc, { version: 'v1', plural: 'pods' }).list({}));
    expect(requests[0]?.headers.authorization).toBe('Bearer exec-token');
  });

  it('fails with a clear TLS error, without the token, when the CA does not match', async () => {
    const kc = kubeConfig({ 'certificate-authority-data': b64(pem.otherCa) });
    const error = (await errorOf(kubeListWatch(kc, { version: 'v1', plural: 'pods' }).list({}))) as Error & { code?: string };
    expect(error.message).toMatch(/^TLS: https:\/\/127\.0\.0\.1:\d+ presented a certificate the kubeconfig does not trust/);
    expect(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']).toContain(error.code);
    expect(error.cause).toBeInstanceOf(Error);
    expect(urls).toEqual([]);
    expectNoToken(error);
  });

  it('does not skip verification unless insecure-skip-tls-verify is set', async () => {
    const strict = kubeConfig({ 'certificate-authority-data': undefined });
    expect(await errorOf(kubeListWatch(strict, { version: 'v1', plural: 'pods' }).list({}))).toMatchObject({ message: expect.stringMatching(/^TLS: /) });
    const insecure = kubeConfig({ 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true });
    const page = await lastValueFrom(kubeListWatch(insecure, { version: 'v1', plural: 'pods' }).list({}));
    expect(page.metadata.resourceVersion).toBe('10');
  });

  it('turns a 401 into an ApiError that does not mention the token', async () => {
    const error = await errorOf(kubeListWatch(kubeConfig({}, { token: 'revoked' }), { version: 'v1', plural: 'pods' }).list({}));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 401, reason: 'Unauthorized' });
    expect((error as Error).message).not.toContain('revoked');
  });

  it('kubeFetch answers with the response body as an async iterable of chunks', async () => {
    const response = await kubeFetch(kubeConfig())(`${baseUrl}/api/v1/pods?watch=true&timeoutSeconds=1`, {
      method: 'GET',
      headers: new Headers({ Accept: 'application/json' }),
      signal: new AbortController().signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(typeof (response.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]).toBe('function');
    expect((await readBodyText(response.body)).trim().split('\n')).toHaveLength(2);
  });
});

describe('resolveResource and kubeListWatch by name', () => {
  it.each([
    ['pods', { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true }],
    ['po', { group: '', version: 'v1', plural: 'pods' }],
    ['Pod', { group: '', version: 'v1', plural: 'pods' }],
    ['v1/pods', { group: '', version: 'v1', plural: 'pods' }],
    ['nodes', { group: '', plural: 'nodes', namespaced: false }],
    ['deployments.apps', { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true }],
    ['Deployment', { group: 'apps', version: 'v1', plural: 'deployments' }],
    ['deploy', { group: 'apps', plural: 'deployments' }],
    ['apps/v1/deployments', { group: 'apps', plural: 'deployments' }],
    ['deployments.v1.apps', { group: 'apps', version: 'v1', plural: 'deployments' }],
    ['widgets.example.com', { group: 'example.com', version: 'v2', plural: 'widgets' }],
    ['widgets.v1.example.com', { group: 'example.com', version: 'v1', plural: 'widgets' }],
    ['widget', { group: 'example.com', version: 'v2', plural: 'widgets', kind: 'Widget' }],
  ])('resolves %s', async (name, expected) => {
    expect(await resolveResource(kubeConfig(), name)).toMatchObject(expected);
  });

  it('fetches only the discovery documents a name needs, once per kubeconfig', async () => {
    const kc = kubeConfig();
    await resolveResource(kc, 'pods');
    await resolveResource(kc, 'po');
    expect(urls).toEqual(['/api/v1']);
    await resolveResource(kc, 'deployments.apps');
    await resolveResource(kc, 'deploy');
    expect(urls).toEqual(['/api/v1', '/apis', '/apis/apps/v1', '/apis/metrics.k8s.io/v1beta1', '/apis/example.com/v2']);
    await Promise.all([resolveResource(kc, 'Deployment'), resolveResource(kc, 'widgets'), resolveResource(kc, 'Pod')]);
    // Only the failing metrics group is asked again: failures are not cached.
    expect(urls.slice(5)).toEqual(['/apis/metrics.k8s.io/v1beta1']);
    expect(urls.filter((u) => u === '/apis')).toHaveLength(1);
  });

  it('does not share discovery between kubeconfigs', async () => {
    await resolveResource(kubeConfig(), 'pods');
    await resolveResource(kubeConfig(), 'pods');
    expect(urls).toEqual(['/api/v1', '/api/v1']);
  });

  it('lists a resource named like kubectl, in a namespace, with one discovery request for several subscriptions', async () => {
    const kc = kubeConfig();
    const lw = kubeListWatch(kc, 'deployments.apps', { namespace: 'default', fieldSelector: 'metadata.name=a' });
    await lastValueFrom(lw.list({}));
    await lastValueFrom(lw.list({ limit: 1 }));
    await lastValueFrom(kubeListWatch(kc, 'Deployment').list({}));
    expect(urls.filter((u) => !u.startsWith('/apis/metrics') && !u.startsWith('/apis/example.com'))).toEqual([
      '/apis',
      '/apis/apps/v1',
      '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Da',
      '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Da&limit=1',
      '/api/v1',
      '/apis/apps/v1/deployments',
    ]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('rejects an unknown name with ResourceNotFoundError after refreshing cached discovery once', async () => {
    const kc = kubeConfig();
    await resolveResource(kc, 'pods');
    const error = await resolveResource(kc, 'gizmos').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as ResourceNotFoundError).resource).toBe('gizmos');
    // 'pods' fetched /api/v1; the miss searched everything, then refreshed everything once.
    expect(urls.filter((u) => u === '/api/v1')).toHaveLength(2);
    expect(urls.filter((u) => u === '/apis')).toHaveLength(2);
    expectNoToken(error);
  });

  it('rejects a name qualified with a group that does not exist', async () => {
    await expect(resolveResource(kubeConfig(), 'pods.nope.io')).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('surfaces the ApiError of a group the name is qualified with', async () => {
    const error = await resolveResource(kubeConfig(), 'pods.metrics.k8s.io').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', code: 503 });
  });

  it('errors the request, not the call, for an unknown name, and retries resolution on the next subscription', async () => {
    const kc = kubeConfig();
    const lw = kubeListWatch(kc, 'gizmos');
    expect(await errorOf(lw.list({}))).toBeInstanceOf(ResourceNotFoundError);
    const before = urls.length;
    expect(await errorOf(lw.watch({}))).toBeInstanceOf(ResourceNotFoundError);
    expect(urls.length).toBeGreaterThan(before);
  });

  it('refuses a namespace for a cluster-scoped resource and a resource that cannot be watched', async () => {
    expect(await errorOf(kubeListWatch(kubeConfig(), 'nodes', { namespace: 'default' }).list({}))).toMatchObject({
      message: 'nodes is cluster-scoped; remove the namespace option',
    });
    expect(await errorOf(kubeListWatch(kubeConfig(), 'bindings').watch({}))).toMatchObject({ message: expect.stringContaining('cannot be listed and watched') });
  });
});
