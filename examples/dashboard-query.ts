// A dashboard query: pods per node and phase, maintained from deltas (O(change) per event).
// Runs against an embedded simulated cluster with churn: `npm run build && node examples/dashboard-query.ts`.
import { fetchListWatch, groupCount, informer, type KubeObject } from 'rxkube';
import { createSimulatedApiServer, generatePod, mulberry32, startChurn } from 'rxkube/testing';

const server = await createSimulatedApiServer();
const rng = mulberry32(5);
for (let i = 0; i < 500; i++) server.create('pods', generatePod(rng, i, { nodeCount: 4 }));
const churn = startChurn(server, { seed: 6, ratePerSecond: 200, weights: { pods: 1, deployments: 0, nodes: 0 } });

// ── the query ───────────────────────────────────────────────────────────────────
interface Pod extends KubeObject { spec?: { nodeName?: string }; status?: { phase?: string } }
const pods = informer(fetchListWatch<Pod>({ baseUrl: server.url, resource: '/api/v1/pods' }));
const table$ = pods.reflections$.pipe(groupCount((pod) => `${pod.spec?.nodeName ?? '-'} ${pod.status?.phase ?? '?'}`));
let latest: [string, number][] = [];
const query = table$.subscribe(({ counts, changes }) => {
  latest = [...counts.entries()].sort();
  if (changes.length > 0) console.log(`changed: ${changes.map((c) => `${c.group} ${c.previous}→${c.count}`).join(', ')}`);
});
// ────────────────────────────────────────────────────────────────────────────────

await new Promise((r) => setTimeout(r, 1500));
churn.stop();
await new Promise((r) => setTimeout(r, 500));
console.log(latest.map(([cell, n]) => `${cell}\t${n}`).join('\n'));
console.log(`total ${latest.reduce((sum, [, n]) => sum + n, 0)} pods; server has ${server.list('pods').items.length}`);
query.unsubscribe();
await server.close();
