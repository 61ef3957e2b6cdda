/**
 * Differential check: one scripted sequence of operations against the real kube-apiserver and the
 * simulated server; every list response, watch event sequence and error a client can observe
 * must agree, modulo the differences stated in `normalise`:
 *
 * - resourceVersion values (each server numbers its own revisions), uids, creationTimestamp,
 *   deletionTimestamp values, managedFields (server-side apply bookkeeping), continue-token
 *   values (only their presence is compared);
 * - JSON key order (clients must not depend on it);
 * - fields of a bookmark object other than `metadata` (kube-apiserver serialises the Go type's
 *   zero value, e.g. `spec: {}` for a Service);
 * - numbers inside error messages that quote resourceVersions;
 * - server-populated defaults of pods (spec and status defaulting): pods are compared by
 *   metadata only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collection, configmaps, pods, type Driver } from './driver.ts';
import { realDriver } from './drivers/real.ts';
import { simulatedDriver } from './drivers/simulated.ts';

const VOLATILE = new Set(['resourceVersion', 'uid', 'creationTimestamp', 'deletionTimestamp', 'managedFields']);

/** Removes the allowed differences (see the header). */
function normalise(value: unknown, ns: string, path: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, ns, path));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (path.at(-1) === 'metadata' && key === 'managedFields') continue;
      if (path.at(-1) === 'metadata' && VOLATILE.has(key)) out[key] = v === undefined ? undefined : '<volatile>';
      else if (key === 'continue' && typeof v === 'string') out[key] = v === '' ? '' : '<token>';
      else if (key === 'uid' && path.at(-1) === 'details') out[key] = '<uid>';
      else out[key] = normalise(v, ns, [...path, key]);
    }
    return out;
  }
  if (typeof value === 'string') return value.split(ns).join('<ns>').replace(/\d{2,}/g, '<n>');
  return value;
}

/** A pod reduced to what is comparable: kind, apiVersion and metadata. */
function podView(obj: any): unknown {
  return obj === undefined ? undefined : { kind: obj.kind, apiVersion: obj.apiVersion, metadata: obj.metadata };
}

