import { describe, expect, it } from 'vitest';
import { createSimulatedApiServer, generateDeployment, generateNode, generatePod, mulberry32, startChurn } from '../../../src/testing/index.ts';

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
