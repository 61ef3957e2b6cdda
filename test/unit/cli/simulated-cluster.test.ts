import { describe, expect, it } from 'vitest';
import { simulatedClusterDefaults, startSimulatedCluster } from '../../../src/cli/simulated-cluster.ts';

describe('the CLI\'s simulated cluster', () => {
  for (const [command, defaults] of Object.entries(simulatedClusterDefaults)) {
    it(`${command}: a minute of churn at the default rate keeps about the pods and nodes asked for, every pod on a node that exists`, async () => {
      // A rate so low the timer never fires: the test steps the churn by hand, deterministically.
      const cluster = await startSimulatedCluster({ pods: defaults.pods, nodes: defaults.nodes, churnPerSecond: 1e-6, seed: defaults.seed });
      try {
        const server = cluster.server;
        for (let second = 0; second < 60; second++) {
          cluster.churn?.step(defaults.churn);
          const nodes = new Set(server.list('nodes').items.map((n) => n.metadata?.name));
          const pods = server.list('pods').items;
          expect(nodes.size).toBeLessThanOrEqual(defaults.nodes);
          expect(nodes.size).toBeGreaterThanOrEqual(Math.floor(defaults.nodes * 0.75));
          expect(pods.length).toBeLessThanOrEqual(defaults.pods);
          expect(pods.length).toBeGreaterThanOrEqual(Math.floor(defaults.pods * 0.85));
          expect(pods.filter((p) => !nodes.has((p as { spec?: { nodeName?: string } }).spec?.nodeName))).toEqual([]);
        }
        expect(cluster.churn?.operations).toBe(60 * defaults.churn);
      } finally {
        await cluster.stop();
      }
    });
  }

  it('serve churns by default, so a client sees changes after the initial list', () => {
    expect(simulatedClusterDefaults.serve.churn).toBeGreaterThan(0);
  });
});
