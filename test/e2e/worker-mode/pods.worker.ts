/**
 * The worker of the worker-mode e2e page: the pod informer and one counting view, off the main
 * thread. The page names the worker after the mode (`new Worker(url, { name })`):
 *
 * - `full` (default): whole pods, counted per node (`spec.nodeName`).
 * - `metadata`: `PartialObjectMetadata` lists and watches without managedFields (what a UI that
 *   shows names, labels and owners needs), counted per `app` label — the spec does not cross.
 */
import { map } from 'rxjs';
import { fetchListWatch, groupCount, informer, type KubeObject } from 'rxkube';
import { serveInformerInWorker, type MessageEndpoint } from 'rxkube/worker';

interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
}

const metadataOnly = (self as unknown as { name: string }).name === 'metadata';
const groupOf = metadataOnly ? (pod: Pod) => pod.metadata?.labels?.['app'] ?? '(none)' : (pod: Pod) => pod.spec?.nodeName ?? '(unscheduled)';

serveInformerInWorker(
  self as unknown as MessageEndpoint,
  () => informer(fetchListWatch<Pod>({ baseUrl: location.origin, resource: { version: 'v1', plural: 'pods' }, metadataOnly, omitManagedFields: metadataOnly })),
  { views: { groups: (r$) => r$.pipe(groupCount(groupOf), map((c) => c.counts)) } },
);
