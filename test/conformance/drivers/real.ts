/**
 * The conformance driver for a real kube-apiserver (test/apiserver/harness.ts). The control
 * planes come from global-setup.ts through `inject`; when the suite runs without that
 * globalSetup, the driver starts its own (one per test file) and stops them in `close()`.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { kubeFetch } from '../../../src/kube/kube-fetch.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import { fetchListWatch, type ResourceRef } from '../../../src/sources/fetch-list-watch.ts';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../apiserver/harness.ts';
import { collection, readRawWatch, RecordingFetch, uniqueName, widgets, type Driver, type HttpResult, type Resource } from '../driver.ts';

/** What the tests need of a control plane (serialisable, for `provide`). */
export interface ControlPlaneInfo {
  readonly url: string;
  readonly token: string;
  readonly caCert: string;
  readonly kubeconfig: string;
  readonly adminUrl: string;
  readonly version: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    rxkubeControlPlanes: { main: ControlPlaneInfo; noWatchList: ControlPlaneInfo } | undefined;
  }
}

/**
 * The main control plane: configmaps bypass the watch cache, so compaction gives them 410; the
 * alpha `ShardedListAndWatch` gate is on (it only acts on requests with a `shardSelector`).
 */
export const MAIN_CONTROL_PLANE: ControlPlaneOptions = { featureGates: { ShardedListAndWatch: true }, watchCacheSizes: { configmaps: 0 } };
/** A control plane that refuses streaming lists (and, as by default in 1.36, has no sharded list and watch). */
export const NO_WATCHLIST_CONTROL_PLANE: ControlPlaneOptions = { featureGates: { WatchList: false }, watchCacheSizes: { configmaps: 0 } };

export function controlPlaneInfo(cp: ControlPlane): ControlPlaneInfo {
  return { url: cp.url, token: cp.token, caCert: cp.caCert, kubeconfig: cp.kubeconfig, adminUrl: cp.adminUrl, version: cp.version };
}

/** One HTTPS request to the control plane as its admin: the status, and the body as text and parsed JSON. */
export function call(info: ControlPlaneInfo, method: string, path: string, options: { body?: unknown; accept?: string; contentType?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json', authorization: `Bearer ${info.token}` };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const req = httpsRequest(info.url + path, { method, headers, ca: info.caCert, timeout: 60_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

/** {@link call} that fails unless the status is 2xx, and returns the parsed body; a PATCH is a JSON merge patch. */
export async function ok(info: ControlPlaneInfo, method: string, path: string, body?: unknown): Promise<any> {
  const r = await call(info, method, path, { body, ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}) });
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.text}`);
  return r.body;
}

function compact(info: ControlPlaneInfo): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${info.adminUrl}/compact`, { method: 'POST', timeout: 60_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`compact: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function kubeConfigOf(info: ControlPlaneInfo, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(token === undefined ? info.kubeconfig : info.kubeconfig.replace(`token: ${info.token}`, `token: ${token}`));
  return kc;
}

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${widgets.plural}.${widgets.group}` },
  spec: {
    group: widgets.group,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wdg'] },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

async function poll<T>(what: string, fn: () => Promise<T | undefined>, maxMs = 30_000): Promise<T> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The real-server driver. */
export async function realDriver(): Promise<Driver> {
  let owned: ControlPlane[] = [];
  let planes = inject('rxkubeControlPlanes');
  if (planes === undefined) {
    owned = await Promise.all([startControlPlane(MAIN_CONTROL_PLANE), startControlPlane(NO_WATCHLIST_CONTROL_PLANE)]);
    planes = { main: controlPlaneInfo(owned[0]!), noWatchList: controlPlaneInfo(owned[1]!) };
  }
  const main = planes.main;
  const refusing = planes.noWatchList;
  const kc = kubeConfigOf(main);
  const recorder = new RecordingFetch(kubeFetch(kc));
  const refusingRecorder = new RecordingFetch(kubeFetch(kubeConfigOf(refusing)));

  const newNamespace = (info: ControlPlaneInfo) => async (prefix = 'conf'): Promise<string> => {
    const name = uniqueName(prefix);
    await ok(info, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  };
  const create = (info: ControlPlaneInfo) => async <T extends KubeObject>(resource: Resource, obj: T): Promise<T> =>
    (await ok(info, 'POST', collection(resource, obj.metadata?.namespace), obj)) as T;

  return {
    name: 'real',
    tls: true,
    newNamespace: newNamespace(main),
    create: create(main),
    update: async (resource, obj) => (await ok(main, 'PUT', `${collection(resource, obj.metadata?.namespace)}/${obj.metadata?.name}`, obj)) as typeof obj,
    remove: async (resource, namespace, name) => {
      await ok(main, 'DELETE', `${collection(resource, namespace)}/${name}`);
    },
    request: (method, path, options) => call(main, method, path, options),
    watch: async (path, options = {}) => {
      const abort = new AbortController();
      const headers = new Headers({ Accept: options.accept ?? 'application/json' });
      const res = await kubeFetch(kc)(main.url + path, { method: 'GET', headers, signal: abort.signal });
      return readRawWatch(res, abort, options);
    },
    expireHistory: () => compact(main),
    restartWatches: async () => {
      recorder.cut();
    },
    disconnect: () => recorder.disconnect(),
    reconnect: () => recorder.reconnect(),
    listWatch: <T extends KubeObject>(resource: ResourceRef, options: { labelSelector?: string; fieldSelector?: string; metadataOnly?: boolean } = {}) =>
      fetchListWatch<T>({ baseUrl: main.url, resource, fetch: recorder.fetch, ...options }),
    listWatchRefusingStreaming: <T extends KubeObject>(resource: ResourceRef) => fetchListWatch<T>({ baseUrl: refusing.url, resource, fetch: refusingRecorder.fetch }),
    refusingServer: { newNamespace: newNamespace(refusing), create: create(refusing) },
    requests: recorder.requests,
    installWidgets: async () => {
      const r = await call(main, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: widgetCrd });
      if (r.status !== 201 && r.status !== 409) throw new Error(`creating the CRD: HTTP ${r.status}: ${r.text}`);
      await poll('the Widget CRD to be Established', async () => {
        const crd = await ok(main, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${widgetCrd.metadata.name}`);
        const established = (crd.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True');
        return established ? true : undefined;
      });
      // Established can precede the handler serving the new group for a moment.
      await poll('widgets to be served', async () => ((await call(main, 'GET', collection(widgets))).status === 200 ? true : undefined));
    },
    kubeConfig: (user) => kubeConfigOf(main, user === 'badToken' ? 'not-the-token' : undefined),
    close: async () => {
      await Promise.all(owned.map((p) => p.stop()));
      owned = [];
    },
  };
}
