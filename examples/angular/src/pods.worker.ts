/**
 * The worker of the example's worker mode (worker.html): the pods informer — list, watch, parse,
 * store — and the two per-node counts the page shows run here, off the main thread. Only the
 * counts cross to the page, one small message per frame; a pod crosses only when the page asks
 * for it by key.
 */
import { map } from 'rxjs';
import { fetchListWatch, groupCount, informer } from 'rxkube';
import { serveInformerInWorker, type MessageEndpoint } from 'rxkube/worker';
import type { Pod } from './cluster.ts';

// Someone is looking at the page: reconnect sooner than client-go's controller defaults.
const backoff = { initialMs: 300, capMs: 4_000, resetAfterMs: 15_000 };

serveInformerInWorker(
  self as unknown as MessageEndpoint,
  () =>
    informer(fetchListWatch<Pod>({ baseUrl: location.origin, resource: { version: 'v1', plural: 'pods' } }), {
      name: 'pods',
      backoff,
      onError: (failure) => console.warn(failure.message),
    }),
  {
    views: {
      podsPerNode: (r$) => r$.pipe(groupCount((pod: Pod) => pod.spec?.nodeName), map((c) => c.counts)),
      runningPerNode: (r$) => r$.pipe(groupCount((pod: Pod) => (pod.status?.phase === 'Running' ? pod.spec?.nodeName : undefined)), map((c) => c.counts)),
    },
  },
);
