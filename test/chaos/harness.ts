/**
 * The chaos convergence harness: one seeded, randomised schedule of create/update/delete
 * operations (including delete-and-recreate under one name, so with a new uid) interleaved with
 * faults, against a simulated API server over real HTTP, watched by a shared informer; then, once
 * the server is quiet, a check that the informer converged to exactly the server's state.
 *
 * The schedule (operations, faults, sleeps, options) is a pure function of the seed; the
 * interleaving with the network is not (real sockets, real timers), so replaying a seed replays the
 * same schedule, not necessarily the same race.
 */
import { Subscription } from 'rxjs';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { informer } from '../../src/informer/informer.ts';
import type { InformerStatus } from '../../src/model/informer-status.ts';
import type { KubeObject, Status } from '../../src/model/kube-object.ts';
import type { ListWatch } from '../../src/model/wire.ts';
import type { Reflection, Snapshot } from '../../src/model/reflection.ts';
import { createSimulatedApiServer, mulberry32, type Rng, type SimulatedApiServer } from '../../src/testing/index.ts';

/** Applies every Reflection's deltas to a plain Map and records each protocol violation. */
export class DeltaLedger {
  readonly map = new Map<string, KubeObject>();
  /** `key@resourceVersion@uid` of every object delivered in a delta. */
  readonly delivered = new Set<string>();
  readonly violations: string[] = [];
  reflections = 0;
  deltas = 0;
  /** Updates whose uid differs from the previous one: a delete+recreate collapsed by a relist. */
  recreatedAsUpdate = 0;
  /** Deletes inferred by a relist. */
  finalStateUnknown = 0;

  apply(r: Reflection<KubeObject>): void {
    this.reflections++;
    for (const d of r.deltas) {
      this.deltas++;
      const had = this.map.get(d.key);
      switch (d.type) {
        case 'added':
          if (had !== undefined) this.violate(`"added" for ${d.key}, already present (rv ${rv(had)}) with no delete between`);
          this.map.set(d.key, d.object);
          break;
        case 'updated':
          if (had === undefined) this.violate(`"updated" for absent key ${d.key}`);
          else if (d.previous !== had) this.violate(`"updated" for ${d.key}: previous (rv ${rv(d.previous)}) is not the delivered state (rv ${rv(had)})`);
          if (d.previous?.metadata?.uid !== d.object.metadata?.uid) this.recreatedAsUpdate++;
          this.map.set(d.key, d.object);
          break;
        case 'deleted':
          if (had === undefined) this.violate(`"deleted" for absent key ${d.key}`);
          if (d.finalStateUnknown) this.finalStateUnknown++;
          this.map.delete(d.key);
          break;
        case 'synced':
          break;
      }
      this.delivered.add(`${d.key}@${rv(d.object)}@${d.object.metadata?.uid ?? ''}`);
    }
    if (this.map.size !== r.snapshot.size) this.violate(`after reflection ${this.reflections}: deltas give ${this.map.size} objects, the snapshot has ${r.snapshot.size}`);
  }

  private violate(message: string): void {
    if (this.violations.length < 20) this.violations.push(message);
  }
}

function rv(o: KubeObject | undefined): string {
  return o?.metadata?.resourceVersion ?? '∅';
}

/** Differences between a snapshot and the server's exact state (keys, resourceVersions, uids). */
export function diffAgainstServer(snapshot: Snapshot<KubeObject> | undefined, items: readonly KubeObject[]): string[] {
  if (snapshot === undefined) return ['no snapshot'];
  const out: string[] = [];
  const keys = new Set<string>();
  for (const item of items) {
    const key = `${item.metadata?.namespace}/${item.metadata?.name}`;
    keys.add(key);
    const mine = snapshot.get(key);
    if (mine === undefined) out.push(`missing ${key} (server rv ${rv(item)})`);
    else if (rv(mine) !== rv(item)) out.push(`stale ${key}: rv ${rv(mine)}, server ${rv(item)}`);
    else if (mine.metadata?.uid !== item.metadata?.uid) out.push(`wrong uid for ${key}`);
  }
  for (const key of snapshot.keys()) if (!keys.has(key)) out.push(`extra ${key} (rv ${rv(snapshot.get(key))})`);
  return out;
}

