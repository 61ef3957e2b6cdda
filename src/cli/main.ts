/**
 * The `rxkube` command: `demo` (the default of `npm start`), `watch`, `serve`.
 * @internal
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { informer } from '../informer/informer.ts';
import type { Informer } from '../model/informer.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatch } from '../model/wire.ts';
import { kubeListWatch } from '../kube/kube-list-watch.ts';
import { fetchListWatch } from '../sources/fetch-list-watch.ts';
import { isApiErrorShape } from '../sources/classify-error.ts';
import { numberFlag, parseArgs, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import { describe, startLiveView } from './live-view.ts';
import { startSimulatedCluster } from './simulated-cluster.ts';
import { recordingCommands, recordingDescriptions, recordingFlags, recordingHelp, recordingSwitches } from './recording-commands.ts';

/** Exit codes scripts can rely on. @internal */
export const exitCodes = { ok: 0, failure: 1, usage: 2, kubeconfig: 3, unreachable: 4, unauthorized: 5 } as const;

const help = `rxkube — Kubernetes informers, native to RxJS

Usage:
  rxkube demo   [--pods N] [--nodes N] [--churn PER_SECOND] [--seed S] [--duration SECONDS]
  rxkube demo   --kubeconfig PATH [--context C] [-n NAMESPACE] [--duration SECONDS]
  rxkube watch  RESOURCE [-n NAMESPACE] [-l SELECTOR] [--field-selector S] [--kubeconfig PATH] [--context C] [--server URL]
  rxkube serve  [--port P] [--host H] [--pods N] [--nodes N] [--churn PER_SECOND] [--seed S]
${recordingHelp}
  rxkube --help

demo    Runs pod and node informers and shows a live view: sync progress, counts per phase and
        node, deltas per second, resourceVersion and informer status. Without a kubeconfig (flag or
        KUBECONFIG) it starts an embedded simulated cluster with churn.
watch   Prints one line per delta (added/updated/deleted KEY RV) on stdout, status on stderr.
        RESOURCE is a plural, kind or plural.group (pods, Deployment, deployments.apps).
serve   Runs the simulated API server alone and prints its URL (point kubectl at it with --server).
${recordingDescriptions}

Options:
  --duration SECONDS  stop after this long (default: run until Ctrl-C)
  --retry             keep retrying when the server cannot be reached (default: exit 4)

Exit codes: 0 ok, 1 failure, 2 usage error, 3 kubeconfig missing or unreadable,
            4 API server unreachable, 5 unauthorized or forbidden.`;

const short = { n: 'namespace', l: 'selector', h: 'help', o: 'output' };
const switches = new Set(['help', 'retry', ...recordingSwitches]);
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

function loadKubeConfig(args: ParsedArgs): KubeConfig | undefined {
  const path = stringFlag(args, 'kubeconfig') ?? process.env['KUBECONFIG'];
  if (path === undefined || path === '') return undefined;
  const first = path.split(':')[0] ?? path;
  if (!existsSync(first)) throw new CliError(`kubeconfig not found: ${first}`, exitCodes.kubeconfig);
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
  if (kc.getCurrentCluster() === null) throw new CliError(`kubeconfig ${first} has no current cluster`, exitCodes.kubeconfig);
  return kc;
}

function sourceFor(args: ParsedArgs, kc: KubeConfig | undefined, resource: string, baseUrl: string | undefined): ListWatch<KubeObject> {
  const namespace = stringFlag(args, 'namespace');
  const labelSelector = stringFlag(args, 'selector');
  const fieldSelector = stringFlag(args, 'field-selector');
  const selection = {
    ...(namespace === undefined ? {} : { namespace }),
    ...(labelSelector === undefined ? {} : { labelSelector }),
    ...(fieldSelector === undefined ? {} : { fieldSelector }),
  };
  if (kc !== undefined) return kubeListWatch(kc, resource, selection);
  if (baseUrl === undefined) throw new UsageError('no server: pass --kubeconfig PATH or --server URL');
  const path = resource.startsWith('/') ? resource : undefined;
  if (path === undefined && !/^[a-z0-9]+$/.test(resource)) throw new UsageError(`with --server, RESOURCE must be a core plural (pods) or a path (/apis/apps/v1/deployments)`);
  return fetchListWatch({ baseUrl, resource: path ?? { version: 'v1', plural: resource, ...(namespace === undefined ? {} : { namespace }) }, ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }) });
}

