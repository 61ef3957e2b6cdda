/**
 * `record` against the real kube-apiserver with churn while recording, then both replays into
 * informers: the final snapshot equals the server's state; at × 1 (virtual time) every change is
 * released at its recorded offset, in order; Secrets and the last-applied annotation are redacted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatch } from '../../src/model/wire.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, readRecording, record, replayInto, replayListWatch, type RecordingEntry } from '../../src/testing/index.ts';
import { collection, configmaps, type Driver } from './driver.ts';
import { realDriver } from './drivers/real.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const dir = mkdtempSync(join(tmpdir(), 'rxkube-conformance-rec-'));
const withoutTypeMeta = ({ kind: _k, apiVersion: _a, ...rest }: KubeObject & Record<string, unknown>): Record<string, unknown> => rest;
const byKey = (a: KubeObject, b: KubeObject): number => (`${a.metadata?.namespace}/${a.metadata?.name}` < `${b.metadata?.namespace}/${b.metadata?.name}` ? -1 : 1);

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The informer's objects once its snapshot reaches `rv`, sorted by key, without kind/apiVersion. */
async function finalObjects(source: ListWatch<KubeObject>, rv: string): Promise<Record<string, unknown>[]> {
  const inf = informer(source);
  const last = await firstValueFrom(inf.reflections$.pipe(filter((r) => r.snapshot.resourceVersion === rv)));
  return [...last.snapshot.values()].sort(byKey).map((o) => withoutTypeMeta(o as never));
}