/** Differences between the ledger's map and a snapshot (object identity per key). */
export function diffLedger(ledger: DeltaLedger, snapshot: Snapshot<KubeObject> | undefined): string[] {
  if (snapshot === undefined) return ['no snapshot'];
  const out: string[] = [];
  if (ledger.map.size !== snapshot.size) out.push(`ledger has ${ledger.map.size} objects, snapshot ${snapshot.size}`);
  for (const [key, obj] of ledger.map) if (snapshot.get(key) !== obj) out.push(`ledger ${key} rv ${rv(obj)} ≠ snapshot rv ${rv(snapshot.get(key))}`);
  return out.slice(0, 20);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (which returns the remaining problems) until it returns none or `boundMs` pass. */
export async function until(check: () => string[], boundMs: number, everyMs = 20): Promise<{ problems: string[]; waitedMs: number }> {
  const started = performance.now();
  for (;;) {
    const problems = check();
    const waitedMs = performance.now() - started;
    if (problems.length === 0 || waitedMs > boundMs) return { problems, waitedMs };
    await sleep(everyMs);
  }
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a subscriber that blocks the event loop */ }
}

export type FaultName =
  | 'dropWatches' | 'dropWatchesGraceful' | 'cutMidLine' | 'cutMidChar' | 'stall'
  | 'fail429' | 'fail500' | 'fail503' | 'fail504' | 'failList410'
  | 'errorEvent410' | 'errorEvent500' | 'compactWhileDisconnected' | 'compactLive' | 'restart'
  | 'malformedLine' | 'unknownEventType' | 'oversizedLine' | 'slowReader' | 'lateSubscriber' | 'resubscribe';

/** What one schedule did and found. */
export interface ScheduleResult {
  readonly seed: number;
  readonly steps: number;
  readonly operations: number;
  readonly faults: Partial<Record<FaultName, number>>;
  readonly reflections: number;
  readonly deltas: number;
  readonly recreatedAsUpdate: number;
  readonly finalStateUnknown: number;
  /** Status phases seen, `backingOff:<error name>` and `relisting:<reason>` included. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly objects: number;
  readonly convergedAfterMs: number;
  /** Empty when the informer converged and every invariant held. */
  readonly divergences: readonly string[];
  /** The schedule, for a failure report. */
  readonly trace: readonly string[];
  readonly mode: string;
}

export interface ScheduleOptions {
  /** Steps of the schedule. @defaultValue 40–120, drawn from the seed */
  readonly steps?: number;
  /** How long to wait for convergence once quiet. Generous: this is a bound, not a speed test. */
  readonly convergeBoundMs?: number;
  /** Inject faults. @defaultValue true */
  readonly faults?: boolean;
  /** Wraps the transport: used to prove that the harness detects a broken informer. */
  readonly sabotage?: (source: ListWatch<KubeObject>) => ListWatch<KubeObject>;
}

const NAMESPACES = ['a', 'b', 'c'];
const NAMES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
const MAX_LINE_BYTES = 64 * 1024;

function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function expiredStatus(): Status {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (2)' };
}

