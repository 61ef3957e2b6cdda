import type { KubeConfig } from '@kubernetes/client-node';
import { fetchLeaseClient, type RingLeaseClient } from '../leader/index.ts';
import { kubeFetch } from './kube-fetch.ts';

/**
 * A {@link RingLeaseClient} for `leaderElection` and `shardRing` that authenticates like `kubectl`: the Lease
 * requests of `fetchLeaseClient` sent through {@link kubeFetch}, to the current cluster of the
 * kubeconfig (read once, here).
 *
 * The identity needs `get`, `create` and `update` on `leases` (`coordination.k8s.io`) in the
 * election's namespace, and `list` and `delete` there for `shardRing`.
 *
 * @example
 * ```ts
 * import { KubeConfig } from '@kubernetes/client-node';
 * import { leaderElection } from 'rxkube/leader';
 * import { kubeLeaseClient } from 'rxkube/kube';
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const leadership$ = leaderElection(kubeLeaseClient(kc), { namespace: 'default', name: 'my-controller', identity: process.env.HOSTNAME ?? 'local' });
 * ```
 *
 * @param kubeConfig - a loaded kubeconfig with a current cluster.
 * @returns a Lease client over the kubeconfig's credentials.
 * @throws Error when the kubeconfig has no current cluster.
 */
export function kubeLeaseClient(kubeConfig: KubeConfig): RingLeaseClient {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('kubeLeaseClient: the kubeconfig has no current cluster');
  return fetchLeaseClient({ baseUrl: cluster.server, fetch: kubeFetch(kubeConfig) });
}
