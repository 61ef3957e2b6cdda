/**
 * The published package as a user gets it: `npm pack`, installed into a fresh app outside the
 * repository with `rxjs` only, then with `@kubernetes/client-node` for a strict type check.
 * Needs the build (`npm test` runs it first) and the npm registry or cache.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedApiServer } from '../../src/testing/index.ts';

const root = join(import.meta.dirname, '../..');
const exec = promisify(execFile);
// npm and the scripts it runs use this Node (>= 22.19), not whatever `node` is first on PATH.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`, npm_config_update_notifier: 'false' };
const versionOf = (pkg: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, env, timeout: 120_000, maxBuffer: 16 << 20 });
  return stdout;
}

/** Runs an ES module snippet in the app with the test's Node; returns stdout. */
async function inApp(app: string, code: string): Promise<string> {
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', code], { cwd: app, env, timeout: 60_000 });
  return stdout;
}

describe('the packed tarball, installed into an app outside the repository', () => {
  let dir: string;
  let app: string;
  let files: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rxkube-tarball-'));
    const packed = JSON.parse(await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root)) as { filename: string; files: { path: string }[] }[];
    const tarball = join(dir, packed[0]!.filename);
    files = packed[0]!.files.map((f) => f.path);
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await npm(['install', tarball, `rxjs@${versionOf('rxjs')}`], app);
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the build, its source inside the source maps, README and LICENSE; no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/kube/index.js', 'dist/cli/bin.js']));
    expect(files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(f))).toEqual([]);
    const map = JSON.parse(readFileSync(join(app, 'node_modules/rxkube/dist/operators/reflect.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sourcesContent?.[0]).toContain('export function reflect');
  });

  it('installs nothing but rxjs (and its tslib) beside it: client-node, immer, React and Angular are optional peers', () => {
    expect(readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['rxjs', 'rxkube', 'tslib']);
  });

  it('imports every subpath that needs nothing more: rxkube, rxkube/wire, rxkube/shard, rxkube/health, rxkube/leader and rxkube/testing', async () => {
    const out = await inApp(app, `
      const core = await import('rxkube');
      const more = await Promise.all(['rxkube/wire', 'rxkube/shard', 'rxkube/health', 'rxkube/leader'].map((s) => import(s)));
      const testing = await import('rxkube/testing');
      const server = await testing.createSimulatedApiServer();
      server.create('pods', testing.generatePod(testing.mulberry32(1), 0));
      const pods = core.informer(core.fetchListWatch({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' } }));
      const { firstValueFrom, filter } = await import('rxjs');
      const s = await firstValueFrom(pods.snapshot$.pipe(filter((x) => x.size === 1)));
      await server.close();
      process.stdout.write(JSON.stringify({ size: s.size, core: typeof core.reflect, more: more.map((m) => Object.keys(m).length > 0), testing: typeof testing.startChurn }));`);
    expect(JSON.parse(out)).toEqual({ size: 1, core: 'function', more: [true, true, true, true], testing: 'function' });
  });

  it('rxkube/kube and rxkube/json-patch say which package to install when it is missing', async () => {
    const out = await inApp(app, `
      const messages = [];
      for (const subpath of ['rxkube/kube', 'rxkube/json-patch']) {
        try { await import(subpath); messages.push('loaded ' + subpath); } catch (e) { messages.push(e.name + ': ' + e.message); }
      }
      process.stdout.write(JSON.stringify(messages));`);
    expect(JSON.parse(out)).toEqual([
      'MissingPeerDependencyError: rxkube/kube needs the package @kubernetes/client-node, which is not installed: npm install @kubernetes/client-node',
      'MissingPeerDependencyError: rxkube/json-patch needs the package immer, which is not installed: npm install immer',
    ]);
  });

  it('runs the rxkube command without client-node', async () => {
    const { stdout } = await exec(process.execPath, [join(app, 'node_modules/rxkube/dist/cli/bin.js'), '--version'], { cwd: app, env });
    expect(stdout).toBe(`rxkube ${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('without client-node, watch --server explains a 404 on a resource outside the core group', async () => {
    const server = await createSimulatedApiServer();
    try {
      const result = await exec(process.execPath, [join(app, 'node_modules/rxkube/dist/cli/bin.js'), 'watch', 'deployments', '--server', server.url], { cwd: app, env }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr ?? '' }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('answered 404');
      expect(result.stderr).toContain('npm install @kubernetes/client-node, or pass a path such as /apis/apps/v1/deployments');
    } finally {
      await server.close();
    }
  });

  it('type-checks an app importing rxkube/kube with client-node models under tsc --strict without skipLibCheck', async () => {
    // @types/ws: client-node's own declarations import isomorphic-ws, whose types need it (see docs/transport.md).
    await npm(['install', `@kubernetes/client-node@${versionOf('@kubernetes/client-node')}`, '@types/ws@8'], app);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, skipLibCheck: false, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', noEmit: true },
      files: ['app.ts'],
    }));
    writeFileSync(join(app, 'app.ts'), `
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { informer, type Snapshot } from 'rxkube';
import { kubeListWatch, resolveResource } from 'rxkube/kube';
import { createSimulatedApiServer } from 'rxkube/testing';

const kc = new KubeConfig();
kc.loadFromDefault();
const pods = informer(kubeListWatch<V1Pod>(kc, 'pods'), { indexes: { node: (pod) => pod.spec?.nodeName } });
const onNode = (s: Snapshot<V1Pod, 'node'>): number => s.byIndex('node', 'node-1').length;
pods.snapshot$.subscribe((s) => console.log(onNode(s)));
void resolveResource(kc, 'deployments.apps');
void createSimulatedApiServer;
`);
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await exec(process.execPath, [tsc, '-p', app], { cwd: app, env, timeout: 120_000 }).then(() => '', (e: { stdout?: string }) => e.stdout ?? String(e));
    expect(result).toBe('');
  }, 180_000);
});
