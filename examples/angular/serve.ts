/**
 * Serves the Angular example: a simulated API server with nodes and pods, the example's production
 * build, and a same-origin proxy of `/api` to the simulated server, all on loopback. Two pages:
 * `/` runs the informers on the page; `/worker.html` runs the pods informer in a Web Worker
 * (`rxkube/worker`) and binds the same signals to its views.
 *
 *   node examples/angular/serve.ts [--pods 600] [--nodes 12] [--port 5174]
 *
 * `startAngularExample()` does the same for tests and returns handles on the server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSimulatedApiServer, generateNode, generatePod, mulberry32 } from '../../src/testing/index.ts';
import type { SimulatedApiServer } from '../../src/testing/index.ts';
import { compactPods, listenOn, productionBuild, proxy, serveStatic } from '../dashboard/serve.ts';

/** Options of {@link startAngularExample}. */
export interface AngularExampleOptions {
  /** Pods created before the page loads, spread over the nodes. @defaultValue 600 */
  readonly pods?: number;
  /** Nodes (`node-0` …), created as Node objects. @defaultValue 12 */
  readonly nodes?: number;
  /** Seed of the fixtures. @defaultValue 1 */
  readonly seed?: number;
  /** Interface to listen on. @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Port of the page; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** Build the page first (otherwise serve an existing `dist/`). @defaultValue true */
  readonly build?: boolean;
}

/** The running example. */
export interface AngularExample {
  /** The page, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The worker-mode page, `http://127.0.0.1:PORT/worker.html`. */
  readonly workerUrl: string;
  /** The simulated API server behind `/api`. */
  readonly server: SimulatedApiServer;
  /** Stops the page server and the API server. */
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const distDir = join(here, 'dist');
const NAMESPACES = ['default', 'payments', 'search'];

/**
 * Starts the simulated cluster, builds the page and serves both on one origin.
 *
 * @param options - cluster size and address.
 * @returns the running example.
 */
export async function startAngularExample(options: AngularExampleOptions = {}): Promise<AngularExample> {
  const nodes = options.nodes ?? 12;
  const seed = options.seed ?? 1;
  if (options.build !== false) await productionBuild({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });

  const server = await createSimulatedApiServer({ historySize: 1_000, bookmarkIntervalMs: 5_000 });
  const rng = mulberry32(seed);
  for (let i = 0; i < nodes; i++) server.create('nodes', generateNode(rng, i));
  for (let i = 0; i < (options.pods ?? 600); i++) {
    server.create('pods', generatePod(rng, i, { namespace: NAMESPACES[i % NAMESPACES.length]!, nodeCount: nodes }));
  }

  const api = new URL(server.url);
  const control = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const ok = (body: unknown): void => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    switch (path) {
      case '/_sim/faults/drop-watches':
        return ok({ dropped: server.faults.dropWatches({ resource: 'pods' }) });
      case '/_sim/faults/compact':
        return ok({ dropped: compactPods(server) });
      default:
        res.writeHead(404).end();
    }
  };
  const page = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/')) proxy(req, res, api);
    else if (path.startsWith('/_sim/')) control(req, res, path);
    else void serveStatic(res, path, distDir);
  });

  const origin = await listenOn(page, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url: `${origin}/`,
    workerUrl: `${origin}/worker.html`,
    server,
    async close() {
      await new Promise<void>((resolve) => {
        page.close(() => resolve());
        page.closeAllConnections();
      });
      await server.close();
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      pods: { type: 'string', default: '600' },
      nodes: { type: 'string', default: '12' },
      port: { type: 'string', default: process.env['PORT'] ?? '5174' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const example = await startAngularExample({ pods: Number(values.pods), nodes: Number(values.nodes), port: Number(values.port), host: values.host });
  console.log(`rxkube Angular example: ${example.url} (worker mode: ${example.workerUrl})\n  ${values.pods} pods on ${values.nodes} nodes, simulated API server ${example.server.url} (Ctrl-C to stop)`);
  const stop = (): void => void example.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
