import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lastValueFrom } from 'rxjs';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';
import { getJson, pod } from './simulated-server/helpers.ts';

let server: SimulatedApiServer;
beforeEach(async () => {
  server = await createSimulatedApiServer({ tooLargeResourceVersionWaitMs: 50 });
});
afterEach(async () => {
  await server.close();
});

const names = (body: { items: { metadata: { name: string } }[] }) => body.items.map((i) => i.metadata.name);

describe('simulated server: LIST', () => {
  it('streams a large list item by item (chunked), byte for byte what JSON.stringify of the list gives', async () => {
    const rng = mulberry32(3);
    for (let i = 0; i < 300; i++) server.create('pods', generatePod(rng, i));
    const res = await fetch(`${server.url}/api/v1/pods?resourceVersion=0&limit=10`);
    const text = await res.text();
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const items = server.list('pods').items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(text).toBe(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: server.resourceVersion }, items }));
    const page = await lastValueFrom(fetchListWatch({ baseUrl: server.url, resource: '/api/v1/pods' }).list({ resourceVersion: '0' }));
    expect(page.items).toEqual(items);
  });

  it('sends a small list with a Content-Length', async () => {
    server.create('pods', pod('a'));
    const res = await fetch(`${server.url}/api/v1/pods`);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(await res.text()));
  });

  it('returns a typed list sorted by namespace/name, items without kind/apiVersion for built-ins', async () => {
    server.create('pods', pod('b', 'ns2'));
    server.create('pods', pod('a', 'ns2'));
    server.create('pods', pod('z', 'ns1'));
    const { status, body } = await getJson(`${server.url}/api/v1/pods`);
    expect(status).toBe(200);
    expect(body.kind).toBe('PodList');
    expect(body.apiVersion).toBe('v1');
    expect(body.metadata.resourceVersion).toBe(server.resourceVersion);
    expect(names(body)).toEqual(['z', 'a', 'b']);
    expect(body.items[0].kind).toBeUndefined();
    expect(body.items[0].apiVersion).toBeUndefined();
  });

  it('includes kind/apiVersion on items of custom resources and serves custom groups', async () => {
    server.register({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true });
    server.create('widgets', { metadata: { name: 'w', namespace: 'default' } });
    const { body } = await getJson(`${server.url}/apis/example.com/v1/namespaces/default/widgets`);
    expect(body.kind).toBe('WidgetList');
    expect(body.apiVersion).toBe('example.com/v1');
    expect(body.items[0]).toMatchObject({ kind: 'Widget', apiVersion: 'example.com/v1' });
  });

  it('scopes a namespaced list to its namespace', async () => {
    server.create('pods', pod('a', 'one'));
    server.create('pods', pod('b', 'two'));
    const { body } = await getJson(`${server.url}/api/v1/namespaces/two/pods`);
    expect(names(body)).toEqual(['b']);
  });

  it('pages with limit/continue over one snapshot, with remainingItemCount', async () => {
    for (let i = 0; i < 5; i++) server.create('pods', pod(`p${i}`));
    const first = await getJson(`${server.url}/api/v1/pods?limit=2`);
    expect(names(first.body)).toEqual(['p0', 'p1']);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    const rv = first.body.metadata.resourceVersion;
    server.create('pods', pod('p10'));
    server.delete('pods', 'default/p3');
    const second = await getJson(`${server.url}/api/v1/pods?limit=2&continue=${first.body.metadata.continue}`);
    expect(second.body.metadata.resourceVersion).toBe(rv);
    expect(names(second.body)).toEqual(['p2', 'p3']);
    const third = await getJson(`${server.url}/api/v1/pods?limit=2&continue=${second.body.metadata.continue}`);
    expect(names(third.body)).toEqual(['p4']);
    expect(third.body.metadata.continue).toBeUndefined();
    expect(third.body.metadata.remainingItemCount).toBeUndefined();
  });

  it('encodes continue tokens like etcd (base64url JSON with v, rv, start)', async () => {
    for (let i = 0; i < 3; i++) server.create('pods', pod(`p${i}`));
    const { body } = await getJson(`${server.url}/api/v1/pods?limit=1`);
    const token = JSON.parse(Buffer.from(body.metadata.continue, 'base64url').toString());
    expect(token).toEqual({ v: 'meta.k8s.io/v1', rv: Number(body.metadata.resourceVersion), start: 'default/p0\u0000' });
  });

  it('expires continue tokens after compaction with 410 and a fresh token', async () => {
    for (let i = 0; i < 3; i++) server.create('pods', pod(`p${i}`));
    const first = await getJson(`${server.url}/api/v1/pods?limit=1`);
    server.create('pods', pod('later'));
    server.faults.compact();
    const { status, body } = await getJson(`${server.url}/api/v1/pods?limit=1&continue=${first.body.metadata.continue}`);
    expect(status).toBe(410);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(body.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);
    const fresh = await getJson(`${server.url}/api/v1/pods?limit=5&continue=${body.metadata.continue}`);
    expect(fresh.status).toBe(200);
    expect(names(fresh.body)).toEqual(['p1', 'p2']);
  });

  it('rejects resourceVersion with continue (400) and garbage tokens (400)', async () => {
    server.create('pods', pod('a'));
    server.create('pods', pod('b'));
    const first = await getJson(`${server.url}/api/v1/pods?limit=1`);
    const withRv = await getJson(`${server.url}/api/v1/pods?limit=1&resourceVersion=2&continue=${first.body.metadata.continue}`);
    expect(withRv.status).toBe(400);
    expect(withRv.body.message).toBe('specifying resource version is not allowed when using continue');
    const garbage = await getJson(`${server.url}/api/v1/pods?limit=1&continue=nonsense`);
    expect(garbage.status).toBe(400);
    expect(garbage.body.reason).toBe('BadRequest');
  });

  describe('resourceVersion / resourceVersionMatch rows', () => {
    let oldRv: string;
    beforeEach(() => {
      server.create('pods', pod('a'));
      oldRv = server.resourceVersion;
      server.create('pods', pod('b'));
      server.create('pods', pod('c'));
    });

    it('RV unset: most recent', async () => {
      const { body } = await getJson(`${server.url}/api/v1/pods`);
      expect(body.metadata.resourceVersion).toBe(server.resourceVersion);
      expect(names(body)).toEqual(['a', 'b', 'c']);
    });

    it('RV "0": any (served like the watch cache, limit ignored by default)', async () => {
      const { body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=0&limit=1`);
      expect(names(body)).toEqual(['a', 'b', 'c']);
      expect(body.metadata.continue).toBeUndefined();
    });

    it('RV X without limit: not older than X', async () => {
      const { body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=${oldRv}`);
      expect(body.metadata.resourceVersion).toBe(server.resourceVersion);
      expect(names(body)).toEqual(['a', 'b', 'c']);
    });

    it('RV X with limit and no RVM: exact X (legacy)', async () => {
      const { body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=${oldRv}&limit=10`);
      expect(body.metadata.resourceVersion).toBe(oldRv);
      expect(names(body)).toEqual(['a']);
    });

    it('RVM=Exact: the state at X, deletes and updates undone', async () => {
      server.delete('pods', 'default/a');
      const { body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
      expect(body.metadata.resourceVersion).toBe(oldRv);
      expect(names(body)).toEqual(['a']);
    });

    it('RVM=NotOlderThan: current state', async () => {
      const { body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=${oldRv}&resourceVersionMatch=NotOlderThan`);
      expect(body.metadata.resourceVersion).toBe(server.resourceVersion);
    });

    it('Exact at a compacted revision: 410 Expired', async () => {
      server.faults.compact();
      const { status, body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
      expect(status).toBe(410);
      expect(body).toMatchObject({ reason: 'Expired', message: 'The resourceVersion for the provided list is too old.' });
      const legacy = await getJson(`${server.url}/api/v1/pods?resourceVersion=${oldRv}&limit=5`);
      expect(legacy.status).toBe(410);
    });

    it('RV newer than the current one: 504 Timeout with the ResourceVersionTooLarge cause', async () => {
      const future = Number(server.resourceVersion) + 100;
      const { status, body } = await getJson(`${server.url}/api/v1/pods?resourceVersion=${future}`);
      expect(status).toBe(504);
      expect(body).toMatchObject({
        reason: 'Timeout',
        message: `Timeout: Too large resource version: ${future}, current: ${server.resourceVersion}`,
        details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
      });
    });

    it('RV reached while waiting: answered', async () => {
      const next = Number(server.resourceVersion) + 1;
      const pending = getJson(`${server.url}/api/v1/pods?resourceVersion=${next}`);
      setTimeout(() => server.create('pods', pod('d')), 10);
      const { status, body } = await pending;
      expect(status).toBe(200);
      expect(names(body)).toContain('d');
    });

    it.each([
      ['resourceVersionMatch=NotOlderThan', 'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ['resourceVersionMatch=Exact&resourceVersion=0', 'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
      ['resourceVersionMatch=Sometimes&resourceVersion=1', 'resourceVersionMatch: Unsupported value: "Sometimes": supported values: "Exact", "NotOlderThan", ""'],
      ['sendInitialEvents=true', 'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ])('invalid combination %s: 422 Invalid', async (query, message) => {
      const { status, body } = await getJson(`${server.url}/api/v1/pods?${query}`);
      expect(status).toBe(422);
      expect(body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, message: `ListOptions.meta.k8s.io "" is invalid: ${message}`, details: { group: 'meta.k8s.io', kind: 'ListOptions' } });
    });

    it('several errors are listed in brackets', async () => {
      const { body } = await getJson(`${server.url}/api/v1/pods?resourceVersionMatch=Exact&continue=x`);
      expect(body.message).toMatch(/^ListOptions\.meta\.k8s\.io "" is invalid: \[.*, .*\]$/);
      expect(body.details.causes).toHaveLength(2);
    });
  });

  describe('selectors', () => {
    beforeEach(() => {
      server.create('pods', pod('a', 'default', { app: 'web', tier: 'fe' }));
      server.create('pods', pod('b', 'default', { app: 'db' }));
      server.create('pods', pod('c', 'other', { app: 'web', tier: 'be' }, { spec: { nodeName: 'node-2' }, status: { phase: 'Pending' } }));
      server.create('pods', pod('d', 'default', {}));
    });
    it.each([
      ['app=web', ['a', 'c']],
      ['app==web', ['a', 'c']],
      ['app!=web', ['b', 'd']],
      ['app in (web,db)', ['a', 'b', 'c']],
      ['app notin (web)', ['b', 'd']],
      ['tier', ['a', 'c']],
      ['!tier', ['b', 'd']],
      ['app=web,tier=be', ['c']],
    ])('labelSelector %s', async (sel, expected) => {
      const { body } = await getJson(`${server.url}/api/v1/pods?labelSelector=${encodeURIComponent(sel)}`);
      expect(names(body).sort()).toEqual(expected);
    });
    it.each([
      ['metadata.name=b', ['b']],
      ['metadata.namespace=other', ['c']],
      ['metadata.namespace!=other', ['a', 'b', 'd']],
      ['spec.nodeName=node-2', ['c']],
      ['status.phase=Running,metadata.name!=a', ['b', 'd']],
    ])('fieldSelector %s', async (sel, expected) => {
      const { body } = await getJson(`${server.url}/api/v1/pods?fieldSelector=${encodeURIComponent(sel)}`);
      expect(names(body).sort()).toEqual(expected);
    });
    it('unsupported field label: 400', async () => {
      const { status, body } = await getJson(`${server.url}/api/v1/pods?fieldSelector=spec.bogus%3Dx`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ reason: 'BadRequest', message: 'field label not supported: spec.bogus' });
    });
    it('unparsable label selector: 400', async () => {
      const { status } = await getJson(`${server.url}/api/v1/pods?labelSelector=${encodeURIComponent('app in web')}`);
      expect(status).toBe(400);
    });
    it('paging with a selector fills pages with matches and omits remainingItemCount', async () => {
      const first = await getJson(`${server.url}/api/v1/pods?labelSelector=app%3Dweb&limit=1`);
      expect(names(first.body)).toEqual(['a']);
      expect(first.body.metadata.remainingItemCount).toBeUndefined();
      const second = await getJson(`${server.url}/api/v1/pods?labelSelector=app%3Dweb&limit=1&continue=${first.body.metadata.continue}`);
      expect(names(second.body)).toEqual(['c']);
    });
  });

  it('answers metadata-only lists as PartialObjectMetadataList', async () => {
    server.create('pods', pod('a'));
    const { body, headers } = await getJson(`${server.url}/api/v1/pods`, {
      headers: { accept: 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' },
    });
    expect(headers.get('content-type')).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    expect(body.kind).toBe('PartialObjectMetadataList');
    expect(body.apiVersion).toBe('meta.k8s.io/v1');
    expect(body.items[0]).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: expect.objectContaining({ name: 'a' }) });
    expect(body.items[0].spec).toBeUndefined();
  });

  it('406 when no acceptable representation is offered', async () => {
    const { status, body } = await getJson(`${server.url}/api/v1/pods`, { headers: { accept: 'application/yaml' } });
    expect(status).toBe(406);
    expect(body.reason).toBe('NotAcceptable');
  });

  it('honours limit on cached reads when paginateCachedLists is set', async () => {
    const paged = await createSimulatedApiServer({ paginateCachedLists: true });
    try {
      paged.create('pods', pod('a'));
      paged.create('pods', pod('b'));
      const { body } = await getJson(`${paged.url}/api/v1/pods?resourceVersion=0&limit=1`);
      expect(names(body)).toEqual(['a']);
      expect(body.metadata.continue).toBeDefined();
    } finally {
      await paged.close();
    }
  });
});
