import { createSimulatedApiServer, generateNode, generatePod, mulberry32, startChurn, type Churn, type SimulatedApiServer } from '../testing/index.ts';

/** Options of {@link startSimulatedCluster}. @internal */
export interface SimulatedClusterOptions {
  readonly pods: number;
  readonly nodes: number;
  readonly churnPerSecond: number;
  readonly seed: number;
  readonly port?: number;
  readonly host?: string;
  readonly namespaces?: readonly string[];
}

/** A running simulated cluster: the server, seeded with nodes and pods, and its churn. @internal */
export interface SimulatedCluster {
  readonly server: SimulatedApiServer;
  readonly churn: Churn | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the simulated API server on loopback, creates `nodes` nodes and `pods` pods spread over
 * the namespaces, and starts a seeded churn.
 * @internal
 */
export async function startSimulatedCluster(options: SimulatedClusterOptions): Promise<SimulatedCluster> {
  const server = await createSimulatedApiServer({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    bookmarkIntervalMs: 5_000,
  });
  const rng = mulberry32(options.seed);
  const namespaces = options.namespaces ?? ['default', 'shop', 'payments', 'monitoring'];
  for (let i = 0; i < options.nodes; i++) server.create('nodes', generateNode(rng, i));
  for (let i = 0; i < options.pods; i++) {
    const namespace = namespaces[i % namespaces.length] ?? 'default';
    server.create('pods', generatePod(rng, i, { namespace, nodeCount: options.nodes }));
  }
  const churn = options.churnPerSecond > 0
    ? startChurn(server, {
        seed: options.seed + 1,
        ratePerSecond: options.churnPerSecond,
        namespaces,
        maxObjects: Math.max(options.pods, 10),
        weights: { pods: 9, deployments: 0, nodes: 1 },
      })
    : undefined;
  return {
    server,
    churn,
    async stop() {
      churn?.stop();
      await server.close();
    },
  };
}
