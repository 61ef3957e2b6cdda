import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../src/cli/bin.ts');

/** Runs the CLI as a user would, returning its exit code and output. */
async function rxkube(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, KUBECONFIG: '', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the rxkube command', () => {
  let server: SimulatedApiServer;
  beforeAll(async () => {
    server = await createSimulatedApiServer();
    const rng = mulberry32(7);
    for (let i = 0; i < 25; i++) server.create('pods', generatePod(rng, i, { namespace: i % 2 === 0 ? 'a' : 'b' }));
  });
  afterAll(() => server.close());

  it('prints usage with --help and exits 0', async () => {
    const { code, stdout } = await rxkube(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage:');
    expect(stdout).toContain('rxkube watch');
  });

  it('exits 2 with the usage on an unknown command or option', async () => {
    expect((await rxkube(['frobnicate'])).code).toBe(2);
    const { code, stderr } = await rxkube(['watch', 'pods', '--bogus', 'x']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option --bogus');
  });

  it('exits 3 naming the file when the kubeconfig is missing or unreadable', async () => {
    const missing = await rxkube(['demo', '--kubeconfig', '/definitely/not/here']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('kubeconfig not found: /definitely/not/here');
    const dir = mkdtempSync(join(tmpdir(), 'rxkube-cli-'));
    const garbage = join(dir, 'config');
    writeFileSync(garbage, '{{{ not yaml');
    const unreadable = await rxkube(['watch', 'pods', '--kubeconfig', garbage]);
    expect(unreadable.code).toBe(3);
    expect(unreadable.stderr).toContain(`kubeconfig ${garbage} cannot be read`);
  });

  it('exits 4 when the API server cannot be reached', async () => {
    const { code, stderr } = await rxkube(['watch', 'pods', '--server', 'http://127.0.0.1:9']);
    expect(code).toBe(4);
    expect(stderr).toContain('cannot reach the API server at http://127.0.0.1:9');
  });

  it('watch prints one added line per object of the selected namespace, and the status on stderr', async () => {
    const { code, stdout, stderr } = await rxkube(['watch', 'pods', '--server', server.url, '-n', 'a', '--duration', '1']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const expected = server.list('pods', 'a').items.map((p) => `added a/${p.metadata?.name} ${p.metadata?.resourceVersion}`);
    expect(lines.sort()).toEqual(expected.sort());
    expect(stderr).toContain('status: synced at');
  });

  it('watch uses the kubeconfig\'s server, sending the label selector on list and watch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxkube-cli-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{ name: sim, cluster: { server: "${server.url}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: {} }]
contexts: [{ name: sim, context: { cluster: sim, user: u } }]
current-context: sim
`);
    server.clearRequests();
    const { code } = await rxkube(['watch', 'pods', '--kubeconfig', kubeconfig, '-l', 'app=web', '--duration', '1']);
    expect(code).toBe(0);
    const podRequests = server.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podRequests.length).toBeGreaterThanOrEqual(2);
    for (const r of podRequests) expect(r.query.get('labelSelector')).toBe('app=web');
  });

  it('demo runs on the embedded simulated cluster and shows counts, deltas and status', async () => {
    const { code, stdout } = await rxkube(['demo', '--pods', '200', '--nodes', '4', '--churn', '50', '--duration', '3']);
    expect(code).toBe(0);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    expect(last).toMatch(/^pods: watching, \d+ objects, rv \d+, \d+ deltas\/s \| nodes: watching, \d+ objects/);
    expect(last).toMatch(/phases: .*Running=\d+/);
  });
});
