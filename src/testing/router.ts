import type { RequestInfo } from './server-state.ts';
import type { ResourceStore } from './resource-store.ts';

/** A resource path, parsed. */
export interface ResourcePath {
  readonly store: ResourceStore;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** The deprecated `/watch/` path prefix was used. */
  readonly watchPrefix: boolean;
}

/**
 * Parses `/api/v1/[watch/][namespaces/NS/]PLURAL[/NAME[/SUB]]` and the `/apis/G/V/…` form.
 * Returns `undefined` for paths that name no registered resource.
 */
export function routeResource(path: string, stores: ReadonlyMap<string, ResourceStore>): ResourcePath | undefined {
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  const store = stores.get(group === '' ? plural : `${plural}.${group}`);
  if (store === undefined || store.def.version !== version) return undefined;
  if (namespace !== undefined && !store.def.namespaced) return undefined;
  if (name !== undefined && store.def.namespaced && namespace === undefined) return undefined;
  return { store, namespace, name, subresource, watchPrefix };
}

/** The verb of a resource request. */
export function verbOf(method: string, hasName: boolean, watch: boolean): RequestInfo['verb'] {
  switch (method) {
    case 'GET': return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return 'delete';
    default: return 'other';
  }
}