/** Runs the script against one server and returns every observation, in order. */
async function script(driver: Driver): Promise<[string, unknown][]> {
  const ns = await driver.newNamespace('diff');
  const seen: [string, unknown][] = [];
  const see = (label: string, value: unknown): void => {
    seen.push([label, normalise(value, ns)]);
  };
  const cms = collection(configmaps, ns);
  const req = async (label: string, method: string, path: string, options?: { body?: unknown; accept?: string; contentType?: string }) => {
    const r = await driver.request(method, path, options);
    see(label, { status: r.status, body: r.body });
    return r;
  };
  const watch = async (label: string, query: string, options: { accept?: string; path?: string } = {}) => {
    const w = await driver.watch(`${options.path ?? cms}?${query}`, { ...options, maxMs: 8000 });
    see(label, { status: w.status, ended: w.ended, events: w.events.map((e) => (e.type === 'BOOKMARK' ? { type: e.type, metadata: e.object.metadata, kind: e.object.kind } : e)) });
    return w;
  };
  const cm = (name: string, labels: Record<string, string>, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

  const a = await req('create a', 'POST', cms, { body: cm('a', { app: 'x' }, { k: '1' }) });
  await req('create a again: 409 AlreadyExists', 'POST', cms, { body: cm('a', {}, { k: 'x' }) });
  await req('create b', 'POST', cms, { body: cm('b', { app: 'y' }, { k: '2' }) });
  await req('create c', 'POST', cms, { body: cm('c', { app: 'x' }, { k: '3' }) });
  const list = await req('list', 'GET', cms);
  const listRv = list.body.metadata.resourceVersion as string;
  await req('list limit=2', 'GET', `${cms}?limit=2`);
  await req('list limit=2 resourceVersion=0 (configmaps bypass the watch cache: paginated)', 'GET', `${cms}?limit=2&resourceVersion=0`);
  await req('list limit=2 NotOlderThan (paginated in 1.36)', 'GET', `${cms}?limit=2&resourceVersion=${listRv}&resourceVersionMatch=NotOlderThan`);
  await req('list labelSelector app=x', 'GET', `${cms}?labelSelector=app%3Dx`);
  await req('list fieldSelector metadata.name=b', 'GET', `${cms}?fieldSelector=metadata.name%3Db`);
  await req('update a with a stale resourceVersion: 409 Conflict', 'PUT', `${cms}/a`, { body: { ...cm('a', { app: 'x' }, { k: 'stale' }), metadata: { name: 'a', resourceVersion: '1' } } });
  await req('update a without resourceVersion: unconditional', 'PUT', `${cms}/a`, { body: cm('a', { app: 'x' }, { k: '1b' }) });
  void a;
  const b = await driver.request('GET', `${cms}/b`);
  await req('update b (label leaves app=x selection? no: b is app=y → app=x)', 'PUT', `${cms}/b`, { body: { ...b.body, metadata: { ...b.body.metadata, labels: { app: 'x' } } } });
  await req('delete c: Success Status', 'DELETE', `${cms}/c`);
  await req('delete c again: 404', 'DELETE', `${cms}/c`);
  await req('create d', 'POST', cms, { body: cm('d', {}, { k: '4' }) });
  await watch('watch from the list RV: replay, timeoutSeconds=1, no bookmark', `allowWatchBookmarks=true&resourceVersion=${listRv}&timeoutSeconds=1&watch=true`);
  await watch('watch from the list RV with labelSelector app=x', `labelSelector=app%3Dx&resourceVersion=${listRv}&timeoutSeconds=1&watch=true`);
  await watch('watch without RV: synthetic ADDED, no bookmark', 'timeoutSeconds=1&watch=true');
  await watch('streaming list with bookmarks: end bookmark', 'allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=1&watch=true');
  await watch('streaming list without allowWatchBookmarks: no end bookmark', 'resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=1&watch=true');
  await req('metadata-only list', 'GET', cms, { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' });
  await watch('metadata-only streaming list', 'allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=1&watch=true', { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' });
  // What an informer with fetchListWatch({ metadataOnly: true }) sends: the same media types with a JSON fallback.
  await req('metadata-only paged list (the informer\'s Accept)', 'GET', `${cms}?limit=2`, { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' });
  await watch('metadata-only watch from the list RV (the informer\'s Accept)', `allowWatchBookmarks=true&resourceVersion=${listRv}&timeoutSeconds=1&watch=true`, { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json' });

  // Errors.
  await req('get a missing object: 404', 'GET', `${cms}/missing`);
  await req('create in a namespace that does not exist: 404', 'POST', collection(configmaps, `${ns}-missing`), { body: cm('z', {}, { k: 'z' }) });
  await req('resourceVersionMatch without resourceVersion: 422', 'GET', `${cms}?resourceVersionMatch=NotOlderThan`);
  await req('Exact with resourceVersion=0: 422', 'GET', `${cms}?resourceVersion=0&resourceVersionMatch=Exact`);
  await req('unsupported field label: 400', 'GET', `${cms}?fieldSelector=data.k%3D1`);
  await req('non-numeric resourceVersion on a list: 400', 'GET', `${cms}?resourceVersion=abc`);
  await req('non-numeric resourceVersion on a watch: 500 without reason', 'GET', `${cms}?resourceVersion=abc&watch=true`);
  await req('sendInitialEvents without resourceVersionMatch: 422', 'GET', `${cms}?sendInitialEvents=true&watch=true`);
  await req('sendInitialEvents on a list: 422', 'GET', `${cms}?sendInitialEvents=true`);

  // Pods: graceful deletion.
  const podPath = collection(pods, ns);
  const created = await driver.request('POST', podPath, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'example.invalid/none' }] } } });
  see('create a pod', { status: created.status, body: podView(created.body) });
  const deleted = await driver.request('DELETE', `${podPath}/p`);
  see('delete the pod: answers the pod marked for deletion', { status: deleted.status, body: podView(deleted.body) });
  const podEvents = await driver.watch(`${podPath}?resourceVersion=${created.body.metadata.resourceVersion}&timeoutSeconds=1&watch=true`, { maxMs: 8000 });
  see('pod watch: MODIFIED (deletionTimestamp) then DELETED', podEvents.events.map((e) => ({ type: e.type, object: podView(e.object) })));

  // Compaction.
  const continued = await driver.request('GET', `${cms}?limit=1`);
  await driver.request('PUT', `${cms}/d`, { body: cm('d', {}, { k: '5' }) });
  await driver.expireHistory();
  await req('Exact list at a compacted resourceVersion: 410', 'GET', `${cms}?resourceVersion=${listRv}&resourceVersionMatch=Exact`);
  await req('continue token from before the compaction: 410 with a fresh token', 'GET', `${cms}?continue=${encodeURIComponent(continued.body.metadata.continue as string)}&limit=1`);
  await watch('watch from a compacted resourceVersion: one ERROR 410 event', `resourceVersion=${listRv}&timeoutSeconds=1&watch=true`);
  return seen;
}

describe('differential: the simulated server answers like kube-apiserver', () => {
  let real: Driver;
  let simulated: Driver;
  beforeAll(async () => {
    [real, simulated] = await Promise.all([realDriver(), simulatedDriver()]);
  });
  afterAll(async () => {
    await Promise.all([real?.close(), simulated?.close()]);
  });

  it('every list, watch and error of the script agrees', async () => {
    const [fromReal, fromSimulated] = await Promise.all([script(real), script(simulated)]);
    expect(fromSimulated.map(([label]) => label)).toEqual(fromReal.map(([label]) => label));
    const differences = fromReal.flatMap(([step, observed], i) => {
      const simulatedObserved = fromSimulated[i]![1];
      return JSON.stringify(simulatedObserved) === JSON.stringify(observed) ? [] : [{ step, real: observed, simulated: simulatedObserved }];
    });
    expect(differences).toEqual([]);
  });
});
