/**
 * The real kube-apiserver as the fault injector (issue 13): seeded schedules of churn through the
 * real API and faults of the real server and the network between it and rxkube —
 *
 * - `kill -9` of the control plane process (kube-apiserver with its embedded etcd) and a restart
 *   on the same etcd data and port;
 * - etcd compaction while the informer is disconnected (its resume point is gone: 410, relist)
 *   and while it watches, under continuous churn;
 * - a loopback TCP proxy between rxkube and the server that resets, blackholes (half-open
 *   connections: the informer must notice by itself) and slows;
 * - overload answered with 429 (`--max-requests-inflight=1`, the seat held by requests that
 *   wait for a resourceVersion from the future).
 *
 * After every schedule the informer must equal a fresh LIST exactly (keys, resourceVersions,
 * uids), the deltas replayed from its first Reflection must equal its last snapshot, and no delta
 * may be lost or duplicated (test/chaos's DeltaLedger).
 */
import { Agent, request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { Subscription } from 'rxjs';
import { informer } from '../../src/informer/informer.ts';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { mulberry32, type Rng } from '../../src/testing/index.ts';
import { startControlPlane, type ControlPlane } from '../apiserver/harness.ts';
import { DeltaLedger, diffAgainstServer, diffLedger, sleep } from '../chaos/harness.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

/** The group of the unprivileged user rxkube runs as (system:masters is exempt from 429s). */
const USER_GROUP = 'rxkube-fault-testers';

export interface RestResult {
  readonly status: number;
  readonly body: any;
}

/** A tiny REST client for one identity, straight to the server (not through the proxy). */
export interface Rest {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<RestResult>;
  close(): void;
}

function rest(url: string, token: string, ca: string): Rest {
  const agent = new Agent({ keepAlive: true, ca, maxSockets: 8 });
  return {
    call: (method, path, body, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
        if (body !== undefined) headers['content-type'] = contentType;
        const req = request(url + path, { method, headers, agent, timeout: 30_000 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      }),
    close: () => agent.destroy(),
  };
}

/** One control plane, a proxy in front of it and the identities, shared by the schedules of a file. */
export interface FaultEnv {
  readonly cp: ControlPlane;
  readonly proxy: TcpProxy;
  /** The administrator (system:masters), straight to the server: churn and truth. */
  readonly admin: Rest;
  /** The unprivileged user rxkube runs as, straight to the server: the overload's blockers. */
  readonly user: Rest;
  /** A kubeconfig for the unprivileged user, through the proxy. */
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

/** Starts the control plane for the tier: configmaps bypass the watch cache (compaction → 410). */
export async function startFaultEnv(): Promise<FaultEnv> {
  const userToken = `rxkubefault${Math.random().toString(36).slice(2, 14)}`;
  const cp = await startControlPlane({
    watchCacheSizes: { configmaps: 0 },
    extraTokens: { [userToken]: [USER_GROUP] },
    // The classic in-flight limit answers 429 at once (priority and fairness would queue first).
    extraArgs: ['--enable-priority-and-fairness=false', '--max-requests-inflight=1'],
  });
  const proxy = await startTcpProxy({ port: Number(new URL(cp.url).port) });
  const admin = rest(cp.url, cp.token, cp.caCert);
  const user = rest(cp.url, userToken, cp.caCert);
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: USER_GROUP },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: USER_GROUP }],
  };
  const r = await admin.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding);
  if (r.status !== 201) throw new Error(`creating the ClusterRoleBinding: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  const proxied = cp.kubeconfig.replace(cp.url, `https://127.0.0.1:${proxy.port}`).replace(`token: ${cp.token}`, `token: ${userToken}`);
  return {
    cp,
    proxy,
    admin,
    user,
    kubeConfig: () => {
      const kc = new KubeConfig();
      kc.loadFromString(proxied);
      return kc;
    },
    close: async () => {
      admin.close();
      user.close();
      await proxy.close();
      await cp.stop();
    },
  };
}

export type FaultKind = 'reset' | 'blackhole' | 'slow' | 'compactWhileDisconnected' | 'compactLive' | 'kill9Restart' | 'overload429';

export interface FaultScheduleResult {
  readonly seed: number;
  readonly resource: string;
  readonly faults: Partial<Record<FaultKind, number>>;
  /** Churn operations that the server accepted, and those that failed (server down, conflicts). */
  readonly operations: number;
  readonly failedOperations: number;
  /** Status phases, `backingOff:<error>` and `relisting:<reason>` included. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly reflections: number;
  readonly deltas: number;
  readonly objects: number;
  readonly convergedAfterMs: number;
  readonly divergences: readonly string[];
  readonly trace: readonly string[];
}

export interface FaultScheduleOptions {
  /** Fault steps. @defaultValue 4–7, drawn from the seed */
  readonly steps?: number;
  /** Stall limit of the informer's transport. @defaultValue 2000 */
  readonly stallTimeoutMs?: number;
  /** Faults to draw from. @defaultValue all */
  readonly kinds?: readonly FaultKind[];
  /** Bound on convergence once quiet. @defaultValue 60 000 */
  readonly convergeBoundMs?: number;
  /** The collection watched. @defaultValue drawn from the seed */
  readonly resource?: 'configmaps' | 'secrets';
}

