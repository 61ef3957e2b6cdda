/**
 * The example's data: a pods informer (indexed by node) and a nodes informer over the page's own
 * origin, which proxies `/api` to the simulated API server. Created once, at module scope: every
 * component binds to the same two informers, so the page makes one list/watch per collection
 * however many components show them.
 */
import { ReplaySubject } from 'rxjs';
import { fetchListWatch, informer } from 'rxkube';
import type { Failure, KubeObject } from 'rxkube';

/** The parts of a pod the example reads. */
export interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

const failures = new ReplaySubject<Failure>(1);
/** The latest failure of either informer (their `onError` hook): what the status banner shows. */
export const failure$ = failures.asObservable();
const onError = (failure: Failure): void => {
  console.warn(failure.message);
  failures.next(failure);
};

// Someone is looking at the page: reconnect sooner than client-go's controller defaults.
const backoff = { initialMs: 300, capMs: 4_000, resetAfterMs: 15_000 };

export const pods = informer(fetchListWatch<Pod>({ baseUrl: '', resource: { version: 'v1', plural: 'pods' } }), {
  name: 'pods',
  indexes: { node: (pod: Pod) => pod.spec?.nodeName },
  backoff,
  onError,
});

export const nodes = informer(fetchListWatch({ baseUrl: '', resource: { version: 'v1', plural: 'nodes' } }), { name: 'nodes', backoff, onError });
