/**
 * The rxkube command in an app without the optional peer @kubernetes/client-node: a resolve hook
 * (test/fixtures/hide-client-node.mjs) makes the package unresolvable, as it is when not installed.
 * Every command that does not need it runs; `bench`, which does, says what to install.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../src/cli/bin.ts');
const hideClientNode = join(import.meta.dirname, '../fixtures/hide-client-node.mjs');

async function rxkube(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', hideClientNode, bin, ...args], { env: { ...process.env, KUBECONFIG: '' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the rxkube command without @kubernetes/client-node', () => {
  let server: SimulatedApiServer;
  beforeAll(async () => {
    server = await createSimulatedApiServer();
    const rng = mulberry32(11);
    for (let i = 0; i < 5; i++) server.create('pods', generatePod(rng, i));
  });
  afterAll(() => server.close());

  it('the test hides the package: importing it fails as a missing package does', async () => {
    const { stdout } = await run(process.execPath, ['--import', hideClientNode, '--input-type=module', '-e', "import('@kubernetes/client-node').then(() => console.log('loaded'), (e) => console.log(e.code))"]);
    expect(stdout.trim()).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('runs --version, --help, demo and serve', async () => {
    const [version, help, demo, serve] = await Promise.all([
      rxkube(['--version']),
      rxkube(['--help']),
      rxkube(['demo', '--pods', '10', '--nodes', '2', '--churn', '0', '--duration', '1']),
      rxkube(['serve', '--port', '0', '--pods', '5', '--churn', '0', '--duration', '1']),
    ]);
    expect(version, version.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^rxkube \d+\.\d+\.\d+/);
    expect(help, help.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('rxkube bench');
    expect(demo, demo.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(demo.stdout).toContain('pods: ');
    expect(serve, serve.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(serve.stdout).toContain('simulated API server listening on http://');
  });

  it('records with --server and replays; bench, which needs the package, exits 1 saying what to install', async () => {
    const recording = join(mkdtempSync(join(tmpdir(), 'rxkube-no-client-node-')), 'pods.ndjson');
    const recorded = await rxkube(['record', 'pods', '--server', server.url, '-o', recording, '--duration', '1']);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toContain('5 objects');
    const [replayed, bench] = await Promise.all([rxkube(['replay', recording, '--duration', '1']), rxkube(['bench', recording, '--quiet'])]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('replaying');
    expect(bench).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'rxkube: rxkube bench needs the package @kubernetes/client-node, which is not installed: npm install @kubernetes/client-node\n',
    });
  });
});