/** Runs one schedule end to end. Never throws for a divergence: it is reported in the result. */
export async function runSchedule(seed: number, options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const rng = mulberry32(seed);
  const streaming = rng() < 0.25;
  const pageSize = pick(rng, [0, 3, 7, 500]);
  const paginateCachedLists = rng() < 0.5;
  const historySize = int(rng, 5, 60);
  const steps = options.steps ?? int(rng, 40, 120);
  const structuralSharing = rng() < 0.5;
  const keepAliveMs = pick(rng, [0, 0, 20]);
  const mode = `${streaming ? 'stream' : 'list'} pageSize=${pageSize} paginateCached=${paginateCachedLists} history=${historySize} structuralSharing=${structuralSharing} keepAliveMs=${keepAliveMs}`;
  const trace: string[] = [`seed ${seed}: ${mode}, ${steps} steps`];
  const faults: Partial<Record<FaultName, number>> = {};
  const statuses: Record<string, number> = {};
  const count = (f: FaultName): void => {
    faults[f] = (faults[f] ?? 0) + 1;
    trace.push(`fault ${f}`);
  };

  const server: SimulatedApiServer = await createSimulatedApiServer({
    historySize,
    bookmarkIntervalMs: 40,
    tooLargeResourceVersionWaitMs: 30,
    paginateCachedLists,
  });
  const subscriptions = new Subscription();
  try {
    const clientRng = mulberry32(seed ^ 0x5eed);
    const transport = fetchListWatch<KubeObject>({ baseUrl: server.url, resource: { version: 'v1', plural: 'pods' }, stallTimeoutMs: 250, maxLineBytes: MAX_LINE_BYTES });
    const inf = informer<KubeObject>(
      options.sabotage === undefined ? transport : options.sabotage(transport),
      {
        backoff: { initialMs: 5, capMs: 40, resetAfterMs: 500, random: clientRng },
        random: clientRng,
        minWatchTimeoutSeconds: 1,
        initialList: streaming ? 'stream' : 'list',
        structuralSharing,
        keepAliveMs,
        ...(pageSize === 500 ? {} : { pageSize }),
      },
    );
    subscriptions.add(inf.status$.subscribe((s: InformerStatus) => {
      let label: string = s.phase;
      if (s.phase === 'backingOff') label += `:${(s.error as { name?: string } | undefined)?.name ?? typeof s.error}`;
      if (s.phase === 'relisting' || s.phase === 'listing') label += `:${s.reason}`;
      statuses[label] = (statuses[label] ?? 0) + 1;
    }));

    let generation = 0;
    const body = (ns: string, name: string): KubeObject => ({
      metadata: { name, namespace: ns, labels: { gen: String(generation) } },
      spec: { value: ++generation, note: rng() < 0.1 ? 'café ☕ ünïcødé' : 'plain' },
    } as KubeObject);
    let operations = 0;
    const operate = (): void => {
      const ns = pick(rng, NAMESPACES);
      const name = pick(rng, NAMES);
      const key = `${ns}/${name}`;
      const exists = server.get('pods', key) !== undefined;
      const roll = rng();
      operations++;
      if (!exists) {
        server.create('pods', body(ns, name));
        trace.push(`create ${key}`);
      } else if (roll < 0.55) {
        server.patch('pods', key, { spec: { value: ++generation } });
        trace.push(`update ${key}`);
      } else if (roll < 0.8) {
        server.delete('pods', key);
        trace.push(`delete ${key}`);
      } else {
        server.delete('pods', key);
        server.create('pods', body(ns, name));
        trace.push(`recreate ${key}`);
      }
    };

    // The main subscriber: a slow reader at times (it blocks the event loop); its ledger checks
    // the deltas. It may leave and come back (`resubscribe`), with a fresh ledger.
    let ledger = new DeltaLedger();
    const violations: string[] = [];
    let slowFor = 0;
    let main: Subscription | undefined;
    const subscribeMain = (): void => {
      const mine = new DeltaLedger();
      ledger = mine;
      main = inf.reflections$.subscribe({
        next: (r) => {
          mine.apply(r);
          if (slowFor > 0) {
            slowFor--;
            busyWait(int(rng, 1, 8));
          }
        },
        error: (e: unknown) => mine.violations.push(`reflections$ errored: ${String(e)}`),
      });
    };
    subscribeMain();
    subscriptions.add(() => main?.unsubscribe());
    let late: DeltaLedger | undefined;
    let reflections = 0;
    let deltas = 0;
    let recreated = 0;
    let inferredDeletes = 0;

    for (let i = 0; i < int(rng, 0, 20); i++) operate();

    const fault = (): void => {
      switch (int(rng, 0, 19)) {
        case 0: count('dropWatches'); server.faults.dropWatches(); break;
        case 1: count('dropWatchesGraceful'); server.faults.dropWatches({ graceful: true }); break;
        case 2: count('cutMidLine'); server.faults.cutWatches('midLine'); break;
        case 3: count('cutMidChar'); server.faults.cutWatches('midChar'); break;
        case 4: count('stall'); server.faults.stallWatches(); break;
        case 5: count('fail429'); server.faults.failNext(429, { count: int(rng, 1, 4), retryAfterSeconds: 0 }); break;
        case 6: count('fail500'); server.faults.failNext(500, { count: int(rng, 1, 4) }); break;
        case 7: count('fail503'); server.faults.failNext(503, { count: int(rng, 1, 4), retryAfterSeconds: 0 }); break;
        case 8: count('fail504'); server.faults.failNext(504, { count: 1, retryAfterSeconds: 0, match: { verb: 'list' } }); break;
        case 9: count('failList410'); server.faults.failNext(410, { count: int(rng, 1, 2), match: { verb: 'list' } }); break;
        case 10: count('errorEvent410'); server.faults.sendErrorEvent(expiredStatus()); break;
        case 11: count('errorEvent500'); server.faults.sendErrorEvent({ kind: 'Status', status: 'Failure', code: 500, reason: 'InternalError', message: 'etcd hiccup' }); break;
        case 12: {
          // Compaction while disconnected: the watch cannot resume, the informer must relist.
          count('compactWhileDisconnected');
          server.faults.dropWatches();
          for (let i = int(rng, 1, 6); i > 0; i--) operate();
          server.faults.compact();
          break;
        }
        case 13: count('compactLive'); server.faults.compact(); break;
        case 14: {
          count('restart');
          server.faults.restart();
          for (let i = int(rng, 0, 3); i > 0; i--) operate();
          break;
        }
        case 15: count('malformedLine'); server.faults.sendMalformedLine(); break;
        case 16: count('unknownEventType'); server.faults.sendUnknownEventType(); break;
        case 17: count('oversizedLine'); server.faults.sendOversizedLine(MAX_LINE_BYTES * 2); break;
        case 18:
          if (rng() < 0.7) {
            count('slowReader');
            slowFor += int(rng, 2, 10);
          } else {
            count('resubscribe');
            main?.unsubscribe();
            violations.push(...ledger.violations);
            reflections += ledger.reflections;
            deltas += ledger.deltas;
            recreated += ledger.recreatedAsUpdate;
            inferredDeletes += ledger.finalStateUnknown;
            subscribeMain();
          }
          break;
        case 19: {
          count('lateSubscriber');
          if (late === undefined) {
            const ledger2 = new DeltaLedger();
            late = ledger2;
            subscriptions.add(inf.reflections$.subscribe({
              next: (r) => ledger2.apply(r),
              error: (e: unknown) => ledger2.violations.push(`late reflections$ errored: ${String(e)}`),
            }));
          }
          break;
        }
      }
    };

    for (let step = 0; step < steps; step++) {
      const roll = rng();
      if (roll < 0.5) operate();
      else if (roll < 0.7) {
        if (options.faults !== false) fault();
      }
      else {
        const ms = int(rng, 0, 30);
        trace.push(`sleep ${ms}`);
        await sleep(ms);
      }
    }
    trace.push('quiet');

    const truth = (): KubeObject[] => server.list('pods').items;
    const check = (): string[] => {
      const items = truth();
      const snapshot = inf.getSnapshot();
      return [...diffAgainstServer(snapshot, items), ...diffLedger(ledger, snapshot), ...(late === undefined ? [] : diffLedger(late, snapshot).map((d) => `late: ${d}`))];
    };
    const { problems, waitedMs } = await until(check, options.convergeBoundMs ?? 30_000);

    const divergences = [...problems, ...violations, ...ledger.violations, ...(late?.violations.map((v) => `late: ${v}`) ?? [])];
    for (const item of truth()) {
      const id = `${item.metadata?.namespace}/${item.metadata?.name}@${rv(item)}@${item.metadata?.uid}`;
      if (!ledger.delivered.has(id)) divergences.push(`never delivered: ${id}`);
    }
    return {
      seed,
      steps,
      operations,
      faults,
      reflections: reflections + ledger.reflections,
      deltas: deltas + ledger.deltas,
      recreatedAsUpdate: recreated + ledger.recreatedAsUpdate,
      finalStateUnknown: inferredDeletes + ledger.finalStateUnknown,
      statuses,
      objects: truth().length,
      convergedAfterMs: waitedMs,
      divergences,
      trace,
      mode,
    };
  } finally {
    subscriptions.unsubscribe();
    await server.close();
  }
}

