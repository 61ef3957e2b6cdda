import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { simulatedClusterDefaults, startSimulatedCluster } from '../../src/cli/simulated-cluster.ts';

const root = join(import.meta.dirname, '../..');
const run = promisify(execFile);
const built = () => expect(existsSync(join(root, 'dist/index.js')), 'the examples import the built package: run `npm run build` first (npm test does)').toBe(true);

describe('the examples run against the simulated cluster', () => {
  it('examples/controller.ts labels every deployment with its namespace\'s team', async () => {
    built();
    const { stdout } = await run(process.execPath, [join(root, 'examples/controller.ts')], { cwd: root, timeout: 60_000 });
    expect(stdout).toContain('labelled 6/6 deployments');
    expect(stdout).toMatch(/^reconciled (shop|payments)\//m);
  });

  it('examples/dashboard-query.ts keeps pods per node and phase equal to the server\'s count', async () => {
    built();
    const { stdout } = await run(process.execPath, [join(root, 'examples/dashboard-query.ts')], { cwd: root, timeout: 60_000 });
    const total = /total (\d+) pods; server has (\d+)/.exec(stdout);
    expect(total, `no "total … pods; server has …" line in:\n${stdout}`).not.toBeNull();
    expect(total![1]).toBe(total![2]);
    expect(stdout).toMatch(/^changed: node-\d+ \w+ \d+→\d+/m);
  });

  it('the README example, and examples/readme.mjs, run unchanged against `rxkube serve --port 8001` and show live changes', async () => {
    built();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const dir = join(root, '.cache');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'readme-example.ts');
    writeFileSync(file, code ?? '');
    // What `rxkube serve --port 8001` starts, with its defaults (churn included).
    const d = simulatedClusterDefaults.serve;
    const cluster = await startSimulatedCluster({ pods: d.pods, nodes: d.nodes, churnPerSecond: d.churn, seed: d.seed, port: 8001 }).catch((error: unknown) => {
      throw new Error(`port 8001 must be free for the README example test: ${String(error)}`);
    });
    try {
      for (const example of [file, join(root, 'examples/readme.mjs')]) {
        const child = spawn(process.execPath, [example], { cwd: root });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        const live = () => out.split('informer watching')[1] ?? '';
        for (let i = 0; i < 400 && !/^(updated|deleted|added) default\//m.test(live()); i++) await new Promise((r) => setTimeout(r, 50));
        child.kill();
        expect(out, example).toMatch(/^added default\//m);
        expect(out, example).toMatch(new RegExp(`^${d.pods} pods, \\d+ on node-1$`, 'm'));
        expect(out, example).toContain('informer watching');
        expect(live(), `${example} shows changes after the initial list`).toMatch(/^(updated|deleted|added) \S+\/\S+ $/m);
      }
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});
