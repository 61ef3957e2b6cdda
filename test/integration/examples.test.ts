import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { simulatedClusterDefaults, startSimulatedCluster } from '../../src/cli/simulated-cluster.ts';
import { ringAssignment } from '../../src/leader/ring-assignment.ts';
import { shardMembership } from '../../src/sources/shard.ts';

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

  it('examples/scaling-out/replica.ts: three replicas split the pods; after a kill -9 the other two take the dead one\'s pods over', async () => {
    built();
    const cluster = await startSimulatedCluster({ pods: 60, nodes: 3, churnPerSecond: 5, seed: 7, port: 0 });
    const replicas = new Map<string, ReturnType<typeof spawn>>();
    const logs = new Map<string, string>();
    try {
      for (const id of ['a', 'b', 'c']) {
        const child = spawn(process.execPath, [join(root, 'examples/scaling-out/replica.ts'), id], { cwd: root, env: { ...process.env, RXKUBE_SERVER: cluster.server.url } });
        logs.set(id, '');
        child.stdout.on('data', (chunk: Buffer) => logs.set(id, logs.get(id) + chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => logs.set(id, logs.get(id) + chunk.toString()));
        replicas.set(id, child);
      }
      /** Pods whose owner label is not the ring's owner of their uid among `members`. */
      const misplaced = (members: string[]) => {
        const owns = members.map((m) => [m, shardMembership(ringAssignment(members, m)!)] as const);
        return cluster.server.list('pods').items.filter((pod) => pod.metadata?.labels?.['rxkube.io/owner'] !== owns.find(([, inShard]) => inShard(pod))![0]);
      };
      const settle = async (members: string[]) => {
        for (let i = 0; i < 600 && misplaced(members).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(misplaced(members).map((p) => p.metadata?.name), [...logs].join('\n')).toEqual([]);
      };
      await settle(['a', 'b', 'c']);
      for (const id of ['a', 'b', 'c']) expect(logs.get(id)).toMatch(new RegExp(`^${id}: members a,b,c epoch \\w+ shard 33.3% ready 33.3%$`, 'm'));
      replicas.get('b')!.kill('SIGKILL');
      await settle(['a', 'c']);
      for (const id of ['a', 'c']) expect(logs.get(id)).toMatch(new RegExp(`^${id}: members a,c epoch \\w+ shard 50% ready 50%$`, 'm'));
    } finally {
      for (const child of replicas.values()) child.kill('SIGKILL');
      await cluster.stop();
    }
  }, 60_000);
});