/** Aggregate of many schedules. */
export interface ChaosSummary {
  schedules: number;
  operations: number;
  faults: number;
  faultsByKind: Record<string, number>;
  statuses: Record<string, number>;
  reflections: number;
  deltas: number;
  recreatedAsUpdate: number;
  finalStateUnknown: number;
  failed: ScheduleResult[];
  convergedAfterMs: { p50: number; p99: number; max: number };
  wallMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs the seeds `concurrency` at a time and sums them up. */
export async function runSchedules(seeds: readonly number[], concurrency: number, options: ScheduleOptions = {}): Promise<ChaosSummary> {
  const started = performance.now();
  const results: ScheduleResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < seeds.length) {
      const seed = seeds[next++]!;
      results.push(await runSchedule(seed, options));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const summary: ChaosSummary = {
    schedules: results.length,
    operations: 0,
    faults: 0,
    faultsByKind: {},
    statuses: {},
    reflections: 0,
    deltas: 0,
    recreatedAsUpdate: 0,
    finalStateUnknown: 0,
    failed: results.filter((r) => r.divergences.length > 0),
    convergedAfterMs: { p50: 0, p99: 0, max: 0 },
    wallMs: 0,
  };
  for (const r of results) {
    summary.operations += r.operations;
    summary.reflections += r.reflections;
    summary.deltas += r.deltas;
    summary.recreatedAsUpdate += r.recreatedAsUpdate;
    summary.finalStateUnknown += r.finalStateUnknown;
    for (const [k, n] of Object.entries(r.faults)) {
      summary.faults += n;
      summary.faultsByKind[k] = (summary.faultsByKind[k] ?? 0) + n;
    }
    for (const [k, n] of Object.entries(r.statuses)) summary.statuses[k] = (summary.statuses[k] ?? 0) + n;
  }
  const waits = results.map((r) => r.convergedAfterMs).sort((a, b) => a - b);
  summary.convergedAfterMs = { p50: Math.round(percentile(waits, 50)), p99: Math.round(percentile(waits, 99)), max: Math.round(waits[waits.length - 1] ?? 0) };
  summary.wallMs = Math.round(performance.now() - started);
  return summary;
}

/** A failure report: the seed, how to replay it, what diverged, the end of the schedule. */
export function describeFailure(r: ScheduleResult, script = 'test:chaos'): string {
  return [
    `chaos schedule diverged — replay with: CHAOS_SEED=${r.seed} npm run ${script}`,
    `mode: ${r.mode}`,
    ...r.divergences.slice(0, 15).map((d) => `  ✗ ${d}`),
    `statuses: ${JSON.stringify(r.statuses)}`,
    `schedule (last 40 of ${r.trace.length}):`,
    ...r.trace.slice(-40).map((t) => `  ${t}`),
  ].join('\n');
}

/** Seeds from the environment: `CHAOS_SEED` replays one, else `count` seeds from `CHAOS_BASE_SEED` (or `base`). */
export function seedsFromEnv(count: number, base: number): number[] {
  const one = process.env['CHAOS_SEED'];
  if (one !== undefined && one !== '') return [Number(one)];
  const start = Number(process.env['CHAOS_BASE_SEED'] ?? base);
  return Array.from({ length: count }, (_, i) => start + i);
}