describe('record and replay against the real kube-apiserver', () => {
  let driver: Driver;
  beforeAll(async () => {
    driver = await realDriver();
  });
  afterAll(() => driver.close());

  it('records configmaps under churn; both replays end at the server state; × 1 keeps order and offsets; last-applied is redacted', async () => {
    const ns = await driver.newNamespace('rec');
    const cm = (name: string, data: Record<string, string>, lastApplied = false): KubeObject & { data: Record<string, string> } => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns, ...(lastApplied ? { annotations: { [LAST_APPLIED]: JSON.stringify({ data: { token: 'marker-do-not-record' } }) } } : {}) },
      data,
    });
    const created = new Map<string, KubeObject>();
    for (let i = 0; i < 8; i++) created.set(`old-${i}`, await driver.create(configmaps, cm(`old-${i}`, { i: String(i) }, i === 0)));

    const path = join(dir, 'configmaps.ndjson.gz');
    const recorded = record(driver.listWatch({ ...configmaps, namespace: ns }), {
      path,
      resource: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
      maxEvents: 14,
    });
    await until(() => driver.requests.some((r) => r.includes(`/namespaces/${ns}/configmaps`) && r.includes('watch=true')));
    for (let i = 0; i < 6; i++) await driver.create(configmaps, cm(`new-${i}`, { i: String(i) }, i === 0));
    for (let i = 0; i < 5; i++) await driver.update(configmaps, { ...created.get(`old-${i}`)!, data: { i: `changed-${i}` } } as KubeObject);
    for (let i = 0; i < 3; i++) await driver.remove(configmaps, ns, `new-${i + 3}`);
    expect(await recorded).toMatchObject({ pages: 1, objects: 8, events: 14 });

    expect(readFileSync(path).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const recording = await readRecording(path);
    expect(JSON.stringify(recording)).not.toContain('marker-do-not-record');
    const events = recording.entries.filter((e): e is Extract<RecordingEntry, { event: unknown }> => 'event' in e && e.event.type !== 'BOOKMARK');
    const lastRv = events.at(-1)!.event.object.metadata!.resourceVersion!;

    const server = (await driver.request('GET', collection(configmaps, ns))).body as { items: KubeObject[] };
    const expected = server.items.sort(byKey).map((o) => {
      const plain = withoutTypeMeta(o as never) as KubeObject & Record<string, unknown>;
      const value = o.metadata?.annotations?.[LAST_APPLIED];
      return value === undefined ? plain : { ...plain, metadata: { ...plain.metadata, annotations: { [LAST_APPLIED]: '*'.repeat(value.length) } } };
    });
    expect(expected).toHaveLength(11);

    expect(await finalObjects(replayListWatch(recording), lastRv)).toEqual(expected);

    const simulated = await createSimulatedApiServer();
    try {
      const replay = replayInto(simulated, recording, { startOnFirstWatch: true });
      expect(await finalObjects(fetchListWatch({ baseUrl: simulated.url, resource: collection(configmaps, ns) }), lastRv)).toEqual(expected);
      await replay.done;
    } finally {
      await simulated.close();
    }

    // × 1 in virtual time: each change at its recorded offset from the recorder's first watch, in order.
    const scheduler = new VirtualTimeScheduler();
    const seen: [number, string][] = [];
    informer(replayListWatch(recording, { speed: 1, scheduler }), { scheduler }).reflections$.subscribe((r) => {
      for (const d of r.deltas) seen.push([scheduler.now(), `${d.type === 'added' ? 'ADDED' : d.type === 'updated' ? 'MODIFIED' : 'DELETED'} ${d.key}`]);
    });
    scheduler.flush();
    const t0 = recording.entries.find((e) => 'watch' in e)!.t;
    expect(seen.slice(8)).toEqual(events.map((e) => [e.t - t0, `${e.event.type} ${ns}/${(e.event.object as KubeObject).metadata!.name}`]));
  });

  it('redacts the data of Secrets recorded from the real server, listed and watched', async () => {
    const ns = await driver.newNamespace('rec-secret');
    const secrets = { version: 'v1', plural: 'secrets' };
    const listed = Buffer.from('listed-password').toString('base64');
    const watched = Buffer.from('watched-password').toString('base64');
    await driver.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'listed', namespace: ns }, data: { password: listed } } as KubeObject);
    const path = join(dir, 'secrets.ndjson');
    const recorded = record(driver.listWatch({ ...secrets, namespace: ns }), { path, resource: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true }, maxEvents: 1 });
    await until(() => driver.requests.some((r) => r.includes(`/namespaces/${ns}/secrets`) && r.includes('watch=true')));
    await driver.create(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'watched', namespace: ns }, data: { token: watched } } as KubeObject);
    await recorded;
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(listed);
    expect(text).not.toContain(watched);
    const recording = await readRecording(path);
    const item = (recording.entries.find((e) => 'list' in e) as Extract<RecordingEntry, { list: unknown }>).list.items[0] as KubeObject & { data: Record<string, string> };
    expect(item.data).toEqual({ password: 'A'.repeat(listed.length) });
    const event = (recording.entries.find((e) => 'event' in e) as Extract<RecordingEntry, { event: unknown }>).event.object as KubeObject & { data: Record<string, string> };
    expect(event.data).toEqual({ token: 'A'.repeat(watched.length) });
  });

  it('rxkube record with a kubeconfig resolves the resource, records it, and rxkube bench measures the file', async () => {
    const ns = await driver.newNamespace('rec-cli');
    for (let i = 0; i < 5; i++) await driver.create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: ns }, data: { i: String(i) } } as KubeObject);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, driver.kubeConfig('token').exportConfig());
    const path = join(dir, 'cli.ndjson');
    const bin = join(import.meta.dirname, '../../src/cli/bin.ts');
    const run = promisify(execFile);
    const recorded = run(process.execPath, [bin, 'record', 'cm', '--kubeconfig', kubeconfig, '-n', ns, '-o', path, '--events', '3'], { timeout: 60_000 });
    await until(() => {
      try {
        return readFileSync(path, 'utf8').includes('"watch"');
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 3; i++) await driver.create(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `new-${i}`, namespace: ns }, data: { i: String(i) } } as KubeObject);
    const { stderr } = await recorded;
    expect(stderr).toContain('wrote');
    const recording = await readRecording(path);
    expect(recording.header).toMatchObject({ namespace: ns, resource: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true } });
    const { stdout } = await run(process.execPath, [bin, 'bench', path, '--json', '--quiet'], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toMatchObject({ events: 3, recording: { objects: 5, changes: 3 } });
  });
});
