// One replica of a sharded controller: labels every pod of its shard `rxkube.io/owner=<identity>`.
// The replicas split the pods among themselves through a ring of Leases (shardRing); when one
// dies, the others take over its pods. See docs/scaling-out.md.
//
//   npm run build
//   npx rxkube serve --port 8001                     # terminal 1: the simulated cluster (100 pods, churning)
//   node examples/scaling-out/replica.ts a           # terminals 2, 3, 4: three replicas
//   node examples/scaling-out/replica.ts b
//   node examples/scaling-out/replica.ts c
//   kubectl --server http://127.0.0.1:8001 get pods -L rxkube.io/owner   # who owns what
//   kill -9 <pid of b>                               # a and c take b's pods within ~3 s + one relist
//
// RXKUBE_SERVER overrides the server URL (default http://127.0.0.1:8001).
import { map } from 'rxjs';
import { fetchListWatch, informer, reconcile, type KubeObject } from 'rxkube';
import { fetchLeaseClient } from 'rxkube/leader';
import { shardRing, whileOwning, type Shard } from 'rxkube/shard';

const identity = process.argv[2] ?? `replica-${process.pid}`;
const baseUrl = process.env.RXKUBE_SERVER ?? 'http://127.0.0.1:8001';
const OWNER = 'rxkube.io/owner';

const percent = (shard: Shard | undefined): string => {
  const width = (shard?.ranges ?? []).reduce((sum, r) => sum + (r.end - r.start), 0n);
  return `${Number((width * 1000n) / (1n << 64n)) / 10}%`;
};

// Short timings for a demo: a crashed replica's pods move after 3 s (the default lease is 15 s).
const ring$ = shardRing(fetchLeaseClient({ baseUrl }), {
  namespace: 'default',
  ring: 'pod-labeller',
  identity,
  leaseDurationMs: 3000,
  renewDeadlineMs: 2000,
  retryPeriodMs: 500,
  onError: (error) => console.error(`${identity}: ${error instanceof Error ? error.message : String(error)}`),
});

const run = ring$
  .pipe(
    map((assignment) => {
      console.log(`${identity}: members ${assignment.members.join(',') || '-'} epoch ${assignment.epoch} shard ${percent(assignment.shard)} ready ${percent(assignment.ready)}`);
      return assignment;
    }),
    // The work runs only on the `ready` range, and restarts (a fresh list) whenever it changes.
    whileOwning((shard) =>
      informer(fetchListWatch<KubeObject>({ baseUrl, resource: '/api/v1/pods', shard })).reflections$.pipe(
        reconcile(
          async (key, pod, _snapshot, { signal }) => {
            if (pod === undefined || pod.metadata?.labels?.[OWNER] === identity) return;
            const [namespace, name] = key.split('/');
            const response = await fetch(`${baseUrl}/api/v1/namespaces/${namespace}/pods/${name}`, {
              method: 'PATCH',
              headers: { 'content-type': 'application/merge-patch+json' },
              body: JSON.stringify({ metadata: { labels: { [OWNER]: identity } } }),
              signal,
            });
            if (response.status === 404) return; // deleted meanwhile
            if (!response.ok) throw new Error(`PATCH ${key}: ${response.status}`); // retried with backoff
            console.log(`${identity}: labelled ${key}`);
          },
          { concurrency: 4 },
        ),
      ),
    ),
  )
  .subscribe({ error: (error: unknown) => console.error(`${identity}: stopped: ${String(error)}`) });

// A graceful stop releases the Lease: the others take over at their next round, not after 3 s.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => run.unsubscribe());
