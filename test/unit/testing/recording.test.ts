import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { informer } from '../../../src/informer/informer.ts';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { fetchListWatch } from '../../../src/sources/fetch-list-watch.ts';
import {
  createSimulatedApiServer,
  parseRecording,
  readRecording,
  record,
  RecordingFormatError,
  replayInto,
  replayListWatch,
  type Recording,
  type RecordingEntry,
  type SimulatedApiServer,
} from '../../../src/testing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'rxkube-recording-'));
const servers: SimulatedApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(options: Parameters<typeof createSimulatedApiServer>[0] = {}): Promise<SimulatedApiServer> {
  const s = await createSimulatedApiServer(options);
  servers.push(s);
  return s;
}
const configmaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true } as const;
const cm = (name: string, data: Record<string, string>, annotations?: Record<string, string>): KubeObject =>
  ({ metadata: { name, namespace: 'ns', ...(annotations === undefined ? {} : { annotations }) }, data }) as KubeObject;
const withoutTypeMeta = ({ kind: _k, apiVersion: _a, ...rest }: KubeObject & Record<string, unknown>): unknown => rest;
const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
};

/** Records `configmaps` of `s` while `churn` runs, stopping after `events` watch events. */
async function recordWithChurn(s: SimulatedApiServer, path: string, events: number, churn: () => void, redact?: Parameters<typeof record>[1]['redact']) {
  const done = record(fetchListWatch({ baseUrl: s.url, resource: '/api/v1/configmaps' }), { path, resource: configmaps, maxEvents: events, ...(redact === undefined ? {} : { redact }) });
  await until(() => s.openWatches > 0);
  churn();
  return done;
}

function churn(s: SimulatedApiServer): () => void {
  return () => {
    for (let i = 0; i < 10; i++) s.create('configmaps', cm(`new-${i}`, { i: String(i) }));
    for (let i = 0; i < 10; i++) s.update('configmaps', cm(`old-${i}`, { i: `changed-${i}` }));
    for (let i = 0; i < 5; i++) s.delete('configmaps', `ns/new-${i}`);
  };
}

async function seeded(): Promise<SimulatedApiServer> {
  const s = await server();
  for (let i = 0; i < 10; i++) s.create('configmaps', cm(`old-${i}`, { i: String(i) }));
  return s;
}

/** Waits for the informer's snapshot to reach `rv`; returns its objects sorted by key. */
async function finalState(source: Parameters<typeof informer>[0], rv: string): Promise<{ objects: unknown[]; reflections: Reflection<KubeObject>[] }> {
  const inf = informer(source);
  const reflections: Reflection<KubeObject>[] = [];
  const sub = inf.reflections$.subscribe((r) => reflections.push(r));
  const last = await firstValueFrom(inf.reflections$.pipe(filter((r) => r.snapshot.resourceVersion === rv)));
  sub.unsubscribe();
  const objects = [...last.snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => withoutTypeMeta(o as never));
  return { objects, reflections };
}

