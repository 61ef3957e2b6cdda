/** The worker of the worker-mode e2e page: the pod informer and a per-node count, off the main thread. */
import { map } from 'rxjs';
import { fetchListWatch, groupCount, informer, type KubeObject } from 'rxkube';
import { serveInformerInWorker, type MessageEndpoint } from 'rxkube/worker';

interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
}

serveInformerInWorker(
  self as unknown as MessageEndpoint,
  () => informer(fetchListWatch<Pod>({ baseUrl: location.origin, resource: { version: 'v1', plural: 'pods' } })),
  { views: { perNode: (r$) => r$.pipe(groupCount((pod: Pod) => pod.spec?.nodeName ?? '(unscheduled)'), map((c) => c.counts)) } },
);
