import type { KubeObject } from '../index.ts';
import { generateDeployment, generateNode, generatePod } from './fixtures.ts';
import { mulberry32, pick, randomInt, type Rng } from './prng.ts';
import type { SimulatedApiServer } from './server.ts';

/**
 * Options of {@link startChurn}.
 *
 * @example
 * ```ts
 * import type { ChurnOptions } from 'rxkube/testing';
 * const opts: ChurnOptions = { seed: 1, ratePerSecond: 200, namespaces: ['a', 'b'], maxObjects: 500 };
 * ```
 */
export interface ChurnOptions {
  /** Seed of the generator; the same seed against the same initial state gives the same operations. */
  readonly seed: number;
  /**
   * Operations per second while running on a timer.
   * @defaultValue 100
   */
  readonly ratePerSecond?: number;
  /**
   * Namespaces pods and deployments are spread over.
   * @defaultValue `['default']`
   */
  readonly namespaces?: readonly string[];
  /**
   * Relative weights of the resources churned.
   * @defaultValue `{ pods: 8, deployments: 1, nodes: 1 }`
   */
  readonly weights?: {
    /** Weight of pods. */
    readonly pods?: number;
    /** Weight of deployments. */
    readonly deployments?: number;
    /** Weight of nodes. */
    readonly nodes?: number;
  };
  /**
   * Relative weights of creates, updates and deletes.
   * @defaultValue `{ create: 3, update: 6, delete: 1 }`
   */
  readonly mix?: {
    /** Weight of creates. */
    readonly create?: number;
    /** Weight of updates. */
    readonly update?: number;
    /** Weight of deletes. */
    readonly delete?: number;
  };
  /**
   * How many objects of each resource the churn keeps at most: at that count, creates become
   * updates, so the count hovers just under it. One number for every resource, or one per
   * resource (a resource left out gets 1000). Counts the objects the churn manages: those it
   * created, plus those it adopted (see `adoptExisting`).
   * @defaultValue 1000
   */
  readonly maxObjects?: number | {
    /** Most pods. */
    readonly pods?: number;
    /** Most deployments. */
    readonly deployments?: number;
    /** Most nodes. */
    readonly nodes?: number;
  };
  /**
   * Also update and delete the objects already in the server when the churn starts (namespaced
   * ones only in `namespaces`), and count them toward `maxObjects`. Without it, only objects the
   * churn created are updated or deleted.
   * @defaultValue false
   */
  readonly adoptExisting?: boolean;
  /**
   * Start the timer; `false` leaves the churn to `step()` calls.
   * @defaultValue true
   */
  readonly autoStart?: boolean;
}

/**
 * A running churn: `step(n)` performs operations synchronously; `stop()` ends the timer.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer, startChurn } from 'rxkube/testing';
 * const server = await createSimulatedApiServer();
 * const churn = startChurn(server, { seed: 1, autoStart: false });
 * churn.step(100);
 * churn.operations; // 100
 * ```
 */
export interface Churn {
  /** Operations performed so far. */
  readonly operations: number;
  /** Performs `n` operations now. */
  step(n?: number): void;
  /** Stops the timer (idempotent). */
  stop(): void;
}

type Kind = 'pods' | 'deployments.apps' | 'nodes';

function mutate(rng: Rng, kind: Kind, obj: KubeObject): KubeObject {
  const o = structuredClone(obj) as KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
  const meta = { ...o.metadata, labels: { ...o.metadata?.labels } };
  if (kind === 'pods') {
    const r = rng();
    if (r < 0.5) o.status = { ...o.status, phase: pick(rng, ['Running', 'Pending', 'Succeeded', 'Failed']) };
    else if (r < 0.8) meta.labels = { ...meta.labels, revision: String(randomInt(rng, 1, 1000)) };
    else meta.annotations = { ...meta.annotations, 'churn/touched': String(randomInt(rng, 1, 1e9)) };
  } else if (kind === 'deployments.apps') {
    o.spec = { ...o.spec, replicas: randomInt(rng, 0, 10) };
  } else {
    meta.annotations = { ...meta.annotations, 'node.alpha.kubernetes.io/heartbeat': String(randomInt(rng, 1, 1e9)) };
  }
  return { ...o, metadata: meta };
}

/**
 * Starts a seeded create/update/delete churn of realistic pods, deployments and nodes against a
 * simulated server (through its code API, so it costs no HTTP). Only objects the churn created
 * are updated or deleted, unless `adoptExisting` is set. The timer is unref'd; stop it (or close
 * the server) when done.
 *
 * Like a cluster: new pods are scheduled on nodes that exist (when there are any), deleting a
 * node deletes the pods on it (pod garbage collection), and new objects never reuse the name of
 * one that exists.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer, startChurn } from 'rxkube/testing';
 * const server = await createSimulatedApiServer();
 * const churn = startChurn(server, { seed: 42, ratePerSecond: 500, namespaces: ['a', 'b'] });
 * churn.stop();
 * ```
 * @param server - the server to change.
 * @param options - seed, rate, mix.
 * @returns the churn handle.
 */
