import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generateDeployment, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';

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

/**
 * Starts the CLI, sends `signals` SIGINTs a few milliseconds apart once stderr shows `when`, and
 * resolves with how it ended. Fails the test if it is still running 20 s later.
 */
function interrupt(args: string[], when: string, signals: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, KUBECONFIG: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (sent || !stderr.includes(when)) return;
      sent = true;
      for (let i = 0; i < signals; i++) setTimeout(() => child.kill('SIGINT'), i * 5);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running 20 s after Ctrl-C; stderr: ${stderr}`));
    }, 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function kubeconfigFile(server: string, cluster = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'rxkube-cli-'));
  const path = join(dir, 'config');
  writeFileSync(path, `apiVersion: v1
kind: Config
clusters: [{ name: sim, cluster: { server: "${server}"${cluster} } }]
users: [{ name: u, user: {} }]
contexts: [{ name: sim, context: { cluster: sim, user: u } }]
current-context: sim
`);
  return path;
}

describe('the rxkube command', () => {
  let server: SimulatedApiServer;
  beforeAll(async () => {
    server = await createSimulatedApiServer();
    const rng = mulberry32(7);
    for (let i = 0; i < 25; i++) server.create('pods', generatePod(rng, i, { namespace: i % 2 === 0 ? 'a' : 'b' }));
    server.create('deployments.apps', generateDeployment(rng, 0, { namespace: 'a' }));
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

  it('prints its version with --version', async () => {
    const { code, stdout } = await rxkube(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`rxkube ${(JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('exits 2 with a clear message on a port out of range', async () => {
    const { code, stderr } = await rxkube(['serve', '--port', '99999']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port needs a port number from 0 to 65535, not 99999');
  });

  it('exits 3, not 4, for a kubeconfig whose http:// server does not skip TLS verification', async () => {
    const { code, stderr } = await rxkube(['watch', 'pods', '--kubeconfig', kubeconfigFile(server.url)]);
    expect(code).toBe(3);
    expect(stderr).toContain(`has an http:// server (${server.url}); plain HTTP needs insecure-skip-tls-verify: true`);
  });

  it('exits 1, not 4 (unreachable), for a resource the server does not have', async () => {
    const { code, stderr } = await rxkube(['watch', 'frobs', '--server', server.url]);
    expect(code).toBe(1);
    expect(stderr).toContain(`frobs: the server has no resource "frobs"`);
    expect(stderr).not.toContain('cannot reach');
  });

  it('resolves RESOURCE through discovery with --server too (deployments is apps/v1)', async () => {
    server.clearRequests();
    const { code, stdout } = await rxkube(['watch', 'deployments', '--server', server.url, '--duration', '3']);
    expect(code).toBe(0);
    const deployment = server.list('deployments.apps').items[0];
    expect(stdout).toContain(`added a/${deployment?.metadata?.name} ${deployment?.metadata?.resourceVersion}`);
    expect(server.requests.some((r) => r.path === '/apis/apps/v1/deployments')).toBe(true);
  });

  it('stops on Ctrl-C during the initial sync, exiting 0', async () => {
    const { code, signal } = await interrupt(['watch', 'pods', '--server', 'http://127.0.0.1:9', '--retry'], 'backing off', 1);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('exits 0 when Ctrl-C arrives twice, as through npm (the terminal\'s, then npm\'s forwarded copy)', async () => {
    const { code, signal } = await interrupt(['watch', 'pods', '--server', server.url], 'status: watching', 2);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('counts --duration once, from the start, even while the initial sync is still failing', async () => {
    const started = Date.now();
    const { code } = await rxkube(['watch', 'pods', '--server', 'http://127.0.0.1:9', '--retry', '--duration', '3']);
    expect(code).toBe(0);
    // Counting twice took 6 s plus start-up, always; once takes 3 s plus start-up.
    expect(Date.now() - started).toBeLessThan(6_000);
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
    const { code, stdout, stderr } = await rxkube(['watch', 'pods', '--server', server.url, '-n', 'a', '--duration', '3']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const expected = server.list('pods', 'a').items.map((p) => `added a/${p.metadata?.name} ${p.metadata?.resourceVersion}`);
    expect(lines.sort()).toEqual(expected.sort());
    expect(stderr).toContain('status: synced at');
  });

  it('watch uses the kubeconfig\'s server, sending the label selector on list and watch', async () => {
    const kubeconfig = kubeconfigFile(server.url, ', insecure-skip-tls-verify: true');
    server.clearRequests();
    const { code } = await rxkube(['watch', 'pods', '--kubeconfig', kubeconfig, '-l', 'app=web', '--duration', '3']);
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

  it('demo does not count the initial list as changes: without churn, every line shows 0 deltas/s', async () => {
    const { code, stdout } = await rxkube(['demo', '--pods', '300', '--nodes', '3', '--churn', '0', '--duration', '2']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^pods: watching, 300 objects/);
    for (const line of lines) expect(line).toMatch(/^pods: .*, 0 deltas\/s \| nodes: .*, 0 deltas\/s/);
  });
});
