import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/model/errors.ts';
import { fetchLeaseClient } from '../../../src/leader/fetch-lease-client.ts';
import type { Lease } from '../../../src/leader/lease.ts';
import type { FetchFunction } from '../../../src/sources/fetch-list-watch.ts';

interface Sent {
  url: string;
  method: string;
  body: string | undefined;
  accept: string | null;
  contentType: string | null;
  auth: string | null;
}

function fakeFetch(status: number, body: unknown): { fetch: FetchFunction; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchFunction = async (url, init) => {
    sent.push({ url, method: init.method, body: init.body, accept: init.headers.get('accept'), contentType: init.headers.get('content-type'), auth: init.headers.get('authorization') });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, sent };
}

const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'ctl', namespace: 'kube system', resourceVersion: '7' }, spec: { holderIdentity: 'a' } };
const signal = new AbortController().signal;

describe('fetchLeaseClient', () => {
  it('GETs the Lease by namespace and name, with the configured headers', async () => {
    const { fetch, sent } = fakeFetch(200, lease);
    const client = fetchLeaseClient({ baseUrl: 'http://proxy:8001/', fetch, headers: { Authorization: 'Bearer t' } });
    expect(await client.get('kube system', 'ctl', signal)).toEqual(lease);
    expect(sent).toEqual([{ url: 'http://proxy:8001/apis/coordination.k8s.io/v1/namespaces/kube%20system/leases/ctl', method: 'GET', body: undefined, accept: 'application/json', contentType: null, auth: 'Bearer t' }]);
  });

  it('lists the Leases of a namespace by label selector, without a resourceVersion (a consistent read)', async () => {
    const { fetch, sent } = fakeFetch(200, { kind: 'LeaseList', metadata: { resourceVersion: '9' }, items: [lease] });
    const client = fetchLeaseClient({ baseUrl: 'http://proxy:8001', fetch });
    expect(await client.list('kube system', 'rxkube.io/ring=pods', signal)).toEqual([lease]);
    expect(sent.map((s) => [s.method, s.url])).toEqual([['GET', 'http://proxy:8001/apis/coordination.k8s.io/v1/namespaces/kube%20system/leases?labelSelector=rxkube.io%2Fring%3Dpods']]);
    await expect(fetchLeaseClient({ baseUrl: 'http://proxy', fetch: fakeFetch(403, { kind: 'Status', code: 403, reason: 'Forbidden' }).fetch }).list('ns', 'a=b', signal)).rejects.toBeInstanceOf(ApiError);
  });

  it('DELETEs a Lease with a resourceVersion precondition', async () => {
    const { fetch, sent } = fakeFetch(200, { kind: 'Status', status: 'Success' });
    await fetchLeaseClient({ baseUrl: 'http://proxy', fetch }).delete('ns', 'ring-a', '42', signal);
    expect(sent).toEqual([{ url: 'http://proxy/apis/coordination.k8s.io/v1/namespaces/ns/leases/ring-a', method: 'DELETE', body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '42' } }), accept: 'application/json', contentType: 'application/json', auth: null }]);
    await expect(fetchLeaseClient({ baseUrl: 'http://proxy', fetch: fakeFetch(409, { kind: 'Status', code: 409, reason: 'Conflict' }).fetch }).delete('ns', 'a', '1', signal)).rejects.toMatchObject({ code: 409 });
  });

  it('answers undefined when the Lease does not exist (404)', async () => {
    const { fetch } = fakeFetch(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    expect(await fetchLeaseClient({ baseUrl: 'http://proxy', fetch }).get('ns', 'ctl', signal)).toBeUndefined();
  });

  it('POSTs a new Lease to the collection and PUTs an update with its resourceVersion', async () => {
    const { fetch, sent } = fakeFetch(200, lease);
    const client = fetchLeaseClient({ baseUrl: 'http://proxy', fetch });
    await client.create(lease, signal);
    await client.update(lease, signal);
    expect(sent.map((s) => `${s.method} ${s.url} ${s.contentType}`)).toEqual([
      'POST http://proxy/apis/coordination.k8s.io/v1/namespaces/kube%20system/leases application/json',
      'PUT http://proxy/apis/coordination.k8s.io/v1/namespaces/kube%20system/leases/ctl application/json',
    ]);
    expect(JSON.parse(sent[1]!.body!)).toEqual(lease);
  });

  it('rejects a conflicting update with an ApiError 409, and a failed read with its code', async () => {
    const conflict = fakeFetch(409, { kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' });
    await expect(fetchLeaseClient({ baseUrl: 'http://proxy', fetch: conflict.fetch }).update(lease, signal)).rejects.toMatchObject({ name: 'ApiError', code: 409, reason: 'Conflict' });
    const forbidden = fakeFetch(403, { kind: 'Status', code: 403, reason: 'Forbidden' });
    await expect(fetchLeaseClient({ baseUrl: 'http://proxy', fetch: forbidden.fetch }).get('ns', 'ctl', signal)).rejects.toBeInstanceOf(ApiError);
  });

  it('refuses a Lease without namespace or name', async () => {
    const { fetch } = fakeFetch(200, lease);
    await expect(fetchLeaseClient({ baseUrl: 'http://proxy', fetch }).update({ metadata: { name: 'x' } }, signal)).rejects.toThrow(TypeError);
  });
});
