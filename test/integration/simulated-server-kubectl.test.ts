import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generatePod, mulberry32, type SimulatedApiServer } from '../../src/testing/index.ts';
import { getJson, pod } from './simulated-server/helpers.ts';

const run = promisify(execFile);
let server: SimulatedApiServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  // No token: kubectl (client-go) never sends bearer tokens over plain http.
  server = await createSimulatedApiServer();
  const rng = mulberry32(11);
  server.create('pods', generatePod(rng, 0, { namespace: 'default' }));
  server.create('pods', generatePod(rng, 1, { namespace: 'kube-system' }));
  dir = mkdtempSync(join(tmpdir(), 'rxkube-kubectl-'));
  kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: sim', '  cluster:', `    server: ${server.url}`,
    'contexts:', '- name: sim', '  context:', '    cluster: sim', '    user: u', 'current-context: sim',
    'users:', '- name: u', '  user: {}', '',
  ].join('\n'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') });
const auth = { headers: { accept: 'application/json' } };

describe('simulated server: discovery', () => {
  it('serves /api, /api/v1, /apis, /apis/apps/v1, /version and health', async () => {
    expect((await getJson(`${server.url}/api`, auth)).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const v1 = (await getJson(`${server.url}/api/v1`, auth)).body;
    expect(v1.kind).toBe('APIResourceList');
    expect(v1.resources.find((r: { name: string }) => r.name === 'pods')).toEqual({
      name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'],
    });
    expect(v1.resources.find((r: { name: string }) => r.name === 'nodes').namespaced).toBe(false);
    const apis = (await getJson(`${server.url}/apis`, auth)).body;
    expect(apis.groups.map((g: { name: string }) => g.name)).toContain('apps');
    const apps = (await getJson(`${server.url}/apis/apps/v1`, auth)).body;
    expect(apps.resources[0]).toMatchObject({ name: 'deployments', kind: 'Deployment', shortNames: ['deploy'] });
    expect((await getJson(`${server.url}/version`)).body).toMatchObject({ major: '1', minor: '36' });
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
    expect((await fetch(`${server.url}/openapi/v3`, auth)).status).toBe(404);
  });
});

describe('simulated server: kubectl', () => {
  it('kubectl get pods -A lists every namespace', async () => {
    const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-A'], { env: env(), timeout: 20_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0]).sort()).toEqual(['default', 'kube-system']);
    expect(server.requests.some((r) => r.path === '/api/v1/pods' && r.verb === 'list')).toBe(true);
  });

  it('kubectl get pods -w prints the list, then a pod created while watching', async () => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-w'], { env: env() });
    let out = '';
    let created = false;
    const done = new Promise<void>((resolve, reject) => {
      const safety = setTimeout(() => reject(new Error(`kubectl printed: ${out}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!created && out.split('\n').length >= 3) {
          created = true;
          server.create('pods', pod('watched-pod'));
        }
        if (out.includes('watched-pod')) {
          clearTimeout(safety);
          resolve();
        }
      });
    });
    try {
      await done;
    } finally {
      child.kill();
    }
    expect(out).toMatch(/^NAME\s+/);
    expect(out).toContain('watched-pod');
    const watch = server.requests.find((r) => r.verb === 'watch' && r.resource === 'pods');
    expect(watch?.query.get('resourceVersion')).toMatch(/^\d+$/);
  });
});
