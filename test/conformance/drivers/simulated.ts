/**
 * The conformance driver for rxkube's simulated API server, configured like the real control
 * plane of the suite: namespaces must exist, configmaps bypass the "watch cache", bookmarks are
 * sent only when they advance a watch, and a second server refuses streaming lists.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import { fetchListWatch, type FetchFunction, type ResourceRef } from '../../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, type SimulatedApiServer, type SimulatedApiServerOptions } from '../../../src/testing/index.ts';
import { collection, readRawWatch, RecordingFetch, uniqueName, widgets, type Driver, type HttpResult, type Resource } from '../driver.ts';

const TOKEN = 'conformance-simulated-token';

/** The options that make the simulated server behave like the suite's kube-apiserver. */
export const SIMULATED_OPTIONS: SimulatedApiServerOptions = {
  token: TOKEN,
  requireNamespaces: true,
  uncachedResources: ['configmaps'],
  quietBookmarks: false,
  historySize: 100_000,
};

async function call(server: SimulatedApiServer, method: string, path: string, options: { body?: unknown; accept?: string; contentType?: string } = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json', authorization: `Bearer ${TOKEN}` };
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(server.url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

async function ok(server: SimulatedApiServer, method: string, path: string, body?: unknown): Promise<any> {
  const r = await call(server, method, path, { body });
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.text}`);
  return r.body;
}

const authorized: FetchFunction = (url, init) => {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${TOKEN}`);
  return fetch(url, { ...init, headers });
};

/** The simulated-server driver. */
export async function simulatedDriver(): Promise<Driver> {
  const server = await createSimulatedApiServer(SIMULATED_OPTIONS);
  const refusing = await createSimulatedApiServer({ ...SIMULATED_OPTIONS, streamingList: false });
  const recorder = new RecordingFetch(authorized);
  const refusingRecorder = new RecordingFetch(authorized);

  const newNamespace = (s: SimulatedApiServer) => async (prefix = 'conf'): Promise<string> => {
    const name = uniqueName(prefix);
    await ok(s, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  };
  const create = (s: SimulatedApiServer) => async <T extends KubeObject>(resource: Resource, obj: T): Promise<T> =>
    (await ok(s, 'POST', collection(resource, obj.metadata?.namespace), obj)) as T;

  return {
    name: 'simulated',
    tls: false,
    newNamespace: newNamespace(server),
    create: create(server),
    update: async (resource, obj) => (await ok(server, 'PUT', `${collection(resource, obj.metadata?.namespace)}/${obj.metadata?.name}`, obj)) as typeof obj,
    remove: async (resource, namespace, name) => {
      await ok(server, 'DELETE', `${collection(resource, namespace)}/${name}`);
    },
    request: (method, path, options) => call(server, method, path, options),
    watch: async (path, options = {}) => {
      const abort = new AbortController();
      const res = await fetch(server.url + path, { headers: { accept: options.accept ?? 'application/json', authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
      return readRawWatch(res, abort, options);
    },
    expireHistory: async () => {
      server.faults.compact();
    },
    restartWatches: async () => {
      server.faults.dropWatches();
    },
    disconnect: () => recorder.disconnect(),
    reconnect: () => recorder.reconnect(),
    listWatch: <T extends KubeObject>(resource: ResourceRef, options: { labelSelector?: string; fieldSelector?: string; metadataOnly?: boolean } = {}) =>
      fetchListWatch<T>({ baseUrl: server.url, resource, fetch: recorder.fetch, ...options }),
    listWatchRefusingStreaming: <T extends KubeObject>(resource: ResourceRef) => fetchListWatch<T>({ baseUrl: refusing.url, resource, fetch: refusingRecorder.fetch }),
    refusingServer: { newNamespace: newNamespace(refusing), create: create(refusing) },
    requests: recorder.requests,
    installWidgets: async () => {
      try {
        server.register({ group: widgets.group!, version: widgets.version, kind: 'Widget', plural: 'widgets', singular: 'widget', namespaced: true, shortNames: ['wdg'] });
      } catch {
        // already served
      }
    },
    kubeConfig: (user) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'sim', server: server.url, skipTLSVerify: true }],
        users: [{ name: 'u', token: user === 'token' ? TOKEN : 'not-the-token' }],
        contexts: [{ name: 'sim', cluster: 'sim', user: 'u' }],
        currentContext: 'sim',
      });
      return kc;
    },
    close: async () => {
      await Promise.all([server.close(), refusing.close()]);
    },
  };
}
