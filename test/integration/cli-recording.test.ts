import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generatePod, mulberry32, readRecording, type SimulatedApiServer } from '../../src/testing/index.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../src/cli/bin.ts');
const pipeline = join(import.meta.dirname, '../fixtures/bench-pipeline.js');
const dir = mkdtempSync(join(tmpdir(), 'rxkube-cli-rec-'));

async function rxkube(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, KUBECONFIG: '' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('rxkube record, replay and bench', () => {
  let server: SimulatedApiServer;
  const recording = join(dir, 'pods.ndjson.gz');
  beforeAll(async () => {
    server = await createSimulatedApiServer();
    const rng = mulberry32(3);
    const names: string[] = [];
    for (let i = 0; i < 40; i++) names.push(server.create('pods', generatePod(rng, i, { namespace: 'shop', nodeCount: 4 })).metadata!.name!);
    const recorded = rxkube(['record', 'pods', '--server', server.url, '-o', recording, '--events', '60', '--duration', '30']);
    while (server.openWatches === 0) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 30; i++) {
      server.patch('pods', `shop/${names[i]}`, { metadata: { labels: { touched: String(i) } } });
      server.create('pods', generatePod(rng, 100 + i, { namespace: 'shop', nodeCount: 4 }));
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = await recorded;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("redacting Secrets' data and the kubectl.kubernetes.io/last-applied-configuration annotation");
    expect(result.stderr).toContain('60 watch events');
  }, 60_000);
  afterAll(() => server.close());

  it('record writes a gzip recording of the list and the watch events', async () => {
    const r = await readRecording(recording);
    expect(r.header.resource).toMatchObject({ group: '', version: 'v1', plural: 'pods' });
    expect(r.header.source).toBe(server.url);
    expect(r.entries.filter((e) => 'event' in e)).toHaveLength(60);
  });

  it('bench --json on a small recording produces every figure, with the user pipeline in its own stages', async () => {
    const svg = join(dir, 'chart.svg');
    const { code, stdout, stderr } = await rxkube(['bench', recording, '--pipeline', pipeline, '--json', '--svg', svg]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.recording).toMatchObject({ resource: 'pods', objects: 40, changes: 60 });
    expect(report.pipeline).toBe(pipeline);
    expect(report.speed).toBe('max');
    expect(report.events).toBe(60);
    expect(report.eventsPerSecond).toBeGreaterThan(0);
    expect(report.syncMs).toBeGreaterThan(0);
    expect(report.watchMs).toBeGreaterThan(0);
    for (const stage of ['transport', 'reflect', 'indexes', 'user', 'subscriber']) {
      expect(report.stageMs.watch[stage], stage).toBeGreaterThan(0);
      expect(report.stageMs.sync[stage], stage).toBeGreaterThan(0);
    }
    expect(report.latencyMs.samples).toBe(60);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(report.latencyMs.p99);
    expect(typeof report.retainedHeapMB).toBe('number');
    expect(report.gc.ms).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(report.gc.count)).toBe(true);
    expect(report.timeline.reduce((a: number, b: number) => a + b, 0)).toBe(60);
    expect(stderr).toContain('done: 60 / 60 changes (100 %)');
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*your operators[\s\S]*<polyline/);
  });

  it('bench prints the table and the chart by default', async () => {
    const { code, stdout, stderr } = await rxkube(['bench', recording, '--speed', '20']);
    expect(code, stderr).toBe(0);
    for (const row of ['list → synced', 'events/s', 'latency p50 / p99', 'retained heap', 'GC', 'transport+parse', 'reflect', 'indexes', 'your operators', 'subscriber', 'watch events per 100 ms']) expect(stdout).toContain(row);
    expect(stdout).toContain('pipeline: default informer · replay speed: × 20');
  });

  it('bench exits 1 with a message for a pipeline module it cannot load, a pipeline that throws, a file that is not a recording; 2 for a bad --speed', async () => {
    const [bad, notRecording, zeroSpeed, throwing] = await Promise.all([
      rxkube(['bench', recording, '--pipeline', join(dir, 'missing.js')]),
      rxkube(['bench', pipeline]),
      rxkube(['bench', recording, '--speed', '0']),
      rxkube(['bench', recording, '--quiet', '--pipeline', join(import.meta.dirname, '../fixtures/throwing-pipeline.js')]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('cannot load the pipeline module');
    expect(notRecording.code).toBe(1);
    expect(notRecording.stderr).toContain('not valid JSON');
    expect(zeroSpeed.code).toBe(2);
    expect(throwing.code).toBe(1);
    expect(throwing.stderr).toContain('the pipeline errored: boom in user code');
  });

  it('replay serves the recording from a simulated API server', async () => {
    const child = spawn(process.execPath, [bin, 'replay', recording, '--speed', 'max', '--duration', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve) => child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /collection: (\S+)/.exec(out);
        if (m !== null && out.includes('replay finished')) resolve(m[1]!);
      }));
      const list = (await (await fetch(url)).json()) as { metadata: { resourceVersion: string }; items: unknown[] };
      expect(list.items).toHaveLength(70);
      expect(list.metadata.resourceVersion).toBe(server.resourceVersion);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('record exits 4 when the server cannot be reached, and leaves no file behind', async () => {
    const path = join(dir, 'none.ndjson');
    const { code, stderr } = await rxkube(['record', 'pods', '--server', 'http://127.0.0.1:9', '-o', path, '--duration', '5']);
    expect(code).toBe(4);
    expect(stderr).toContain('cannot reach the API server at http://127.0.0.1:9');
    expect(existsSync(path)).toBe(false);
  });
});
