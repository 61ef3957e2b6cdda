import type { KubeConfig } from '@kubernetes/client-node';
import type { FetchFunction } from '../index.ts';
import { apiErrorFromResponse, isRecord, readBodyText } from '../internal/index.ts';
import { kubeFetch } from './kube-fetch.ts';

/**
 * A resource as the API server's discovery describes it.
 *
 * @example
 * ```ts
 * import type { ResolvedResource } from 'rxkube/kube';
 * const deployments: ResolvedResource = {
 *   group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true,
 *   verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
 * };
 * ```
 */
export interface ResolvedResource {
  /** The API group, `''` for the core group. */
  readonly group: string;
  /** The version discovery offered (the group's preferred one unless one was asked for). */
  readonly version: string;
  /** The plural resource name used in URLs. */
  readonly plural: string;
  /** The kind of its objects. */
  readonly kind: string;
  /** Whether objects live in namespaces. */
  readonly namespaced: boolean;
  /** The verbs the server supports on it (`list`, `watch`, …). */
  readonly verbs: readonly string[];
}

/**
 * No resource of the cluster matches the name given to {@link resolveResource} or
 * `kubeListWatch`. Retrying cannot help until the resource (a CRD, say) is installed; discovery is
 * refreshed once on every miss, so a later call will see it.
 *
 * @example
 * ```ts
 * import { ResourceNotFoundError } from 'rxkube/kube';
 * new ResourceNotFoundError('widgets.example.com').resource; // 'widgets.example.com'
 * ```
 */
export class ResourceNotFoundError extends Error {
  /** Always `ResourceNotFoundError`. */
  override readonly name = 'ResourceNotFoundError';
  /** The name that was looked up. */
  readonly resource: string;

  /**
   * @param resource - the name that was looked up.
   * @param detail - what was searched, appended to the message.
   */
  constructor(resource: string, detail = '') {
    super(`the server has no resource ${JSON.stringify(resource)}${detail === '' ? '' : ` (${detail})`}`);
    this.resource = resource;
  }
}

interface Query {
  readonly text: string;
  readonly name: string;
  /** `''` = core; `undefined` = any group, core first. */
  readonly group?: string;
  readonly version?: string;
}

interface DiscoveredGroup {
  readonly name: string;
  readonly preferredVersion: string;
  readonly versions: readonly string[];
}

interface DiscoveredResource extends ResolvedResource {
  readonly singular: string;
  readonly shortNames: readonly string[];
}

/** One cluster's discovery documents, fetched on demand and shared by every lookup. */
interface Discovery {
  readonly documents: Map<string, Promise<unknown>>;
  readonly fetch: FetchFunction;
  readonly server: string;
}

const discoveries = new WeakMap<KubeConfig, Map<string, Discovery>>();
/** Discovery documents are small; a request that takes this long is stuck. */
const DISCOVERY_TIMEOUT_MS = 60_000;
const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;

/**
 * Finds a resource by the names `kubectl` accepts, through the API server's discovery documents.
 *
 * Accepted forms: the plural (`pods`), singular (`pod`), short name (`po`) or kind (`Pod`),
 * case-insensitive; qualified by group (`deployments.apps`, `Deployment.apps`,
 * `certificates.cert-manager.io`), by version and group (`deployments.v1.apps`), or by
 * group-version (`v1/pods`, `apps/v1/deployments`). An unqualified name is looked up in the core
 * group first, then in every group's preferred version in discovery order, like kubectl.
 * Subresources (`pods/log`) are never matched.
 *
 * Discovery (`/api/v1`, `/apis`, `/apis/G/V`) is fetched lazily, only as far as the name needs,
 * and cached per `KubeConfig` and cluster server for the life of the `KubeConfig`; a name not
 * found in cached documents refreshes them once (a CRD may have been installed since). A group
 * whose discovery fails (an aggregated API that is down) is skipped unless the name is qualified
 * with that group.
 *
 * @example
 * ```ts
 * import { KubeConfig } from '@kubernetes/client-node';
 * import { resolveResource } from 'rxkube/kube';
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const r = await resolveResource(kc, 'deploy');
 * // { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, verbs: [...] }
 * ```
 *
 * @param kubeConfig - a loaded kubeconfig; its current context selects the cluster.
 * @param nameOrKind - what to look up, as above.
 * @returns the resource; rejects with {@link ResourceNotFoundError}, with an `ApiError` when a
 * discovery request the name depends on fails, or with the transport's error.
 */
export async function resolveResource(kubeConfig: KubeConfig, nameOrKind: string): Promise<ResolvedResource> {
  const query = parseQuery(nameOrKind);
  const discovery = discoveryFor(kubeConfig);
  const hadCache = discovery.documents.size > 0;
  const found = await lookup(discovery, query);
  if (found !== undefined) return publicResource(found);
  if (!hadCache) notFound(query);
  discovery.documents.clear();
  return publicResource((await lookup(discovery, query)) ?? notFound(query));
}

function notFound(query: Query): never {
  const where =
    query.group === undefined ? 'searched the core group and every API group' : `searched ${query.group === '' ? 'the core group' : `group ${query.group}`}`;
  throw new ResourceNotFoundError(query.text, where);
}

