/**
 * The `rxkube` command: `demo` (the default of `npm start`), `watch`, `serve`.
 * @internal
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { fetchListWatch, informer, MissingPeerDependencyError, type Informer, type KubeObject, type ListWatch } from '../index.ts';
import { isApiErrorShape, loadPeer } from '../internal/index.ts';
import { kubeListWatch } from '../kube/kube-list-watch.ts';
import { numberFlag, parseArgs, portFlag, selectionFlags, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import { describe, startLiveView } from './live-view.ts';
import { simulatedClusterDefaults, startSimulatedCluster } from './simulated-cluster.ts';
import { recordingCommands, recordingDescriptions, recordingFlags, recordingHelp, recordingSwitches } from './recording-commands.ts';

/** Exit codes scripts can rely on. @internal */
export const exitCodes = { ok: 0, failure: 1, usage: 2, kubeconfig: 3, unreachable: 4, unauthorized: 5 } as const;

const d = simulatedClusterDefaults;
const help = `rxkube — Kubernetes informers, native to RxJS

Usage:
  rxkube demo   [--pods N] [--nodes N] [--churn PER_SECOND] [--seed S] [--duration SECONDS]
  rxkube demo   --kubeconfig PATH [--context C] [-n NAMESPACE] [--duration SECONDS]
  rxkube watch  RESOURCE [-n NAMESPACE] [-l SELECTOR] [--field-selector S] [--kubeconfig PATH] [--context C] [--server URL]
  rxkube serve  [--port P] [--host H] [--pods N] [--nodes N] [--churn PER_SECOND] [--seed S]
${recordingHelp}
  rxkube --help | --version

demo    Runs pod and node informers and shows a live view: sync progress, counts per phase and
        node, changes per second, resourceVersion and informer status. Without a kubeconfig (flag
        or KUBECONFIG) it starts an embedded simulated cluster with churn.
        Defaults: --pods ${d.demo.pods} --nodes ${d.demo.nodes} --churn ${d.demo.churn} --seed ${d.demo.seed}
watch   Prints one line per delta (added/updated/deleted KEY RV) on stdout, status on stderr.
        RESOURCE is a plural, kind or plural.group (pods, Deployment, deployments.apps).
serve   Runs the simulated API server alone and prints its URL (point kubectl at it with --server).
        Defaults: --port ${d.serve.port} --host 127.0.0.1 --pods ${d.serve.pods} --nodes ${d.serve.nodes} --churn ${d.serve.churn} --seed ${d.serve.seed}
        (--churn 0 keeps the cluster still; --port 0 picks a free port)
${recordingDescriptions}

The simulated cluster keeps about N pods on N nodes: churn creates, updates and deletes pods
(and updates node heartbeats) at PER_SECOND operations per second, scheduling pods on nodes
that exist.

Options:
  --duration SECONDS  stop this long after starting (default: run until Ctrl-C)
  --retry             keep retrying when the server cannot be reached (default: exit 4)
  --version           print the version

Exit codes: 0 ok, 1 failure, 2 usage error, 3 kubeconfig missing, unreadable or unusable,
            4 API server unreachable, 5 unauthorized or forbidden.`;

const short = { n: 'namespace', l: 'selector', h: 'help', o: 'output' };
const switches = new Set(['help', 'retry', 'version', ...recordingSwitches]);
const known = new Set(['namespace', 'selector', 'field-selector', 'kubeconfig', 'context', 'server', 'duration', 'pods', 'nodes', 'churn', 'seed', 'port', 'host', ...recordingFlags]);

/** A failure with an exit code and a message for the user. @internal */
class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

type ClientNode = typeof import('@kubernetes/client-node');

function clientNode(feature: string): Promise<ClientNode> {
  return loadPeer(() => import('@kubernetes/client-node'), '@kubernetes/client-node', feature);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

async function loadKubeConfig(args: ParsedArgs): Promise<KubeConfig | undefined> {
  const path = stringFlag(args, 'kubeconfig') ?? process.env['KUBECONFIG'];
  if (path === undefined || path === '') return undefined;
  const first = path.split(':')[0] ?? path;
  if (!existsSync(first)) throw new CliError(`kubeconfig not found: ${first}`, exitCodes.kubeconfig);
  const { KubeConfig } = await clientNode('rxkube with a kubeconfig');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(first);
  } catch (error) {
    throw new CliError(`kubeconfig ${first} cannot be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, exitCodes.kubeconfig);
  }
  const context = stringFlag(args, 'context');
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) throw new CliError(`context ${context} not found in ${first}`, exitCodes.kubeconfig);
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new CliError(`kubeconfig ${first} has no current cluster`, exitCodes.kubeconfig);
  // client-node refuses plain HTTP unless the cluster skips TLS verification; say so before the
  // first request, where it would look like an unreachable server.
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new CliError(`kubeconfig ${first}: cluster ${cluster.name} has an http:// server (${cluster.server}); plain HTTP needs insecure-skip-tls-verify: true on the cluster, or an https:// server`, exitCodes.kubeconfig);
  }
  return kc;
}

/**
 * A kubeconfig for `--server URL`, anonymous, so RESOURCE is resolved through discovery as with a
 * kubeconfig; `undefined` when client-node is not installed (then only core plurals and paths).
 */
async function serverKubeConfig(server: string): Promise<KubeConfig | undefined> {
  let KubeConfig: ClientNode['KubeConfig'];
  try {
    ({ KubeConfig } = await clientNode('rxkube --server'));
  } catch (error) {
    if (error instanceof MissingPeerDependencyError) return undefined;
    throw error;
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`--server needs a URL such as http://127.0.0.1:8001, not ${server}`);
  }
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'server', server: url.href.replace(/\/+$/, ''), skipTLSVerify: url.protocol === 'http:' }, { name: 'anonymous' });
  return kc;
}

