// The README's example, in plain JavaScript: `npm run build`, `npx rxkube serve --port 8001` in
// one terminal (the simulated cluster, with churn), then `npx node examples/readme.mjs` in another.
// Against a real cluster, run `kubectl proxy` instead of `rxkube serve`.
import { fetchListWatch, informer } from 'rxkube';

const baseUrl = process.env.KUBE_API_URL ?? 'http://127.0.0.1:8001';
const pods = informer(fetchListWatch({ baseUrl, resource: { version: 'v1', plural: 'pods' } }), {
  indexes: { node: (pod) => pod.spec?.nodeName },
});
pods.status$.subscribe((status) => console.log('informer', status.phase));
pods.reflections$.subscribe(({ snapshot, deltas }) => {
  for (const d of deltas) console.log(d.type, d.key, d.finalStateUnknown ? '(seen by relist)' : '');
  console.log(snapshot.size, 'pods,', snapshot.byIndex('node', 'node-1').length, 'on node-1');
});