export function startChurn(server: SimulatedApiServer, options: ChurnOptions): Churn {
  const rng = mulberry32(options.seed);
  const namespaces = options.namespaces ?? ['default'];
  const w = { pods: 8, deployments: 1, nodes: 1, ...options.weights };
  const mix = { create: 3, update: 6, delete: 1, ...options.mix };
  const maxOf = (kind: Kind): number => {
    const m = options.maxObjects;
    if (m === undefined || typeof m === 'number') return m ?? 1000;
    return (kind === 'pods' ? m.pods : kind === 'nodes' ? m.nodes : m.deployments) ?? 1000;
  };
  const max: Record<Kind, number> = { pods: maxOf('pods'), 'deployments.apps': maxOf('deployments.apps'), nodes: maxOf('nodes') };
  const keyOf = (o: KubeObject): string => (o.metadata?.namespace === undefined ? o.metadata?.name ?? '' : `${o.metadata.namespace}/${o.metadata.name ?? ''}`);
  const owned: Record<Kind, string[]> = { pods: [], 'deployments.apps': [], nodes: [] };
  if (options.adoptExisting === true) {
    for (const kind of ['nodes', 'pods', 'deployments.apps'] as const) {
      const items = kind === 'nodes' ? server.list(kind).items : namespaces.flatMap((ns) => server.list(kind, ns).items);
      owned[kind] = items.map(keyOf);
    }
  }
  // Where new pods are scheduled: every node in the server, kept up to date with our own changes.
  const nodeNames = new Set(server.list('nodes').items.map((n) => n.metadata?.name ?? ''));
  const counters: Record<Kind, number> = { pods: 0, 'deployments.apps': 0, nodes: 0 };
  let operations = 0;

  const generate = (kind: Kind, ns: string): KubeObject => {
    for (;;) {
      const i = counters[kind]++;
      const nodeName = nodeNames.size === 0 ? undefined : pick(rng, [...nodeNames]);
      const obj = kind === 'pods'
        ? generatePod(rng, i, { namespace: ns, ...(nodeName === undefined ? {} : { nodeName }) })
        : kind === 'nodes' ? generateNode(rng, i) : generateDeployment(rng, i, { namespace: ns });
      if (server.get(kind, keyOf(obj)) === undefined) return obj;
    }
  };

  const deleteNode = (name: string): void => {
    server.delete('nodes', name);
    nodeNames.delete(name);
    const orphans = server.list('pods').items.filter((p) => (p as { spec?: { nodeName?: string } }).spec?.nodeName === name).map(keyOf);
    for (const key of orphans) server.delete('pods', key);
    const gone = new Set(orphans);
    owned.pods = owned.pods.filter((k) => !gone.has(k));
  };

  const one = (): void => {
    const totalW = w.pods + w.deployments + w.nodes;
    const rk = rng() * totalW;
    const kind: Kind = rk < w.pods ? 'pods' : rk < w.pods + w.deployments ? 'deployments.apps' : 'nodes';
    const keys = owned[kind];
    const totalM = mix.create + mix.update + mix.delete;
    const rm = rng() * totalM;
    let op: 'create' | 'update' | 'delete' = rm < mix.create ? 'create' : rm < mix.create + mix.update ? 'update' : 'delete';
    if (keys.length === 0) op = 'create';
    if (op === 'create' && keys.length >= max[kind]) {
      if (keys.length === 0) {
        // maxObjects 0 and nothing to update: this operation is a no-op.
        operations++;
        return;
      }
      op = 'update';
    }
    if (op === 'create') {
      const created = server.create(kind, generate(kind, pick(rng, namespaces)));
      keys.push(keyOf(created));
      if (kind === 'nodes') nodeNames.add(created.metadata?.name ?? '');
    } else {
      const idx = Math.floor(rng() * keys.length);
      const key = keys[idx]!;
      const current = server.get(kind, key);
      if (current === undefined) {
        keys.splice(idx, 1);
      } else if (op === 'update') {
        server.update(kind, mutate(rng, kind, current));
      } else {
        keys.splice(idx, 1);
        if (kind === 'nodes') deleteNode(key);
        else server.delete(kind, key);
      }
    }
    operations++;
  };

  let timer: NodeJS.Timeout | undefined;
  let credit = 0;
  let last = performance.now();
  const rate = options.ratePerSecond ?? 100;
  if (options.autoStart !== false) {
    timer = setInterval(() => {
      const now = performance.now();
      credit += ((now - last) / 1000) * rate;
      last = now;
      const n = Math.floor(credit);
      credit -= n;
      try {
        for (let k = 0; k < n; k++) one();
      } catch {
        // The server may have been closed under us; churn is best-effort.
      }
    }, 10);
    timer.unref();
  }
  return {
    get operations() {
      return operations;
    },
    step(n = 1) {
      for (let k = 0; k < n; k++) one();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