function sourceFor(args: ParsedArgs, kc: KubeConfig | undefined, resource: string, baseUrl: string | undefined): ListWatch<KubeObject> {
  const selection = selectionFlags(args);
  if (kc !== undefined) return kubeListWatch(kc, resource, selection);
  if (baseUrl === undefined) throw new UsageError('no server: pass --kubeconfig PATH or --server URL');
  const path = resource.startsWith('/') ? resource : undefined;
  if (path === undefined && !/^[a-z0-9]+$/.test(resource)) {
    throw new UsageError(`RESOURCE ${resource} needs discovery, which needs @kubernetes/client-node (npm install @kubernetes/client-node); or pass a core plural (pods) or a path (/apis/apps/v1/deployments)`);
  }
  const { namespace, ...selectors } = selection;
  return fetchListWatch({ baseUrl, resource: path ?? { version: 'v1', plural: resource, ...(namespace === undefined ? {} : { namespace }) }, ...selectors });
}

/** Resolves when the informer first synced; rejects with a CliError when its first attempts fail and `--retry` is off. */
function firstSync(name: string, inf: Informer<KubeObject>, args: ParsedArgs, where: string, hint404?: string): Promise<void> {
  return firstValueFrom(inf.status$.pipe(filter((s) => s.hasSynced || (s.phase === 'backingOff' && !args.flags.has('retry'))))).then((s) => {
    if (s.phase !== 'backingOff') return;
    const error = s.error;
    const message = error instanceof Error ? error.message : String(error);
    if (isApiErrorShape(error) && (error.code === 401 || error.code === 403)) {
      throw new CliError(`${name}: the API server at ${where} refused our credentials (${error.code}): ${message}`, exitCodes.unauthorized);
    }
    if (isApiErrorShape(error)) {
      // Without client-node, --server reads RESOURCE as a core v1 plural: a 404 is most likely a
      // resource of another group.
      const hint = error.code === 404 && hint404 !== undefined ? ` (${hint404})` : '';
      throw new CliError(`${name}: the API server at ${where} answered ${error.code}: ${message}${hint}`, exitCodes.failure);
    }
    // Discovery answered, and the resource is not among its answers: the server is reachable.
    if (error instanceof Error && error.name === 'ResourceNotFoundError') throw new CliError(`${name}: ${message} at ${where}`, exitCodes.failure);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = (error as { code?: unknown }).code;
    throw new CliError(`${name}: cannot reach the API server at ${where}: ${cause?.code ?? cause?.message ?? (typeof code === 'string' ? code : message)}`, exitCodes.unreachable);
  });
}

/**
 * Resolves on the first SIGINT or SIGTERM, or after `--duration`. Created once per run, so Ctrl-C
 * works during the initial sync and the duration counts once. The handlers stay installed until
 * the process exits: a terminal's Ctrl-C reaches npm and us, and npm forwards it to us again,
 * which would otherwise kill us by signal mid-cleanup (npm then exits 1). A signal a second
 * after the first forces the exit.
 */
