/**
 * Serves the dashboard example: a simulated API server with thousands of pods and a steady churn,
 * the dashboard's production build, and a same-origin proxy of `/api` and `/apis` to the simulated
 * server, all on loopback.
 *
 *   node examples/dashboard/serve.ts [--pods 10000] [--nodes 50] [--churn 300] [--port 5173]
 *
 * `startDashboard()` does the same for tests and returns handles on the server and the churn.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type InlineConfig } from 'vite';
import type { KubeObject } from '../../src/index.ts';
import { createSimulatedApiServer, generatePod, mulberry32, startChurn } from '../../src/testing/index.ts';
import type { Churn, Rng, SimulatedApiServer } from '../../src/testing/index.ts';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** Pods created before the page loads. @defaultValue 10000 */
  readonly pods?: number;
  /** Nodes the pods are spread over (`node-0` …). @defaultValue 50 */
  readonly nodes?: number;
  /** Pod creates/updates/deletes per second; 0 starts paused. @defaultValue 300 */
  readonly churnPerSecond?: number;
  /** Seed of the fixtures and the churn. @defaultValue 1 */
  readonly seed?: number;
  /** Interface to listen on. @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Port of the page; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** Build the page first (otherwise serve an existing `dist/`). @defaultValue true */
  readonly build?: boolean;
  /**
   * Whether the API server pages its `resourceVersion=0` lists (`limit` 500, with
   * `remainingItemCount`) like a watch cache that paginates, so the page shows list progress page
   * by page; by default it answers in one page, like the classic watch cache.
   * @defaultValue false
   */
  readonly paginateLists?: boolean;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The simulated API server behind `/api`. */
  readonly server: SimulatedApiServer;
  /** The current churn rate (0: paused). */
  readonly churnPerSecond: number;
  /** Changes the churn rate; 0 stops it. */
  setChurnRate(perSecond: number): void;
  /** Stops the churn, the page server and the API server. */
  close(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const distDir = join(here, 'dist');
const NAMESPACES = ['default', 'payments', 'search', 'ingest', 'platform'];
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * The churn of `rxkube/testing` places new pods with the fixture default of 10 nodes; this view of
 * the server spreads them over all `nodes`, so that every node of the dashboard lives.
 */
function spreadingNewPods(server: SimulatedApiServer, nodes: number, rng: Rng): SimulatedApiServer {
  return Object.create(server, {
    create: {
      value: (resource: string, obj: KubeObject & { spec?: object }): KubeObject =>
        server.create(resource, resource === 'pods' ? { ...obj, spec: { ...obj.spec, nodeName: `node-${Math.floor(rng() * nodes)}` } } : obj),
    },
  }) as SimulatedApiServer;
}

/**
 * Starts the simulated cluster, builds the page and serves both on one origin.
 *
 * @param options - cluster size, churn, address.
 * @returns the running dashboard.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const nodes = options.nodes ?? 50;
  const seed = options.seed ?? 1;
  if (options.build !== false) await productionBuild({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });

  // A history of 5,000 events (~15 s of churn) lets a watch dropped for a few seconds resume; a
  // longer outage gets 410 Expired and a relist, as from a real apiserver.
  const server = await createSimulatedApiServer({ historySize: 5_000, bookmarkIntervalMs: 5_000, paginateCachedLists: options.paginateLists ?? false });
  const rng = mulberry32(seed);
  for (let i = 0; i < (options.pods ?? 10_000); i++) {
    server.create('pods', generatePod(rng, i, { namespace: NAMESPACES[i % NAMESPACES.length]!, nodeCount: nodes }));
  }

  let churn: Churn | undefined;
  let churnPerSecond = 0;
  let generation = 0;
  const churnTarget = spreadingNewPods(server, nodes, mulberry32(seed + 1));
  const setChurnRate = (perSecond: number): void => {
    churn?.stop();
    churn = undefined;
    churnPerSecond = Math.max(0, perSecond);
    if (churnPerSecond === 0) return;
    churn = startChurn(churnTarget, {
      seed: seed * 1_000 + ++generation,
      ratePerSecond: churnPerSecond,
      namespaces: NAMESPACES,
      weights: { pods: 1, deployments: 0, nodes: 0 },
      maxObjects: 1_000,
    });
  };
  setChurnRate(options.churnPerSecond ?? 300);

  const api = new URL(server.url);
  const page = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/')) proxy(req, res, api);
    else if (path.startsWith('/_sim/')) control(req, res, path);
    else void serveStatic(res, path);
  });

  const control = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const ok = (body: unknown): void => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/_sim/state') return ok({ churnPerSecond });
    if (req.method !== 'POST') return void res.writeHead(405).end();
    switch (path) {
      case '/_sim/churn':
        setChurnRate(Number(query.get('rate') ?? 0));
        return ok({ churnPerSecond });
      case '/_sim/faults/drop-watches':
        return ok({ dropped: server.faults.dropWatches({ resource: 'pods' }) });
      case '/_sim/faults/unavailable':
        server.faults.failNext(503, { count: 3, match: { resource: 'pods' }, retryAfterSeconds: 1 });
        return ok({ dropped: server.faults.dropWatches({ resource: 'pods' }) });
      case '/_sim/faults/compact':
        return ok({ dropped: compactPods(server) });
      default:
        res.writeHead(404).end();
    }
  };

  const origin = await listenOn(page, options.port ?? 0, options.host ?? '127.0.0.1');

  return {
    url: `${origin}/`,
    server,
    get churnPerSecond() {
      return churnPerSecond;
    },
    setChurnRate,
    async close() {
      churn?.stop();
      await new Promise<void>((resolve) => {
        page.close(() => resolve());
        page.closeAllConnections();
      });
      await server.close();
    },
  };
}

/**
 * `vite build` of what users get, wherever it runs. Vite takes production mode from
 * `process.env.NODE_ENV` when it is set, and vitest sets it to `test`: a build inside a test would
 * otherwise bundle React's development build (`jsxDEV`, StrictMode's double renders, dev checks),
 * several times slower than the page users load, and every timing measured on it would be wrong.
 * Sets `NODE_ENV=production` for the build and restores it after.
 *
 * @param config - Vite's inline config.
 */
export async function productionBuild(config: InlineConfig): Promise<void> {
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ mode: 'production', ...config });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}