describe('record', () => {
  it('writes the header, the list and every watch event with arrival times, and an end line', async () => {
    const s = await seeded();
    const path = join(dir, 'plain.ndjson');
    const summary = await recordWithChurn(s, path, 25, churn(s));
    expect(summary).toMatchObject({ pages: 1, objects: 10, events: 25 });
    const recording = await readRecording(path);
    expect(recording.header).toMatchObject({ format: 'rxkube-recording', version: 1, resource: configmaps, redaction: { secrets: true, annotations: ['kubectl.kubernetes.io/last-applied-configuration'] } });
    const kinds = recording.entries.map((e) => Object.keys(e).find((k) => k !== 't'));
    expect(kinds[0]).toBe('list');
    expect(kinds[1]).toBe('watch');
    expect(kinds.filter((k) => k === 'event')).toHaveLength(25);
    expect(recording.entries.at(-1)).toMatchObject({ end: { reason: 'maxEvents', events: 25 } });
    const times = recording.entries.map((e) => e.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('compresses with gzip for .gz paths, and readRecording tells by the magic bytes', async () => {
    const s = await seeded();
    const path = join(dir, 'compressed.ndjson.gz');
    await recordWithChurn(s, path, 25, churn(s));
    const bytes = readFileSync(path);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect((await readRecording(path)).entries.filter((e) => 'event' in e)).toHaveLength(25);
  });

  it('redacts Secret data (listed and watched) and the last-applied annotation by default, keeping keys and sizes', async () => {
    const s = await server();
    s.register({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, listItemsIncludeTypeMeta: false });
    const listed = Buffer.from('listed-password').toString('base64');
    const watched = Buffer.from('watched-password').toString('base64');
    const lastApplied = JSON.stringify({ kind: 'Secret', data: { password: listed } });
    s.create('secrets', { metadata: { name: 'a', namespace: 'ns', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied, keep: 'me' } }, data: { password: listed } } as KubeObject);
    const path = join(dir, 'secrets.ndjson');
    const done = record(fetchListWatch({ baseUrl: s.url, resource: '/api/v1/secrets' }), { path, resource: { group: '', version: 'v1', plural: 'secrets' }, maxEvents: 1 });
    await until(() => s.openWatches > 0);
    s.create('secrets', { metadata: { name: 'b', namespace: 'ns' }, data: { token: watched }, stringData: { plain: 'watched-plain' } } as KubeObject);
    await done;
    const text = readFileSync(path, 'utf8');
    for (const secret of [listed, watched, 'watched-plain', 'listed-password']) expect(text).not.toContain(secret);
    const recording = parseRecording(text);
    const item = (recording.entries.find((e) => 'list' in e) as Extract<RecordingEntry, { list: unknown }>).list.items[0] as KubeObject & { data: Record<string, string> };
    expect(item.data).toEqual({ password: 'A'.repeat(listed.length) });
    expect(item.metadata?.annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '*'.repeat(lastApplied.length), keep: 'me' });
    const event = (recording.entries.find((e) => 'event' in e) as Extract<RecordingEntry, { event: unknown }>).event.object as KubeObject & { data: Record<string, string>; stringData: Record<string, string> };
    expect(event.data).toEqual({ token: 'A'.repeat(watched.length) });
    expect(event.stringData).toEqual({ plain: '*'.repeat('watched-plain'.length) });
  });

  it('records Secrets as they are only when asked', async () => {
    const s = await server();
    s.register({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, listItemsIncludeTypeMeta: false });
    s.create('secrets', { metadata: { name: 'a', namespace: 'ns' }, data: { password: 'aHVudGVyMg==' } } as KubeObject);
    const path = join(dir, 'secrets-kept.ndjson');
    const controller = new AbortController();
    const done = record(fetchListWatch({ baseUrl: s.url, resource: '/api/v1/secrets' }), { path, resource: { group: '', version: 'v1', plural: 'secrets' }, signal: controller.signal, redact: { secrets: false, annotations: [] } });
    await until(() => s.openWatches > 0);
    controller.abort();
    expect(await done).toMatchObject({ objects: 1, events: 0 });
    const recording = await readRecording(path);
    expect(recording.header.redaction).toEqual({ secrets: false, annotations: [] });
    expect(readFileSync(path, 'utf8')).toContain('aHVudGVyMg==');
    expect(recording.entries.at(-1)).toMatchObject({ end: { reason: 'stopped' } });
  });

  it('rejects when the first list fails, instead of retrying for ever', async () => {
    await expect(record(fetchListWatch({ baseUrl: 'http://127.0.0.1:9', resource: '/api/v1/pods' }), { path: join(dir, 'unreachable.ndjson'), resource: configmaps, durationMs: 10_000 })).rejects.toThrow();
  });
});

describe('readRecording / parseRecording', () => {
  it('refuses what is not a recording with a RecordingFormatError naming the line', async () => {
    expect(() => parseRecording('')).toThrow(RecordingFormatError);
    expect(() => parseRecording('{"format":"other"}\n')).toThrow(/line 1: not an rxkube recording/);
    const header = '{"format":"rxkube-recording","version":1,"startedAt":"x","resource":{"group":"","version":"v1","plural":"pods"},"redaction":{"secrets":true,"annotations":[]}}';
    expect(() => parseRecording(`${header}\n{"t":1}\n`)).toThrow(/line 2: entry must have exactly one of/);
    expect(() => parseRecording(`${header}\nnot json\n`)).toThrow(/line 2: not valid JSON/);
    const gz = join(dir, 'broken.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(readRecording(gz)).rejects.toThrow(RecordingFormatError);
    expect(() => replayListWatch(parseRecording(`${header}\n`))).toThrow(/no complete list/);
  });
});

describe('replay', () => {
  it('replayListWatch into an informer ends at the recorded server state', async () => {
    const s = await seeded();
    const path = join(dir, 'replay.ndjson');
    await recordWithChurn(s, path, 25, churn(s));
    const expected = s.list('configmaps');
    const { objects } = await finalState(replayListWatch(await readRecording(path)), expected.resourceVersion);
    expect(objects).toEqual(expected.items.map((o) => withoutTypeMeta(o as never)));
  });

  it('replayInto serves the recording from a simulated server: an informer over HTTP ends at the recorded state, resourceVersions as recorded', async () => {
    const s = await seeded();
    const path = join(dir, 'served.ndjson.gz');
    await recordWithChurn(s, path, 25, churn(s));
    const expected = s.list('configmaps');
    const target = await server();
    const replay = replayInto(target, await readRecording(path), { startOnFirstWatch: true });
    expect(replay).toMatchObject({ resource: 'configmaps', path: '/api/v1/configmaps', total: 25, finalResourceVersion: expected.resourceVersion });
    const { objects, reflections } = await finalState(fetchListWatch({ baseUrl: target.url, resource: replay.path }), expected.resourceVersion);
    await replay.done;
    expect(objects).toEqual(expected.items.map((o) => withoutTypeMeta(o as never)));
    // the initial list first, then one reflection per recorded change
    expect(reflections[0]!.snapshot.size).toBe(10);
    expect(reflections.slice(1).flatMap((r) => r.deltas.map((d) => d.type))).toEqual([...Array(10).fill('added'), ...Array(10).fill('updated'), ...Array(5).fill('deleted')]);
  });

  it('replayInto registers a resource the server does not serve, and refuses resourceVersions that are not ahead', async () => {
    const recording = synthetic();
    const target = await server({ builtIns: false });
    const replay = replayInto(target, recording, { speed: Infinity });
    await replay.done;
    expect(target.list('widgets.example.com').items.map((o) => o.metadata?.name)).toEqual(['a', 'c']);
    await expect(async () => replayInto(target, recording)).rejects.toThrow(/not an integer after the server's/);
  });

  it('replayListWatch at × 2 releases each change at half its recorded offset from the first watch (virtual time)', () => {
    const scheduler = new VirtualTimeScheduler();
    const inf = informer(replayListWatch(synthetic(), { speed: 2, scheduler }), { scheduler });
    const seen: [number, string][] = [];
    inf.reflections$.subscribe((r) => seen.push([scheduler.now(), r.deltas.map((d) => `${d.type} ${d.key}`).join()]));
    scheduler.flush();
    expect(seen).toEqual([
      [0, 'added ns/a,added ns/b'],
      [50, 'added ns/c'],
      [100, 'updated ns/a'],
      [400, 'deleted ns/b'],
    ]);
  });

  it('replayListWatch gives a watch crossing a recorded relist a 410, and the next list the relisted state', () => {
    const scheduler = new VirtualTimeScheduler();
    const recording: Recording = { ...synthetic(), entries: [...synthetic().entries.slice(0, -1), { t: 1000, list: { metadata: { resourceVersion: '30' }, items: [widget('z', '29')] } }] };
    const inf = informer(replayListWatch(recording, { scheduler }), { scheduler });
    const keys: string[][] = [];
    inf.reflections$.subscribe((r) => keys.push([...r.snapshot.keys()].sort()));
    scheduler.flush();
    expect(keys.at(-1)).toEqual(['ns/z']);
    expect(inf.getSnapshot()?.resourceVersion).toBe('30');
  });

  it('replayInto makes a recorded relist the server state: keys gone are deleted, the history before it compacted', async () => {
    const target = await server({ builtIns: false });
    const recording: Recording = { ...synthetic(), entries: [...synthetic().entries.slice(0, -1), { t: 1000, list: { metadata: { resourceVersion: '30' }, items: [widget('z', '29'), widget('a', '12')] } }] };
    await replayInto(target, recording).done;
    expect(target.list('widgets.example.com')).toEqual({ resourceVersion: '30', items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'a', resourceVersion: '12' }) }), expect.objectContaining({ metadata: expect.objectContaining({ name: 'z', resourceVersion: '29' }) })] });
    const stale = await (await fetch(`${target.url}/apis/example.com/v1/widgets?watch=true&resourceVersion=13`)).text();
    expect(stale).toContain('"code":410');
  });

  it('replayInto at × 1 keeps the order of the changes and their recorded offsets (never early, within a generous bound late)', async () => {
    const target = await server({ builtIns: false });
    const recording = synthetic();
    const replay = replayInto(target, recording, { speed: 1, startOnFirstWatch: true });
    const started = performance.now();
    const seen: [number, string][] = [];
    const inf = informer(fetchListWatch({ baseUrl: target.url, resource: replay.path }));
    let watchOpen: number | undefined;
    const sub = inf.reflections$.subscribe((r) => {
      watchOpen ??= performance.now() - started;
      for (const d of r.deltas) seen.push([performance.now() - started, `${d.type} ${d.key}`]);
    });
    await replay.done;
    await until(() => seen.length === 5);
    sub.unsubscribe();
    expect(seen.map(([, what]) => what)).toEqual(['added ns/a', 'added ns/b', 'added ns/c', 'updated ns/a', 'deleted ns/b']);
    const recorded = [100, 200, 800];
    seen.slice(2).forEach(([at], i) => {
      const offset = at - watchOpen!;
      expect(offset).toBeGreaterThanOrEqual(recorded[i]! - 20);
      expect(offset).toBeLessThan(recorded[i]! + 1500);
    });
  });
});

function widget(name: string, rv: string): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'ns', resourceVersion: rv } };
}

/** a and b listed at rv 10; the first watch at t = 1000; c added +100 ms, a updated +200 ms, b deleted +800 ms. */
function synthetic(): Recording {
  return {
    header: { format: 'rxkube-recording', version: 1, startedAt: '2026-11-30T12:00:00.000Z', resource: { group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true }, redaction: { secrets: true, annotations: [] } },
    entries: [
      { t: 990, list: { metadata: { resourceVersion: '10' }, items: [widget('a', '5'), widget('b', '6')] } },
      { t: 1000, watch: { resourceVersion: '10' } },
      { t: 1100, event: { type: 'ADDED', object: widget('c', '11') } },
      { t: 1150, event: { type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } } },
      { t: 1200, event: { type: 'MODIFIED', object: widget('a', '12') } },
      { t: 1800, event: { type: 'DELETED', object: widget('b', '13') } },
      { t: 1900, end: { reason: 'duration', events: 3 } },
    ],
  };
}