const NAMES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'];
const ALL_KINDS: readonly FaultKind[] = ['reset', 'blackhole', 'slow', 'compactWhileDisconnected', 'compactLive', 'kill9Restart', 'overload429'];

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

let namespaceCounter = 0;

/** Runs one seeded schedule; never throws for a divergence (it is in the result). */
export async function runFaultSchedule(env: FaultEnv, seed: number, options: FaultScheduleOptions = {}): Promise<FaultScheduleResult> {
  const rng = mulberry32(seed);
  // configmaps: served from etcd (watch cache off), so compaction expires the informer's resume
  // point; secrets: served from the watch cache, which a restart empties (410 on resume).
  const drawn = rng() < 0.6 ? 'configmaps' : 'secrets';
  const plural = options.resource ?? drawn;
  const steps = options.steps ?? int(rng, 4, 7);
  const stallTimeoutMs = options.stallTimeoutMs ?? 2000;
  const kinds = options.kinds ?? ALL_KINDS;
  const namespace = `faults-${seed}-${process.pid}-${++namespaceCounter}`;
  const trace: string[] = [`seed ${seed}: ${plural} in ${namespace}, ${steps} steps`];
  const faults: Partial<Record<FaultKind, number>> = {};
  const statuses: Record<string, number> = {};
  const { admin, user, proxy, cp } = env;
  const path = `/api/v1/namespaces/${namespace}/${plural}`;

  await until(async () => (await admin.call('POST', '/api/v1/namespaces', { metadata: { name: namespace } })).status === 201, 30_000, 'create the namespace');

  // Churn: creates, updates, deletes and delete+recreates (a new uid), straight to the server,
  // until stopped; failures (the server is down, a conflict) are counted and skipped.
  let churning = true;
  let operations = 0;
  let failedOperations = 0;
  let generation = 0;
  const existing = new Set<string>();
  const churnRng = mulberry32(seed ^ 0xc0ffee);
  const body = (name: string): object => {
    const data = { g: String(++generation) };
    return plural === 'secrets' ? { metadata: { name }, stringData: data } : { metadata: { name }, data };
  };
  const operate = async (): Promise<void> => {
    const name = pick(churnRng, NAMES);
    const roll = churnRng();
    const ok = (r: RestResult): boolean => r.status >= 200 && r.status < 300;
    try {
      if (!existing.has(name)) {
        const r = await admin.call('POST', path, body(name));
        if (ok(r) || r.status === 409) existing.add(name);
        if (!ok(r)) throw new Error(`create ${r.status}`);
      } else if (roll < 0.6) {
        const data = { g: String(++generation) };
        const r = await admin.call('PATCH', `${path}/${name}`, plural === 'secrets' ? { stringData: data } : { data }, 'application/merge-patch+json');
        if (r.status === 404) existing.delete(name);
        if (!ok(r)) throw new Error(`update ${r.status}`);
      } else {
        const r = await admin.call('DELETE', `${path}/${name}`);
        if (ok(r) || r.status === 404) existing.delete(name);
        if (!ok(r)) throw new Error(`delete ${r.status}`);
        if (roll > 0.85) {
          const again = await admin.call('POST', path, body(name));
          if (ok(again)) existing.add(name);
          else throw new Error(`recreate ${again.status}`);
        }
      }
      operations++;
    } catch {
      failedOperations++;
    }
  };
  const churn = (async () => {
    while (churning) {
      await operate();
      await sleep(int(churnRng, 5, 40));
    }
  })();
  for (let i = 0; i < 6; i++) await operate();

  const subscriptions = new Subscription();
  const clientRng = mulberry32(seed ^ 0x5eed);
  const inf = informer<KubeObject>(kubeListWatch(env.kubeConfig(), { version: 'v1', plural }, { namespace, stallTimeoutMs }), {
    backoff: { initialMs: 50, capMs: 1000, resetAfterMs: 5000, random: clientRng },
    random: clientRng,
    minWatchTimeoutSeconds: 5,
    pageSize: pick(rng, [0, 3, 500]),
  });
  subscriptions.add(inf.status$.subscribe((s: InformerStatus) => {
    let label: string = s.phase;
    if (s.phase === 'backingOff') {
      const e = s.error as { name?: string; code?: unknown } | undefined;
      label += `:${e?.name ?? typeof e}${typeof e?.code === 'number' ? ` ${e.code}` : ''}`;
    }
    if (s.phase === 'relisting' || s.phase === 'listing') label += `:${s.reason}`;
    statuses[label] = (statuses[label] ?? 0) + 1;
  }));
  const ledger = new DeltaLedger();
  subscriptions.add(inf.reflections$.subscribe({
    next: (r) => ledger.apply(r),
    error: (e: unknown) => ledger.violations.push(`reflections$ errored: ${String(e)}`),
  }));

  const count = (f: FaultKind): void => {
    faults[f] = (faults[f] ?? 0) + 1;
    trace.push(`fault ${f}`);
  };
  let restarts = 0;
  try {
    await until(async () => inf.getSnapshot() !== undefined, 30_000, 'the first sync');
    for (let step = 0; step < steps; step++) {
      await sleep(int(rng, 200, 1200));
      let kind = pick(rng, kinds);
      if (kind === 'kill9Restart' && restarts > 0) kind = 'reset';
      switch (kind) {
        case 'reset':
          count(kind);
          proxy.reset();
          break;
        case 'blackhole':
          count(kind);
          proxy.setMode('blackhole');
          await sleep(stallTimeoutMs + int(rng, 500, 1500));
          proxy.setMode('forward');
          break;
        case 'slow':
          count(kind);
          proxy.setMode('slow', int(rng, 20, 250));
          await sleep(int(rng, 500, 2000));
          proxy.setMode('forward');
          break;
        case 'compactWhileDisconnected':
          count(kind);
          proxy.setMode('refuse');
          proxy.reset();
          await sleep(int(rng, 300, 1500));
          await cp.compact();
          proxy.setMode('forward');
          break;
        case 'compactLive':
          count(kind);
          await cp.compact();
          break;
        case 'kill9Restart':
          count(kind);
          restarts++;
          await cp.kill();
          await sleep(int(rng, 0, 1000));
          await cp.restart();
          break;
        case 'overload429': {
          count(kind);
          // Blockers hold the single in-flight seat (each waits ~3 s for a resourceVersion from
          // the future); meanwhile a forced relist meets 429s.
          let blocking = true;
          const answers: Record<number, number> = {};
          const blockers = Array.from({ length: 3 }, async () => {
            while (blocking) {
              const r = await user.call('GET', '/api/v1/secrets?resourceVersion=999999999&resourceVersionMatch=NotOlderThan&limit=1').catch(() => undefined);
              if (r) answers[r.status] = (answers[r.status] ?? 0) + 1;
              if (r?.status !== 504) await sleep(10);
            }
          });
          await sleep(200);
          proxy.setMode('refuse');
          proxy.reset();
          await sleep(int(rng, 300, 800));
          await cp.compact();
          proxy.setMode('forward');
          await sleep(int(rng, 1500, 3000));
          blocking = false;
          await Promise.all(blockers);
          trace.push(`blockers were answered ${JSON.stringify(answers)}`);
          break;
        }
      }
    }
    trace.push('quiet');
    churning = false;
    await churn;
    proxy.setMode('forward');

    // Converged: the snapshot equals a fresh LIST, and the deltas replayed equal the snapshot.
    let items: KubeObject[] = [];
    const started = performance.now();
    let problems: string[] = [];
    const bound = options.convergeBoundMs ?? 60_000;
    for (;;) {
      const list = await admin.call('GET', path).catch(() => undefined);
      if (list?.status === 200) {
        items = (list.body as { items: KubeObject[] }).items.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
        const snapshot = inf.getSnapshot();
        problems = [...diffAgainstServer(snapshot, items), ...diffLedger(ledger, snapshot)];
        if (problems.length === 0) break;
      }
      if (performance.now() - started > bound) break;
      await sleep(200);
    }
    const convergedAfterMs = Math.round(performance.now() - started);
    const divergences = [...problems, ...ledger.violations];
    for (const item of items) {
      const id = `${namespace}/${item.metadata?.name}@${item.metadata?.resourceVersion}@${item.metadata?.uid}`;
      if (!ledger.delivered.has(id)) divergences.push(`never delivered: ${id}`);
    }
    return {
      seed,
      resource: plural,
      faults,
      operations,
      failedOperations,
      statuses,
      reflections: ledger.reflections,
      deltas: ledger.deltas,
      objects: items.length,
      convergedAfterMs,
      divergences,
      trace,
    };
  } finally {
    churning = false;
    await churn;
    subscriptions.unsubscribe();
    proxy.setMode('forward');
    await admin.call('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
  }
}

async function until(check: () => Promise<boolean>, boundMs: number, what: string): Promise<void> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A failure report: seed, replay command, divergences, schedule. */
export function describeFaultFailure(r: FaultScheduleResult): string {
  return [
    `real-apiserver fault schedule diverged — replay with: FAULTS_SEED=${r.seed} npx vitest run --project faults`,
    ...r.divergences.slice(0, 15).map((d) => `  ✗ ${d}`),
    `statuses: ${JSON.stringify(r.statuses)}`,
    ...r.trace.map((t) => `  ${t}`),
  ].join('\n');
}
