import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generatePod, mulberry32 } from '../../src/testing/index.ts';

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
    expect(total?.[1]).toBe(total?.[2]);
    expect(stdout).toMatch(/^changed: node-\d+ \w+ \d+→\d+/m);
  });

  it('the README example runs unchanged against `rxkube serve --port 8001` (the kubectl proxy port)', async () => {
    built();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    const dir = join(root, '.cache');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'readme-example.ts');
    writeFileSync(file, code ?? '');
    const server = await createSimulatedApiServer({ port: 8001 }).catch((error: unknown) => {
      throw new Error(`port 8001 must be free for the README example test: ${String(error)}`);
    });
    try {
      const rng = mulberry32(9);
      for (let i = 0; i < 30; i++) server.create('pods', generatePod(rng, i, { nodeCount: 3 }));
      const onNode1 = server.list('pods').items.filter((p) => (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-1').length;
      const child = spawn(process.execPath, [file], { cwd: root });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      for (let i = 0; i < 200 && !out.includes('informer watching'); i++) await new Promise((r) => setTimeout(r, 50));
      child.kill();
      expect(out).toContain(`30 pods, ${onNode1} on node-1`);
      expect(out).toMatch(/^added default\//m);
      expect(out).toContain('informer watching');
    } finally {
      await server.close();
    }
  });
});
