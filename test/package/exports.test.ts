import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** Imports `specifier` from the built package in a fresh Node process, through package.json's exports map. */
function exportsOf(specifier: string): string[] {
  const script = `import(${JSON.stringify(specifier)}).then((m) => process.stdout.write(JSON.stringify(Object.keys(m).sort())))`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as string[];
}

describe('the built package, imported through its exports map', () => {
  it('has been built (npm run build)', () => {
    expect(existsSync(join(root, 'dist/index.js')), 'dist/ is missing: npm test builds it; run `npm run build` before `vitest` alone').toBe(true);
  });

  it('exports the core from rxkube', () => {
    const names = exportsOf('rxkube');
    for (const name of ['listWatch', 'reflect', 'withIndex', 'resync', 'coalesce', 'informer', 'fetchListWatch', 'retryBackoff', 'ApiError', 'joinWith', 'reconcile', 'toExternalStore', 'leaderElection', 'whileLeading', 'fetchLeaseClient']) {
      expect(names).toContain(name);
    }
  });

  it('exports the kubeconfig transport from rxkube/kube', () => {
    expect(exportsOf('rxkube/kube')).toEqual(expect.arrayContaining(['kubeListWatch', 'resolveResource', 'kubeFetch', 'kubeLeaseClient']));
  });

  it('exports the JSON Patch helper from rxkube/json-patch', () => {
    expect(exportsOf('rxkube/json-patch')).toEqual(['jsonPatch']);
  });

  it('exports the worker mode from rxkube/worker', () => {
    expect(exportsOf('rxkube/worker')).toEqual(['WorkerError', 'connectInformerWorker', 'serveInformerInWorker']);
  });

  it('exports the simulated API server from rxkube/testing', () => {
    expect(exportsOf('rxkube/testing')).toEqual(expect.arrayContaining(['createSimulatedApiServer', 'startChurn', 'generatePod', 'mulberry32']));
  });

  it('exports the React hooks from rxkube/react and the Angular signals from rxkube/angular', () => {
    expect(exportsOf('rxkube/react')).toEqual(expect.arrayContaining(['useSnapshot', 'useSelector', 'useObject', 'useInformerStatus']));
    expect(exportsOf('rxkube/angular')).toEqual(expect.arrayContaining(['snapshotSignal', 'selectSignal', 'objectSignal', 'statusSignal']));
  });

  it('exports the Prometheus binding from rxkube/metrics', () => {
    expect(exportsOf('rxkube/metrics')).toEqual(['prometheusMetrics']);
  });

  it('keeps the core free of Node built-ins, so it loads in a browser bundle', () => {
    const core = execFileSync(process.execPath, ['--input-type=module', '-e', `
      import { readdirSync, readFileSync } from 'node:fs';
      const bad = [];
      for (const dir of ['model', 'store', 'operators', 'informer', 'sources', 'leader']) {
        for (const f of readdirSync('dist/' + dir, { recursive: true })) {
          if (String(f).endsWith('.js') && /^(?:import|export)[^;]*?from ['"]node:|import[(]['"]node:/m.test(readFileSync('dist/' + dir + '/' + f, 'utf8'))) bad.push(dir + '/' + f);
        }
      }
      process.stdout.write(JSON.stringify(bad));`], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(core)).toEqual([]);
  });
});