/** Resolves when the informer first synced; rejects with a CliError when its first attempts fail and `--retry` is off. */
function firstSync(name: string, inf: Informer<KubeObject>, args: ParsedArgs, where: string): Promise<void> {
  return firstValueFrom(inf.status$.pipe(filter((s) => s.hasSynced || (s.phase === 'backingOff' && !args.flags.has('retry'))))).then((s) => {
    if (s.phase !== 'backingOff') return;
    const error = s.error;
    const message = error instanceof Error ? error.message : String(error);
    if (isApiErrorShape(error) && (error.code === 401 || error.code === 403)) {
      throw new CliError(`${name}: the API server at ${where} refused our credentials (${error.code}): ${message}`, exitCodes.unauthorized);
    }
    if (isApiErrorShape(error)) throw new CliError(`${name}: the API server at ${where} answered ${error.code}: ${message}`, exitCodes.failure);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`${name}: cannot reach the API server at ${where}: ${cause?.code ?? cause?.message ?? message}`, exitCodes.unreachable);
  });
}

function untilStopped(args: ParsedArgs): Promise<void> {
  const duration = numberFlag(args, 'duration', 0);
  return new Promise((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (duration > 0) setTimeout(done, duration * 1000).unref();
  });
}

async function demo(args: ParsedArgs): Promise<void> {
  const kc = loadKubeConfig(args);
  const cluster = kc === undefined
    ? await startSimulatedCluster({
        pods: numberFlag(args, 'pods', 2000),
        nodes: Math.max(1, numberFlag(args, 'nodes', 20)),
        churnPerSecond: numberFlag(args, 'churn', 100),
        seed: numberFlag(args, 'seed', 42),
      })
    : undefined;
  const baseUrl = cluster?.server.url;
  const where = baseUrl ?? kc?.getCurrentCluster()?.server ?? '?';
  const pods = informer(sourceFor(args, kc, 'pods', baseUrl));
  const nodeArgs: ParsedArgs = { ...args, flags: new Map([...args.flags].filter(([k]) => k !== 'namespace' && k !== 'selector' && k !== 'field-selector')) };
  const nodes = informer(sourceFor(nodeArgs, kc, 'nodes', baseUrl));
  const title = cluster === undefined ? `rxkube demo — ${where}` : `rxkube demo — simulated cluster at ${where} (${numberFlag(args, 'churn', 100)} changes/s)`;
  const view = startLiveView(title, [{ name: 'pods', informer: pods }, { name: 'nodes', informer: nodes }], pods, process.stdout);
  const keepAlive: Subscription[] = [pods.reflections$.subscribe(), nodes.reflections$.subscribe()];
  try {
    await Promise.race([Promise.all([firstSync('pods', pods, args, where), firstSync('nodes', nodes, args, where)]), untilStopped(args)]);
    await untilStopped(args);
  } finally {
    view.stop();
    for (const s of keepAlive) s.unsubscribe();
    await cluster?.stop();
  }
}

async function watch(args: ParsedArgs): Promise<void> {
  const resource = args.positional[0];
  if (resource === undefined) throw new UsageError('watch needs a RESOURCE, e.g. rxkube watch pods');
  const kc = loadKubeConfig(args);
  const server = stringFlag(args, 'server');
  const where = server ?? kc?.getCurrentCluster()?.server ?? '?';
  const inf = informer(sourceFor(args, kc, resource, server));
  const statusSub = inf.status$.subscribe((s) => process.stderr.write(`status: ${describe(s)}\n`));
  const sub = inf.reflections$.subscribe((r) => {
    const lines: string[] = [];
    for (const d of r.deltas) lines.push(`${d.type}${d.finalStateUnknown ? '?' : ''} ${d.key} ${(d.object as KubeObject).metadata?.resourceVersion ?? ''}`);
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  });
  try {
    await Promise.race([firstSync(resource, inf, args, where), untilStopped(args)]);
    await untilStopped(args);
  } finally {
    sub.unsubscribe();
    statusSub.unsubscribe();
  }
}

async function serve(args: ParsedArgs): Promise<void> {
  const port = numberFlag(args, 'port', 0);
  const host = stringFlag(args, 'host');
  const cluster = await startSimulatedCluster({
    pods: numberFlag(args, 'pods', 100),
    nodes: Math.max(1, numberFlag(args, 'nodes', 5)),
    churnPerSecond: numberFlag(args, 'churn', 0),
    seed: numberFlag(args, 'seed', 42),
    ...(port > 0 ? { port } : {}),
    ...(host === undefined ? {} : { host }),
  });
  process.stdout.write(`simulated API server listening on ${cluster.server.url}\n  try: kubectl --server ${cluster.server.url} get pods -A\n`);
  try {
    await untilStopped(args);
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
        await command.run(args, { loadKubeConfig, untilStopped, fail: (message, code) => new CliError(message, code), exitCodes });
        return exitCodes.ok;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`rxkube: ${error.message}\n\n${help}\n`);
      return exitCodes.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`rxkube: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`rxkube: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  }
}