function discoveryFor(kubeConfig: KubeConfig): Discovery {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  let byServer = discoveries.get(kubeConfig);
  if (byServer === undefined) {
    byServer = new Map();
    discoveries.set(kubeConfig, byServer);
  }
  let discovery = byServer.get(cluster.server);
  if (discovery === undefined) {
    discovery = { documents: new Map(), fetch: kubeFetch(kubeConfig), server: cluster.server.replace(/\/+$/, '') };
    byServer.set(cluster.server, discovery);
  }
  return discovery;
}

/**
 * Parses the forms kubectl accepts. Resource names contain no dots, so the first dot separates
 * the name from a (possibly version-prefixed) group.
 */
function parseQuery(text: string): Query {
  const trimmed = text.trim();
  if (trimmed === '') throw new TypeError('resource name must not be empty');
  const slash = trimmed.lastIndexOf('/');
  if (slash >= 0) {
    const groupVersion = trimmed.slice(0, slash);
    const name = trimmed.slice(slash + 1);
    const split = groupVersion.indexOf('/');
    if (split < 0) return { text, name, group: '', version: groupVersion };
    return { text, name, group: groupVersion.slice(0, split), version: groupVersion.slice(split + 1) };
  }
  const dot = trimmed.indexOf('.');
  if (dot < 0) return { text, name: trimmed };
  const name = trimmed.slice(0, dot);
  const rest = trimmed.slice(dot + 1);
  const next = rest.indexOf('.');
  if (next > 0 && VERSION.test(rest.slice(0, next))) return { text, name, version: rest.slice(0, next), group: rest.slice(next + 1) };
  return { text, name, group: rest };
}

async function lookup(discovery: Discovery, query: Query): Promise<DiscoveredResource | undefined> {
  if (query.group === '') return match(await resources(discovery, '', query.version ?? 'v1'), query.name);
  if (query.group !== undefined) {
    const wanted = query.group.toLowerCase();
    const group = (await groups(discovery)).find((g) => g.name.toLowerCase() === wanted);
    if (group === undefined) return undefined;
    const version = query.version ?? group.preferredVersion;
    if (!group.versions.includes(version)) return undefined;
    return match(await resources(discovery, group.name, version), query.name);
  }
  const core = match(await resources(discovery, '', 'v1'), query.name);
  if (core !== undefined) return core;
  const all = await groups(discovery);
  const lists = await Promise.allSettled(all.map((g) => resources(discovery, g.name, g.preferredVersion)));
  for (const list of lists) {
    const found = list.status === 'fulfilled' ? match(list.value, query.name) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

function match(candidates: readonly DiscoveredResource[], name: string): DiscoveredResource | undefined {
  const wanted = name.toLowerCase();
  return (
    candidates.find((r) => r.plural === wanted || r.singular === wanted || r.shortNames.includes(wanted)) ??
    candidates.find((r) => r.kind.toLowerCase() === wanted)
  );
}

async function groups(discovery: Discovery): Promise<readonly DiscoveredGroup[]> {
  const document = await fetchDocument(discovery, '/apis');
  const list = isRecord(document) && Array.isArray(document['groups']) ? document['groups'] : [];
  const result: DiscoveredGroup[] = [];
  for (const g of list) {
    if (!isRecord(g) || typeof g['name'] !== 'string') continue;
    const versions = (Array.isArray(g['versions']) ? g['versions'] : [])
      .map((v) => (isRecord(v) && typeof v['version'] === 'string' ? v['version'] : undefined))
      .filter((v): v is string => v !== undefined);
    const preferred = isRecord(g['preferredVersion']) && typeof g['preferredVersion']['version'] === 'string' ? g['preferredVersion']['version'] : versions[0];
    if (preferred !== undefined) result.push({ name: g['name'], preferredVersion: preferred, versions });
  }
  return result;
}

async function resources(discovery: Discovery, group: string, version: string): Promise<readonly DiscoveredResource[]> {
  const path = group === '' ? `/api/${encodeURIComponent(version)}` : `/apis/${encodeURIComponent(group)}/${encodeURIComponent(version)}`;
  const document = await fetchDocument(discovery, path);
  const list = isRecord(document) && Array.isArray(document['resources']) ? document['resources'] : [];
  const result: DiscoveredResource[] = [];
  for (const r of list) {
    if (!isRecord(r) || typeof r['name'] !== 'string' || r['name'].includes('/') || typeof r['kind'] !== 'string') continue;
    result.push({
      group,
      version,
      plural: r['name'],
      kind: r['kind'],
      namespaced: r['namespaced'] === true,
      verbs: strings(r['verbs']),
      singular: typeof r['singularName'] === 'string' && r['singularName'] !== '' ? r['singularName'] : r['kind'].toLowerCase(),
      shortNames: strings(r['shortNames']),
    });
  }
  return result;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** One GET per path per cache generation; concurrent lookups share it; failures are not cached. */
function fetchDocument(discovery: Discovery, path: string): Promise<unknown> {
  const cached = discovery.documents.get(path);
  if (cached !== undefined) return cached;
  const promise = (async () => {
    const response = await discovery.fetch(discovery.server + path, {
      method: 'GET',
      headers: new Headers({ Accept: 'application/json' }),
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
    if (!response.ok) throw await apiErrorFromResponse(response);
    return JSON.parse(await readBodyText(response.body)) as unknown;
  })();
  discovery.documents.set(path, promise);
  promise.catch(() => {
    if (discovery.documents.get(path) === promise) discovery.documents.delete(path);
  });
  return promise;
}

function publicResource(r: ResolvedResource): ResolvedResource {
  return { group: r.group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs };
}
