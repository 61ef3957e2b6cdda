import { createSimulatedApiServer, generateNode, generatePod, mulberry32, startChurn, type Churn, type SimulatedApiServer } from '../testing/index.ts';

/**
 * The defaults of `rxkube demo` and `rxkube serve` (listed in `--help`). `serve` churns by default
 * so that a client pointed at it (the README's example) sees live changes after the initial list.
 * @internal
 */
export const simulatedClusterDefaults = {
  demo: { pods: 2000, nodes: 20, churn: 100, seed: 42 },
  serve: { port: 0, pods: 100, nodes: 5, churn: 10, seed: 42 },
} as const;

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
 * the namespaces and nodes, and starts a seeded churn that keeps about that many of each: it
 * updates and deletes the seeded objects too, schedules new pods on existing nodes, and now and
 * then replaces a node (whose pods go with it).
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
        adoptExisting: true,
        maxObjects: { pods: options.pods, nodes: options.nodes, deployments: 0 },
        weights: { pods: 99, deployments: 0, nodes: 1 },
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
