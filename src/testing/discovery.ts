import type { ServerResponse } from 'node:http';
import { sendJson } from './http-util.ts';
import type { ResourceDef } from './resource-def.ts';
import type { ServerState } from './server-state.ts';

/**
 * The version the simulated server reports at `/version`.
 *
 * @example
 * ```ts
 * import type { ServerVersion } from 'rxkube/testing';
 * const old: ServerVersion = { major: '1', minor: '26', gitVersion: 'v1.26.0' };
 * ```
 */
export interface ServerVersion {
  /** Major version, e.g. `1`. */
  readonly major: string;
  /** Minor version, e.g. `36`. */
  readonly minor: string;
  /** Full version string, e.g. `v1.36.3`. */
  readonly gitVersion: string;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function defs(state: ServerState): ResourceDef[] {
  return [...state.stores.values()].map((s) => s.def);
}

function resourceList(groupVersion: string, list: readonly ResourceDef[]): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: list.map((d) => {
      const r: Record<string, unknown> = {
        name: d.plural,
        singularName: d.singular ?? d.kind.toLowerCase(),
        namespaced: d.namespaced,
        kind: d.kind,
        verbs: VERBS,
      };
      if (d.shortNames !== undefined && d.shortNames.length > 0) r.shortNames = d.shortNames;
      return r;
    }),
  };
}

/**
 * Answers discovery and health paths: `/api`, `/api/v1`, `/apis`, `/apis/G`, `/apis/G/V`,
 * `/version`, `/healthz`, `/readyz`, `/livez`. Aggregated discovery is not offered: the legacy
 * documents are served whatever the Accept header asks, which kubectl and client-go accept.
 * `/openapi/*` is 404. Returns false for any other path.
 */
export function handleDiscovery(state: ServerState, path: string, res: ServerResponse, version: ServerVersion): boolean {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/healthz' || p === '/readyz' || p === '/livez') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end('ok');
    return true;
  }
  if (p === '/version') {
    sendJson(res, 200, { ...version, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.25.0', compiler: 'gc', platform: 'linux/amd64' });
    return true;
  }
  if (p === '/api') {
    sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: state.address }] });
    return true;
  }
  if (p === '/api/v1') {
    sendJson(res, 200, resourceList('v1', defs(state).filter((d) => d.group === '' && d.version === 'v1')));
    return true;
  }
  const groups = new Map<string, string[]>();
  for (const d of defs(state)) {
    if (d.group === '') continue;
    const vs = groups.get(d.group) ?? [];
    if (!vs.includes(d.version)) vs.push(d.version);
    groups.set(d.group, vs);
  }
  const group = (name: string, versions: string[]): unknown => ({
    name,
    versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${versions[0]!}`, version: versions[0]! },
  });
  if (p === '/apis') {
    sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([n, v]) => group(n, v)) });
    return true;
  }
  const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(p);
  if (m !== null && groups.has(m[1]!)) {
    const versions = groups.get(m[1]!)!;
    if (m[2] === undefined) {
      sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...(group(m[1]!, versions) as object) });
      return true;
    }
    if (versions.includes(m[2])) {
      sendJson(res, 200, resourceList(`${m[1]!}/${m[2]}`, defs(state).filter((d) => d.group === m[1] && d.version === m[2])));
      return true;
    }
  }
  return false;
}