function stopSignal(args: ParsedArgs): Promise<void> {
  const duration = numberFlag(args, 'duration', 0);
  return new Promise((resolve) => {
    let first: number | undefined;
    const onSignal = (): void => {
      if (first === undefined) {
        first = Date.now();
        resolve();
      } else if (Date.now() - first > 1000) {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (duration > 0) setTimeout(resolve, duration * 1000).unref();
  });
}

async function demo(args: ParsedArgs): Promise<void> {
  const stopped = stopSignal(args);
  const kc = await loadKubeConfig(args);
  const churn = numberFlag(args, 'churn', d.demo.churn);
  const cluster = kc === undefined
    ? await startSimulatedCluster({
        pods: numberFlag(args, 'pods', d.demo.pods),
        nodes: Math.max(1, numberFlag(args, 'nodes', d.demo.nodes)),
        churnPerSecond: churn,
        seed: numberFlag(args, 'seed', d.demo.seed),
      })
    : undefined;
  const baseUrl = cluster?.server.url;
  const where = baseUrl ?? kc?.getCurrentCluster()?.server ?? '?';
  const pods = informer(sourceFor(args, kc, 'pods', baseUrl));
  const nodeArgs: ParsedArgs = { ...args, flags: new Map([...args.flags].filter(([k]) => k !== 'namespace' && k !== 'selector' && k !== 'field-selector')) };
  const nodes = informer(sourceFor(nodeArgs, kc, 'nodes', baseUrl));
  const title = cluster === undefined ? `rxkube demo — ${where}` : `rxkube demo — simulated cluster at ${where}, ${churn} changes/s`;
  const view = startLiveView(title, [{ name: 'pods', informer: pods }, { name: 'nodes', informer: nodes }], pods, process.stdout);
  const keepAlive: Subscription[] = [pods.reflections$.subscribe(), nodes.reflections$.subscribe()];
  try {
    await Promise.race([Promise.all([firstSync('pods', pods, args, where), firstSync('nodes', nodes, args, where)]), stopped]);
    await stopped;
  } finally {
    view.stop();
    for (const s of keepAlive) s.unsubscribe();
    await cluster?.stop();
  }
}

async function watch(args: ParsedArgs): Promise<void> {
  const resource = args.positional[0];
  if (resource === undefined) throw new UsageError('watch needs a RESOURCE, e.g. rxkube watch pods');
  const stopped = stopSignal(args);
  const server = stringFlag(args, 'server');
  // A path (/apis/apps/v1/deployments) needs no discovery, so no client-node.
  const kc = server === undefined ? await loadKubeConfig(args) : resource.startsWith('/') ? undefined : await serverKubeConfig(server);
  const where = server ?? kc?.getCurrentCluster()?.server ?? '?';
  const inf = informer(sourceFor(args, kc, resource, server));
  const statusSub = inf.status$.subscribe((s) => process.stderr.write(`status: ${describe(s)}\n`));
  const sub = inf.reflections$.subscribe((r) => {
    const lines: string[] = [];
    for (const d of r.deltas) lines.push(`${d.type}${d.finalStateUnknown ? '?' : ''} ${d.key} ${(d.object as KubeObject).metadata?.resourceVersion ?? ''}`);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  });
  try {
    const hint = kc === undefined && !resource.startsWith('/') ? `read as the core resource /api/v1/${resource}; to resolve other groups' resources, npm install @kubernetes/client-node, or pass a path such as /apis/apps/v1/deployments` : undefined;
    await Promise.race([firstSync(resource, inf, args, where, hint), stopped]);
    await stopped;
  } finally {
    sub.unsubscribe();
    statusSub.unsubscribe();
  }
}

async function serve(args: ParsedArgs): Promise<void> {
  const port = portFlag(args, 'port', d.serve.port);
  const host = stringFlag(args, 'host');
  const stopped = stopSignal(args);
  const churn = numberFlag(args, 'churn', d.serve.churn);
  const cluster = await startSimulatedCluster({
    pods: numberFlag(args, 'pods', d.serve.pods),
    nodes: Math.max(1, numberFlag(args, 'nodes', d.serve.nodes)),
    churnPerSecond: churn,
    seed: numberFlag(args, 'seed', d.serve.seed),
    port,
    ...(host === undefined ? {} : { host }),
  });
  process.stdout.write(`simulated API server listening on ${cluster.server.url} (${churn > 0 ? `${churn} changes/s; --churn 0 to keep it still` : 'no churn'})\n  try: kubectl --server ${cluster.server.url} get pods -A\n`);
  try {
    await stopped;
  } finally {
    await cluster.stop();
  }
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 * @internal
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseArgs(argv, short, switches, known);
    if (args.flags.has('help') || args.command === 'help') {
      process.stdout.write(`${help}\n`);
      return exitCodes.ok;
    }
    if (args.flags.has('version') || args.command === 'version') {
      process.stdout.write(`rxkube ${version()}\n`);
      return exitCodes.ok;
    }
    switch (args.command ?? 'demo') {
      case 'demo':
        await demo(args);
        return exitCodes.ok;
      case 'watch':
        await watch(args);
        return exitCodes.ok;
      case 'serve':
        await serve(args);
        return exitCodes.ok;
      default: {
        const command = recordingCommands.get(args.command ?? '');
        if (command === undefined) throw new UsageError(`unknown command ${args.command ?? ''}`);
        await command.run(args, { loadKubeConfig, untilStopped: stopSignal, fail: (message, code) => new CliError(message, code), exitCodes });
        return exitCodes.ok;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rxkube: ${error.message}\n\n${help}\n`);
      return exitCodes.usage;
    }
    if (error instanceof CliError || error instanceof MissingPeerDependencyError) {
      process.stderr.write(`rxkube: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : exitCodes.failure;
    }
    process.stderr.write(`rxkube: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  }
}
