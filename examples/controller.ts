// A small controller: give every Deployment the `team` label of its namespace.
// Runs against an embedded simulated cluster: `npm run build && node examples/controller.ts`.
import { fetchListWatch, informer, reconcile, type KubeObject } from 'rxkube';
import { createSimulatedApiServer, generateDeployment, mulberry32 } from 'rxkube/testing';

const server = await createSimulatedApiServer();
const rng = mulberry32(3);
for (const [name, team] of [['shop', 'checkout'], ['payments', 'money']] as const) server.create('namespaces', { metadata: { name, labels: { team } } });
for (let i = 0; i < 6; i++) server.create('deployments.apps', generateDeployment(rng, i, { namespace: i % 2 ? 'shop' : 'payments' }));

// ── the controller ──────────────────────────────────────────────────────────────
const namespaces = informer(fetchListWatch({ baseUrl: server.url, resource: '/api/v1/namespaces' }));
const deployments = informer(fetchListWatch({ baseUrl: server.url, resource: '/apis/apps/v1/deployments' }));
const keepNamespaces = namespaces.reflections$.subscribe();
const controller = deployments.reflections$.pipe(
  reconcile(async (key, deployment: KubeObject | undefined) => {
    if (!deployment || deployment.metadata?.labels?.['team']) return; // deleted, or done
    const team = namespaces.getSnapshot()?.get(deployment.metadata?.namespace ?? '')?.metadata?.labels?.['team'];
    if (!team) return { requeueAfter: 200 }; // namespaces not synced yet: look again soon
    const [ns, name] = key.split('/');
    const res = await fetch(`${server.url}/apis/apps/v1/namespaces/${ns}/deployments/${name}`, {
      method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { team } } }),
    });
    if (!res.ok) throw new Error(`PATCH ${key}: ${res.status}`); // retried with backoff
  }, { concurrency: 2 }),
).subscribe((o) => console.log(o.type, o.key));
// ────────────────────────────────────────────────────────────────────────────────

const labelled = () => server.list('deployments.apps').items.filter((d) => d.metadata?.labels?.['team']).length;
for (let i = 0; i < 100 && labelled() < 6; i++) await new Promise((r) => setTimeout(r, 50));
console.log(`labelled ${labelled()}/6 deployments`);
controller.unsubscribe();
keepNamespaces.unsubscribe();
await server.close();
