/**
 * rxkube/kube — connect rxkube to real clusters from Node.js, with a kubeconfig.
 *
 * Authentication, TLS and proxies come from `@kubernetes/client-node`'s `KubeConfig` (tokens,
 * token files, exec plugins, client certificates, custom CAs, `insecure-skip-tls-verify`,
 * `proxy-url`); resources can be named as with `kubectl` and are resolved through discovery.
 * Node-only: browsers use `fetchListWatch` from `rxkube` with a proxy or a token.
 *
 * @packageDocumentation
 */

// ── List/watch from a kubeconfig ──────────────────────────────────────────────
export { kubeListWatch } from './kube-list-watch.ts';
export type { KubeListWatchOptions } from './kube-list-watch.ts';

// ── Transport ─────────────────────────────────────────────────────────────────
export { kubeFetch } from './kube-fetch.ts';

// ── Discovery ─────────────────────────────────────────────────────────────────
export { resolveResource, ResourceNotFoundError } from './resolve-resource.ts';
export type { ResolvedResource } from './resolve-resource.ts';
