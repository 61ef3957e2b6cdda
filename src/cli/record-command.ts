import { ApiError, fetchListWatch, type KubeObject, type ListWatch } from '../index.ts';
import { isApiErrorShape } from '../internal/index.ts';
import { kubeListWatch } from '../kube/kube-list-watch.ts';
import { resolveResource } from '../kube/resolve-resource.ts';
import { LAST_APPLIED_ANNOTATION, record, type RecordedResource } from '../testing/index.ts';
import { numberFlag, selectionFlags, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import type { Command, CommandContext } from './command-context.ts';

/** `/api/v1/pods`, `/apis/apps/v1/namespaces/x/deployments` or a core plural, for `--server`. */
function resourceFromPath(resource: string): RecordedResource {
  if (/^[a-z0-9]+$/.test(resource)) return { group: '', version: 'v1', plural: resource };
  const m = /^\/(?:api\/(v[^/]+)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/[^/]+)?\/([a-z0-9.-]+)$/.exec(resource);
  if (m === null) throw new UsageError('with --server, RESOURCE must be a core plural (pods) or a collection path (/apis/apps/v1/deployments)');
  return m[1] !== undefined ? { group: '', version: m[1], plural: m[4]! } : { group: m[2]!, version: m[3]!, plural: m[4]! };
}

function collection(r: RecordedResource, namespace: string | undefined): string {
  return `${r.group === '' ? '/api' : `/apis/${r.group}`}/${r.version}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${r.plural}`;
}

/** `rxkube record`. @internal */
export const recordCommand: Command = {
  usage: 'rxkube record RESOURCE -o FILE [--duration SECONDS] [--events N] [-n NAMESPACE] [-l SELECTOR] [--field-selector S]\n                [--kubeconfig PATH] [--context C] [--server URL] [--include-secrets] [--keep-annotations]',
  async run(args: ParsedArgs, context: CommandContext): Promise<void> {
    const name = args.positional[0];
    if (name === undefined) throw new UsageError('record needs a RESOURCE, e.g. rxkube record pods -o pods.ndjson.gz');
    const path = stringFlag(args, 'output');
    if (path === undefined) throw new UsageError('record needs -o FILE (.gz to compress)');
    const selection = selectionFlags(args);
    const kc = await context.loadKubeConfig(args);
    const server = stringFlag(args, 'server');
    let source: ListWatch<KubeObject>;
    let resource: RecordedResource;
    let where: string;
    if (kc !== undefined && server === undefined) {
      where = kc.getCurrentCluster()?.server ?? '?';
      try {
        const resolved = await resolveResource(kc, name);
        resource = { group: resolved.group, version: resolved.version, plural: resolved.plural, kind: resolved.kind, namespaced: resolved.namespaced };
      } catch (error) {
        throw explain(error, where, context);
      }
      source = kubeListWatch(kc, { group: resource.group, version: resource.version, plural: resource.plural }, selection);
    } else {
      if (server === undefined) throw new UsageError('no server: pass --kubeconfig PATH or --server URL');
      where = server;
      resource = resourceFromPath(name);
      source = fetchListWatch({ baseUrl: server, resource: collection(resource, selection.namespace), ...selection });
    }
    const includeSecrets = args.flags.has('include-secrets');
    const keepAnnotations = args.flags.has('keep-annotations');
    const durationS = numberFlag(args, 'duration', 0);
    const maxEvents = numberFlag(args, 'events', 0);
    const redacted = [includeSecrets ? undefined : "Secrets' data", keepAnnotations ? undefined : `the ${LAST_APPLIED_ANNOTATION} annotation`].filter((s) => s !== undefined);
    process.stderr.write(`recording ${resource.plural}${resource.group === '' ? '' : `.${resource.group}`} from ${where} to ${path}` +
      `${durationS > 0 ? ` for ${durationS} s` : ''}${maxEvents > 0 ? `${durationS > 0 ? ' or' : ''} until ${maxEvents} events` : ''}${durationS > 0 || maxEvents > 0 ? '' : ' until Ctrl-C'}\n` +
      (redacted.length > 0 ? `redacting ${redacted.join(' and ')} (${[includeSecrets ? undefined : '--include-secrets', keepAnnotations ? undefined : '--keep-annotations'].filter(Boolean).join(', ')} to keep them)\n` : 'nothing is redacted: Secret values are written as they are\n'));
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const tty = process.stderr.isTTY;
    let lastShown = 0;
    try {
      const summary = await record(source, {
        path,
        resource,
        signal: controller.signal,
        ...(durationS > 0 ? { durationMs: durationS * 1000 } : {}),
        ...(maxEvents > 0 ? { maxEvents } : {}),
        redact: { secrets: !includeSecrets, annotations: keepAnnotations ? [] : [LAST_APPLIED_ANNOTATION] },
        describe: { source: where, ...selection },
        onProgress: (p) => {
          const now = performance.now();
          if (!tty || now - lastShown < 200) return;
          lastShown = now;
          process.stderr.write(`\r  ${p.pages} list pages, ${p.objects} objects, ${p.events} events, ${(p.durationMs / 1000).toFixed(1)} s   `);
        },
      });
      process.stderr.write(`${tty ? '\n' : ''}wrote ${summary.path}: ${summary.pages} list pages (${summary.objects} objects) and ${summary.events} watch events over ${(summary.durationMs / 1000).toFixed(1)} s\n`);
    } catch (error) {
      throw explain(error, where, context);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

function explain(error: unknown, where: string, context: CommandContext): Error {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { syscall?: unknown }).syscall === 'open') return context.fail(`cannot write the recording: ${message}`, context.exitCodes.failure);
  if (isApiErrorShape(error) && (error.code === 401 || error.code === 403)) return context.fail(`the API server at ${where} refused our credentials (${error.code}): ${message}`, context.exitCodes.unauthorized);
  if (isApiErrorShape(error) || error instanceof ApiError) return context.fail(`the API server at ${where} answered ${(error as { code: number }).code}: ${message}`, context.exitCodes.failure);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause !== undefined || (error as { code?: unknown }).code !== undefined) return context.fail(`cannot reach the API server at ${where}: ${cause?.code ?? cause?.message ?? message}`, context.exitCodes.unreachable);
  return context.fail(message, context.exitCodes.failure);
}
