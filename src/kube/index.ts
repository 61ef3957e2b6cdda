/**
 * rxkube/kube — connect rxkube to real clusters from Node.js, with a kubeconfig.
 *
 * Authentication, TLS and proxies come from `@kubernetes/client-node`'s `KubeConfig` (tokens,
 * token files, exec plugins, client certificates, custom CAs, `insecure-skip-tls-verify`,
 * `proxy-url`); resources can be named as with `kubectl` and are resolved through discovery.
 * Node-only: browsers use `fetchListWatch` from `rxkube` with a proxy or a token.
 *
 * Needs `@kubernetes/client-node`, an optional peer dependency of rxkube:
 * `npm install @kubernetes/client-node`. Without it, importing this subpath throws a
 * `MissingPeerDependencyError` that says so.
 *
 * @packageDocumentation
 */
import { loadPeer } from '../internal/index.ts';

// The modules below use client-node's types only; this check turns its absence into one message
// saying what to install, instead of a failure later in the caller's own KubeConfig import.
await loadPeer(() => import('@kubernetes/client-node'), '@kubernetes/client-node', 'rxkube/kube');

// ── List/watch from a kubeconfig ──────────────────────────────────────────────
export { kubeListWatch } from './kube-list-watch.ts';
export type { KubeListWatchOptions } from './kube-list-watch.ts';

// ── Transport ─────────────────────────────────────────────────────────────────
export { kubeFetch } from './kube-fetch.ts';

// ── Leader election ───────────────────────────────────────────────────────────
export { kubeLeaseClient } from './lease-client.ts';

// ── Discovery ─────────────────────────────────────────────────────────────────
export { resolveResource, ResourceNotFoundError } from './resolve-resource.ts';
export type { ResolvedResource } from './resolve-resource.ts';
