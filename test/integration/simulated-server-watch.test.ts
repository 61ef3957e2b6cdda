import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, INITIAL_EVENTS_END_ANNOTATION, type SimulatedApiServer } from '../../src/testing/index.ts';
import { getJson, pod, readWatch } from './simulated-server/helpers.ts';

let server: SimulatedApiServer;
beforeEach(async () => {
  server = await createSimulatedApiServer({ historySize: 5, bookmarkIntervalMs: 30, tooLargeResourceVersionWaitMs: 50 });
});
afterEach(async () => {
  await server.close();
});

const summary = (events: { type: string; object: any }[]) => events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.metadata?.resourceVersion}`);

describe('simulated server: WATCH', () => {
  it('flushes 200 headers before any event', async () => {
    const ac = new AbortController();
    const res = await fetch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.resourceVersion}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    ac.abort();
  });

  it('replays the events after the given resourceVersion, then goes live', async () => {
    server.create('pods', pod('a'));
    const from = server.resourceVersion;
    server.create('pods', pod('b'));
    server.update('pods', { ...server.get('pods', 'default/a')!, metadata: { ...server.get('pods', 'default/a')!.metadata, labels: { x: 'y' } } });
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${from}`, {
      until: (ev) => ev.length >= 4,
      during: () => { setTimeout(() => server.delete('pods', 'default/b'), 20); },
    });
    // Pods are deleted gracefully: marked (MODIFIED with deletionTimestamp), then removed.
    expect(summary(read.events)).toEqual(['ADDED b', 'MODIFIED a', 'MODIFIED b', 'DELETED b']);
    expect(read.events[2]!.object.metadata).toMatchObject({ deletionGracePeriodSeconds: 0, generation: 2 });
    expect(read.events[0]!.object.kind).toBe('Pod');
    const deleted = read.events[3]!.object;
    expect(Number(deleted.metadata.resourceVersion)).toBe(Number(server.resourceVersion));
  });

  it('RV older than the retained history: 200, one ERROR 410 event, end of stream', async () => {
    for (let i = 0; i < 8; i++) server.create('pods', pod(`p${i}`));
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=1`);
    expect(read.status).toBe(200);
    expect(read.ended).toBe(true);
    expect(read.events).toHaveLength(1);
    expect(read.events[0]).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: expect.stringMatching(/^too old resource version: 1 \(\d+\)$/), reason: 'Expired', code: 410 },
    });
  });

  it('RV unset or "0": synthetic ADDED for the current state, then live, no bookmark marker', async () => {
    server.create('pods', pod('a'));
    server.create('pods', pod('b'));
    for (const rv of ['', '&resourceVersion=0']) {
      const read = await readWatch(`${server.url}/api/v1/pods?watch=true${rv}`, { until: (ev) => ev.length >= 2 });
      expect(summary(read.events)).toEqual(['ADDED a', 'ADDED b']);
    }
  });

  it('a watch from a future RV waits for changes after it', async () => {
    const future = Number(server.resourceVersion) + 2;
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${future}`, {
      until: (ev) => ev.length >= 1,
      during: () => { setTimeout(() => { server.create('pods', pod('skipped1')); server.create('pods', pod('skipped2')); server.create('pods', pod('seen')); }, 20); },
    });
    expect(summary(read.events)).toEqual(['ADDED seen']);
  });

  describe('streaming list (sendInitialEvents)', () => {
    it('sends ADDED for the state then the annotated bookmark at the list RV', async () => {
      server.create('pods', pod('a'));
      server.create('pods', pod('b'));
      const rv = server.resourceVersion;
      const read = await readWatch(`${server.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, {
        until: (ev) => ev.some((e) => e.type === 'BOOKMARK'),
      });
      expect(summary(read.events.slice(0, 2))).toEqual(['ADDED a', 'ADDED b']);
      expect(read.events[2]).toEqual({
        type: 'BOOKMARK',
        object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: rv, annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } },
      });
    });

    it('continues as a normal watch after the bookmark', async () => {
      const read = await readWatch(`${server.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=`, {
        until: (ev) => ev.some((e) => e.type === 'ADDED'),
        during: () => { setTimeout(() => server.create('pods', pod('later')), 20); },
      });
      expect(read.events[0]!.object.metadata.annotations).toEqual({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
      expect(summary(read.events.filter((e) => e.type === 'ADDED'))).toEqual(['ADDED later']);
    });

    it('without allowWatchBookmarks the end bookmark is not sent', async () => {
      server.create('pods', pod('a'));
      const read = await readWatch(`${server.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
      expect(summary(read.events)).toEqual(['ADDED a']);
      expect(read.ended).toBe(true);
    });

    it('requires resourceVersionMatch=NotOlderThan (422 with the real message)', async () => {
      const { status, body } = await getJson(`${server.url}/api/v1/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`);
      expect(status).toBe(422);
      expect(body.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    });

    it('resourceVersionMatch on a plain watch is rejected', async () => {
      const { status, body } = await getJson(`${server.url}/api/v1/pods?watch=true&resourceVersionMatch=NotOlderThan&resourceVersion=1`);
      expect(status).toBe(422);
      expect(body.message).toContain('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    });

    it('a server without streaming lists rejects them with 422', async () => {
      const old = await createSimulatedApiServer({ streamingList: false });
      try {
        const { status, body } = await getJson(`${old.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
        expect(status).toBe(422);
        expect(body.message).toBe('ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled');
      } finally {
        await old.close();
      }
    });

    it('a streaming list at a future RV that never comes: ERROR 504 event', async () => {
      const future = Number(server.resourceVersion) + 10;
      const read = await readWatch(`${server.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${future}`);
      expect(read.status).toBe(200);
      expect(read.events).toHaveLength(1);
      expect(read.events[0]!.object).toMatchObject({ code: 504, reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
    });
  });

  it('sends periodic bookmarks only with allowWatchBookmarks', async () => {
    const rv = server.resourceVersion;
    const withB = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`, { until: (ev) => ev.length >= 2 });
    expect(withB.events.map((e) => e.type)).toEqual(['BOOKMARK', 'BOOKMARK']);
    expect(withB.events[0]!.object).toEqual({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: rv } });
    const without = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    expect(without.events).toEqual([]);
  });

  it('timeoutSeconds ends the stream normally with no final event', async () => {
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.resourceVersion}&timeoutSeconds=1`);
    expect(read.ended).toBe(true);
    expect(read.error).toBeUndefined();
    expect(read.events).toEqual([]);
    expect(read.tail).toBe('');
  });

  it('label selectors: leaving the selection is DELETED (previous state at the new RV), entering is ADDED', async () => {
    server.create('pods', pod('a', 'default', { app: 'web' }));
    const from = server.resourceVersion;
    const relabel = (labels: Record<string, string>) => {
      const cur = server.get('pods', 'default/a')!;
      server.update('pods', { ...cur, metadata: { ...cur.metadata, labels } });
    };
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${from}&labelSelector=app%3Dweb`, {
      until: (ev) => ev.length >= 3,
      during: () => {
        setTimeout(() => {
          relabel({ app: 'web', v: '2' });
          relabel({ app: 'db' });
          relabel({ app: 'db', v: '3' });
          relabel({ app: 'web' });
        }, 20);
      },
    });
    expect(read.events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED', 'ADDED']);
    const del = read.events[1]!.object;
    expect(del.metadata.labels).toEqual({ app: 'web', v: '2' });
    expect(Number(del.metadata.resourceVersion)).toBe(Number(from) + 2);
  });

  it('field selectors on watch', async () => {
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dnode-9`, {
      until: (ev) => ev.length >= 1,
      during: () => {
        setTimeout(() => {
          server.create('pods', pod('x'));
          server.create('pods', pod('y', 'default', {}, { spec: { nodeName: 'node-9' } }));
        }, 20);
      },
    });
    expect(summary(read.events)).toEqual(['ADDED y']);
  });

  it('namespaced watch sees only its namespace', async () => {
    const read = await readWatch(`${server.url}/api/v1/namespaces/two/pods?watch=true&resourceVersion=${server.resourceVersion}`, {
      until: (ev) => ev.length >= 1,
      during: () => { setTimeout(() => { server.create('pods', pod('a', 'one')); server.create('pods', pod('b', 'two')); }, 20); },
    });
    expect(summary(read.events)).toEqual(['ADDED b']);
  });

  it('metadata-only watch: PartialObjectMetadata events and bookmarks', async () => {
    server.create('pods', pod('a'));
    const read = await readWatch(`${server.url}/api/v1/pods?watch=true&allowWatchBookmarks=true`, {
      headers: { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
      until: (ev) => ev.length >= 2,
    });
    expect(read.events[0]!.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: expect.objectContaining({ name: 'a' }) });
    expect(read.events[1]!.type).toBe('BOOKMARK');
    expect(read.events[1]!.object.kind).toBe('PartialObjectMetadata');
  });

  it('the deprecated /watch/ path prefix works too', async () => {
    server.create('pods', pod('a'));
    const read = await readWatch(`${server.url}/api/v1/watch/namespaces/default/pods`, { until: (ev) => ev.length >= 1 });
    expect(summary(read.events)).toEqual(['ADDED a']);
  });

  it('with quietBookmarks: false, bookmarks come only when the resource moved past the watch, e.g. ~2 s before timeoutSeconds', async () => {
    const strict = await createSimulatedApiServer({ quietBookmarks: false, bookmarkIntervalMs: 60_000 });
    try {
      const from = strict.resourceVersion;
      const quiet = await readWatch(`${strict.url}/api/v1/namespaces/a/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${from}&timeoutSeconds=3`, { maxMs: 6000 });
      expect(quiet.events).toEqual([]);
      const moved = await readWatch(`${strict.url}/api/v1/namespaces/a/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${from}&timeoutSeconds=3`, {
        maxMs: 6000,
        during: () => { strict.create('pods', pod('elsewhere', 'b')); },
      });
      expect(moved.events).toEqual([{ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: strict.resourceVersion } } }]);
      expect(moved.ended).toBe(true);
    } finally {
      await strict.close();
    }
  });
});
