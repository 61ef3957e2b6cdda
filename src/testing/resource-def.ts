import type { KubeObject } from '../index.ts';

/**
 * A resource the simulated API server serves: its group/version/kind, its URL name and scope,
 * and the field selectors it supports beyond `metadata.name` and `metadata.namespace`.
 *
 * @example
 * ```ts
 * import type { ResourceDef } from 'rxkube/testing';
 * const widgets: ResourceDef = {
 *   group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true,
 *   fieldSelectors: { 'spec.size': (o) => (o as { spec?: { size?: string } }).spec?.size },
 * };
 * ```
 */
export interface ResourceDef {
  /** API group; `''` for the core group (`/api/v1`). */
  readonly group: string;
  /** API version, e.g. `v1`. */
  readonly version: string;
  /** Kind of one object, e.g. `Pod`; lists are `<Kind>List`. */
  readonly kind: string;
  /** Lower-case plural used in URLs, e.g. `pods`. */
  readonly plural: string;
  /**
   * Lower-case singular for discovery.
   * @defaultValue `kind.toLowerCase()`
   */
  readonly singular?: string;
  /** Whether objects live in namespaces. */
  readonly namespaced: boolean;
  /**
   * Short names for discovery (`po`, `deploy`).
   * @defaultValue `[]`
   */
  readonly shortNames?: readonly string[];
  /**
   * Extra field-selector labels and how to read them. `metadata.name` and (for namespaced
   * resources) `metadata.namespace` are always supported; any other label is rejected with 400,
   * like the real server.
   * @defaultValue `{}`
   */
  readonly fieldSelectors?: Readonly<Record<string, (obj: KubeObject) => string | undefined>>;
  /**
   * Whether items of a JSON list carry `kind`/`apiVersion`. The real server omits them for
   * built-in types and includes them for custom resources.
   * @defaultValue `true` (custom-resource behaviour); the built-in definitions set `false`
   */
  readonly listItemsIncludeTypeMeta?: boolean;
  /**
   * Whether objects carry `metadata.generation` (bumped on spec changes). The real server sets it
   * for custom resources, pods and deployments, not for configmaps, services, namespaces, nodes or
   * events.
   * @defaultValue `true`
   */
  readonly generation?: boolean;
  /**
   * Whether a DELETE is graceful, like pods: the object is first updated with
   * `deletionTimestamp` and `deletionGracePeriodSeconds: 0` (a `MODIFIED` event, generation
   * bumped), then removed (`DELETED`), and the DELETE answers the object. Otherwise the DELETE
   * answers a `Success` Status and only `DELETED` is sent.
   * @defaultValue `false`
   */
  readonly gracefulDeletion?: boolean;
}

/** `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(def: ResourceDef): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

/** The name the server and its errors use for a resource: `pods`, `deployments.apps`. */
export function qualifiedResource(def: ResourceDef): string {
  return def.group === '' ? def.plural : `${def.plural}.${def.group}`;
}

/** The store key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${namespace ?? ''}/${name}` : name;
}

type Obj = { readonly [k: string]: unknown };

function path(obj: KubeObject, ...parts: string[]): string | undefined {
  let cur: unknown = obj;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[p];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'string' ? cur : String(cur);
}

const core = (kind: string, plural: string, namespaced: boolean, shortNames: string[], fieldSelectors: ResourceDef['fieldSelectors'] = {}, extra: Partial<ResourceDef> = {}): ResourceDef => ({
  group: '',
  version: 'v1',
  kind,
  plural,
  singular: kind.toLowerCase(),
  namespaced,
  shortNames,
  fieldSelectors,
  listItemsIncludeTypeMeta: false,
  generation: false,
  ...extra,
});

/**
 * The resources every simulated server serves unless told otherwise: pods, nodes, namespaces,
 * configmaps, services, events (core), deployments (apps) and leases (coordination.k8s.io, for
 * leader election and shard rings), with the field selectors the real server supports for them.
 *
 * @example
 * ```ts
 * import { builtInResources } from 'rxkube/testing';
 * builtInResources.map((d) => d.plural); // ['pods', 'nodes', …]
 * ```
 */
export const builtInResources: readonly ResourceDef[] = [
  core('Pod', 'pods', true, ['po'], {
    'spec.nodeName': (o) => path(o, 'spec', 'nodeName') ?? '',
    'spec.restartPolicy': (o) => path(o, 'spec', 'restartPolicy') ?? '',
    'spec.schedulerName': (o) => path(o, 'spec', 'schedulerName') ?? '',
    'spec.serviceAccountName': (o) => path(o, 'spec', 'serviceAccountName') ?? '',
    'spec.hostNetwork': (o) => path(o, 'spec', 'hostNetwork') ?? 'false',
    'status.phase': (o) => path(o, 'status', 'phase') ?? '',
    'status.podIP': (o) => path(o, 'status', 'podIP') ?? '',
    'status.nominatedNodeName': (o) => path(o, 'status', 'nominatedNodeName') ?? '',
  }, { generation: true, gracefulDeletion: true }),
  core('Node', 'nodes', false, ['no'], { 'spec.unschedulable': (o) => path(o, 'spec', 'unschedulable') ?? 'false' }),
  core('Namespace', 'namespaces', false, ['ns'], { 'status.phase': (o) => path(o, 'status', 'phase') ?? '' }),
  core('ConfigMap', 'configmaps', true, ['cm']),
  core('Service', 'services', true, ['svc']),
  core('Event', 'events', true, ['ev'], {
    'involvedObject.kind': (o) => path(o, 'involvedObject', 'kind') ?? '',
    'involvedObject.namespace': (o) => path(o, 'involvedObject', 'namespace') ?? '',
    'involvedObject.name': (o) => path(o, 'involvedObject', 'name') ?? '',
    'involvedObject.uid': (o) => path(o, 'involvedObject', 'uid') ?? '',
    'involvedObject.apiVersion': (o) => path(o, 'involvedObject', 'apiVersion') ?? '',
    'involvedObject.resourceVersion': (o) => path(o, 'involvedObject', 'resourceVersion') ?? '',
    'involvedObject.fieldPath': (o) => path(o, 'involvedObject', 'fieldPath') ?? '',
    reason: (o) => path(o, 'reason') ?? '',
    reportingComponent: (o) => path(o, 'reportingComponent') ?? '',
    source: (o) => path(o, 'source', 'component') ?? '',
    type: (o) => path(o, 'type') ?? '',
  }),
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    fieldSelectors: {},
    listItemsIncludeTypeMeta: false,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    kind: 'Lease',
    plural: 'leases',
    singular: 'lease',
    namespaced: true,
    shortNames: [],
    fieldSelectors: {},
    listItemsIncludeTypeMeta: false,
    generation: false,
  },
];