/** Starts `page` listening on `host:port` (0: any free port) and resolves with its origin (`http://host:port`). */
export async function listenOn(page: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    page.once('error', reject);
    page.listen(port, host, () => resolve());
  });
  const address = page.address() as AddressInfo;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

/**
 * The Compact fault of the examples: drops the pod watches, changes a pod while the page is away,
 * then compacts, so the page's resume point is older than the history: its watch gets 410 Gone and
 * it relists, churn or not. Returns how many watches were dropped.
 */
export function compactPods(server: SimulatedApiServer): number {
  const dropped = server.faults.dropWatches({ resource: 'pods' });
  const pod = server.list('pods').items[0];
  if (pod !== undefined) {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    server.patch('pods', key, { metadata: { annotations: { 'rxkube.example/compacted-at': new Date().toISOString() } } });
  }
  server.faults.compact();
  return dropped;
}

/**
 * Forwards one request to the API server and streams the answer back unbuffered (watches are
 * long-lived chunked responses). A reset upstream resets the page's connection too, so the browser
 * sees the same network failure it would see from a real apiserver; a page that goes away aborts
 * the upstream request, so no watch is left open.
 */
export function proxy(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = request(
    // agent: false — one upstream connection per request: no reuse of a keep-alive socket that the
    // API server is closing (a spurious ECONNRESET), and closing it aborts exactly this request.
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent: false },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('close', () => {
        if (!answer.complete) res.destroy();
      });
    },
  );
  upstream.on('error', () => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, { 'Content-Type': 'text/plain' }).end('API server unreachable');
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** Serves a file of a production build (`root`, the dashboard's `dist/` by default). */
export async function serveStatic(res: ServerResponse, path: string, root = distDir): Promise<void> {
  const relative = normalize(decodeURIComponent(path)).replace(/^([/\\])+/, '');
  let file = join(root, relative === '' ? 'index.html' : relative);
  if (!file.startsWith(root + sep) && file !== root) return void res.writeHead(403).end();
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    await stat(file);
  } catch {
    return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(file).pipe(res);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      pods: { type: 'string', default: '10000' },
      nodes: { type: 'string', default: '50' },
      churn: { type: 'string', default: '300' },
      port: { type: 'string', default: process.env['PORT'] ?? '5173' },
      host: { type: 'string', default: '127.0.0.1' },
      paginate: { type: 'boolean', default: false },
    },
  });
  const started = performance.now();
  const dashboard = await startDashboard({
    pods: Number(values.pods),
    nodes: Number(values.nodes),
    churnPerSecond: Number(values.churn),
    port: Number(values.port),
    host: values.host,
    paginateLists: values.paginate,
  });
  console.log(
    `rxkube dashboard: ${dashboard.url}\n` +
      `  ${values.pods} pods on ${values.nodes} nodes, churn ${values.churn}/s, simulated API server ${dashboard.server.url}` +
      ` (ready in ${((performance.now() - started) / 1000).toFixed(1)} s; Ctrl-C to stop)`,
  );
  const stop = (): void => void dashboard.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
