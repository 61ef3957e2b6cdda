import { describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generateDeployment, generateNode, generatePod, mulberry32, startChurn, type SimulatedApiServer } from '../../../src/testing/index.ts';

describe('mulberry32 and fixtures', () => {
  it('the same seed gives the same sequence; another seed another one', () => {
    const a = mulberry32(9), b = mulberry32(9), c = mulberry32(10);
    const sa = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(sa);
    expect([c(), c(), c()]).not.toEqual(sa);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });
  it('generatePod is deterministic and about 5 KB of JSON on average', () => {
    expect(generatePod(mulberry32(3), 1)).toEqual(generatePod(mulberry32(3), 1));
    const rng = mulberry32(4);
    const sizes = Array.from({ length: 200 }, (_, i) => JSON.stringify(generatePod(rng, i)).length);
    const avg = sizes.reduce((x, y) => x + y, 0) / sizes.length;
    expect(avg).toBeGreaterThan(4000);
    expect(avg).toBeLessThan(7000);
  });
  it('pods carry the fields informers and selectors use', () => {
    const p = generatePod(mulberry32(1), 0, { namespace: 'ns', nodeCount: 3 }) as any;
    expect(p.metadata.namespace).toBe('ns');
    expect(p.metadata.ownerReferences[0].kind).toBe('ReplicaSet');
    expect(p.metadata.managedFields.length).toBeGreaterThan(0);
    expect(p.spec.nodeName).toMatch(/^node-[0-2]$/);
    expect(p.spec.containers.length).toBeGreaterThanOrEqual(1);
    expect(p.spec.containers[0].livenessProbe).toBeDefined();
    expect(p.status.phase).toBeTypeOf('string');
    expect(generateDeployment(mulberry32(1), 2).kind).toBe('Deployment');
    expect(generateNode(mulberry32(1), 2).metadata?.name).toBe('node-2');
  });
});

describe('startChurn', () => {
  it('is deterministic for a seed against the same initial state', async () => {
    const run = async () => {
      const s = await createSimulatedApiServer();
      try {
        const churn = startChurn(s, { seed: 5, autoStart: false, namespaces: ['a', 'b'], maxObjects: 20 });
        churn.step(300);
        expect(churn.operations).toBe(300);
        return ['pods', 'deployments.apps', 'nodes'].map((r) => s.list(r).items.map((o) => [o.metadata?.namespace, o.metadata?.name, o.metadata?.resourceVersion, (o as any).status?.phase]));
      } finally {
        await s.close();
      }
    };
    const first = await run();
    expect(first[0]!.length).toBeGreaterThan(0);
    expect(await run()).toEqual(first);
  });
});

describe('startChurn keeps a cluster plausible', () => {
  const podsOnMissingNodes = (s: SimulatedApiServer): string[] => {
    const nodes = new Set(s.list('nodes').items.map((n) => n.metadata?.name));
    return s.list('pods').items.filter((p) => !nodes.has((p as { spec?: { nodeName?: string } }).spec?.nodeName)).map((p) => p.metadata?.name ?? '');
  };

  it('adopting a seeded cluster, keeps the counts near what was asked, pods on nodes that exist, and never re-creates a seeded node', async () => {
    const s = await createSimulatedApiServer();
    try {
      const rng = mulberry32(3);
      for (let i = 0; i < 6; i++) s.create('nodes', generateNode(rng, i));
      for (let i = 0; i < 120; i++) s.create('pods', generatePod(rng, i, { nodeCount: 6 }));
      const churn = startChurn(s, { seed: 4, autoStart: false, adoptExisting: true, maxObjects: { pods: 120, nodes: 6, deployments: 0 }, weights: { pods: 49, deployments: 0, nodes: 1 } });
      for (let round = 0; round < 30; round++) {
        churn.step(100); // throws on "already exists": seeded names are never generated again
        expect(s.list('nodes').items.length).toBeLessThanOrEqual(6);
        expect(s.list('nodes').items.length).toBeGreaterThanOrEqual(3);
        expect(s.list('pods').items.length).toBeLessThanOrEqual(120);
        expect(podsOnMissingNodes(s)).toEqual([]);
      }
      expect(s.list('pods').items.length).toBeGreaterThan(60);
      const seeded = s.list('pods').items.filter((p) => /-\d+$/.test(p.metadata?.name ?? ''));
      expect(seeded.length).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it('without adoption, creates only fresh names and schedules new pods on the nodes that exist', async () => {
    const s = await createSimulatedApiServer();
    try {
      const rng = mulberry32(8);
      for (let i = 0; i < 3; i++) s.create('nodes', generateNode(rng, i));
      const before = s.list('nodes').items.map((n) => n.metadata?.resourceVersion);
      const churn = startChurn(s, { seed: 9, autoStart: false, maxObjects: { pods: 50, nodes: 2 }, weights: { pods: 4, deployments: 0, nodes: 1 } });
      churn.step(2000);
      // the seeded nodes were neither updated nor deleted
      expect(s.list('nodes').items.filter((n) => ['node-0', 'node-1', 'node-2'].includes(n.metadata?.name ?? '')).map((n) => n.metadata?.resourceVersion)).toEqual(before);
      expect(s.list('nodes').items.length).toBeLessThanOrEqual(5);
      expect(s.list('pods').items.length).toBeLessThanOrEqual(50);
      expect(podsOnMissingNodes(s)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('creates nothing for a resource whose maxObjects is 0', async () => {
    const s = await createSimulatedApiServer();
    try {
      startChurn(s, { seed: 1, autoStart: false, maxObjects: { pods: 10, deployments: 0, nodes: 0 } }).step(500);
      expect(s.list('deployments.apps').items).toEqual([]);
      expect(s.list('nodes').items).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
