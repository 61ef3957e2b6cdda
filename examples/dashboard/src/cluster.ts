/**
 * The dashboard's data: one pods informer over the same-origin API (`/api/v1/pods`), and the views
 * derived from it. Everything here is created once, at module scope, so every component binds to
 * the same sources (one list/watch for the page).
 */
import { bufferTime, filter, map, scan, skip, tap } from 'rxjs';
import { coalesce, fetchListWatch, groupObjects, informer, toExternalStore } from 'rxkube';
import type { Grouping, InformerStatus, KubeObject, Snapshot } from 'rxkube';
import { markDerived, markFrameStart } from './metrics.ts';

/** The parts of a pod the dashboard reads. */
export interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

export const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'] as const;
export type Phase = (typeof PHASES)[number];
export const UNSCHEDULED = '(unscheduled)';

export const nodeOf = (pod: Pod): string => pod.spec?.nodeName ?? UNSCHEDULED;
export const phaseOf = (pod: Pod): Phase => {
  const phase = pod.status?.phase;
  return phase === 'Running' || phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' ? phase : 'Unknown';
};

/** The informer. `baseUrl: ''`: the page's own origin, which proxies `/api` to the API server. */
export const pods = informer(fetchListWatch<Pod>({ baseUrl: '', resource: { version: 'v1', plural: 'pods' } }), {
  // A StrictMode remount or a hot reload must not relist 10,000 pods.
  keepAliveMs: 2_000,
  // Someone is looking at this page: reconnect sooner than client-go's controller defaults
  // (800 ms doubling to 30 s, reset after 2 min of health). Still one request per tab per wait.
  backoff: { initialMs: 500, capMs: 4_000, resetAfterMs: 15_000 },
});

/**
 * Pods grouped by node, at most once per animation frame: `coalesce` folds every watch event of a
 * frame into one Reflection of net deltas, and `groupObjects` re-partitions only the touched keys, so
 * untouched nodes keep the identity of their snapshot and their memoised card skips rendering.
 */
export const byNode = toExternalStore(
  pods.reflections$.pipe(coalesce<Pod>('animationFrame'), tap(markFrameStart), groupObjects(nodeOf), tap(markDerived)),
);

/** One node's pods, ordered by phase (in snapshot order within a phase), and their phase counts. */
export interface NodeView {
  readonly counts: Readonly<Record<Phase, number>>;
  readonly ordered: readonly Pod[];
}
const nodeViews = new WeakMap<Snapshot<Pod>, NodeView>();
/** The view of one node's snapshot: one pass over its pods, computed once per snapshot identity. */
export function nodeView(snapshot: Snapshot<Pod>): NodeView {
  let view = nodeViews.get(snapshot);
  if (view === undefined) {
    const buckets: Record<Phase, Pod[]> = { Running: [], Pending: [], Failed: [], Succeeded: [], Unknown: [] };
    for (const pod of snapshot.values()) buckets[phaseOf(pod)].push(pod);
    const counts = Object.freeze(Object.fromEntries(PHASES.map((p) => [p, buckets[p].length])) as Record<Phase, number>);
    view = Object.freeze({ counts, ordered: Object.freeze(Object.values(buckets).flat()) });
    nodeViews.set(snapshot, view);
  }
  return view;
}

/** Totals over every node. */
export interface Totals {
  readonly pods: number;
  readonly phases: Readonly<Record<Phase, number>>;
}
const totalsCache = new WeakMap<Grouping<Pod>, Totals>();
export function totalsOf(grouping: Grouping<Pod>): Totals {
  let totals = totalsCache.get(grouping);
  if (totals === undefined) {
    const phases: Record<Phase, number> = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0, Unknown: 0 };
    let n = 0;
    for (const snapshot of grouping.groups.values()) {
      const { counts } = nodeView(snapshot);
      for (const phase of PHASES) phases[phase] += counts[phase];
      n += snapshot.size;
    }
    totals = Object.freeze({ pods: n, phases: Object.freeze(phases) });
    totalsCache.set(grouping, totals);
  }
  return totals;
}

/** Deltas per second over the last minute (raw, before coalescing); the last entry is the latest second. */
export interface DeltaRate {
  readonly perSecond: readonly number[];
  readonly total: number;
}
export const deltaRate = toExternalStore<DeltaRate>(
  pods.reflections$.pipe(
    skip(1), // the current state every subscriber receives first: not a change
    map((r) => r.deltas.length),
    bufferTime(1_000),
    map((counts) => counts.reduce((a, b) => a + b, 0)),
    scan((rate: DeltaRate, n: number) => ({ perSecond: [...rate.perSecond.slice(-59), n], total: rate.total + n }), { perSecond: [], total: 0 }),
  ),
);

/** One entry of the status history. */
export interface StatusEntry {
  readonly seq: number;
  readonly at: number;
  readonly status: InformerStatus;
}
/**
 * The last status transitions, newest last. Consecutive statuses of the same phase (list progress,
 * successive backoff attempts are kept: their attempt differs) are merged into one entry.
 */
export const statusLog = toExternalStore<readonly StatusEntry[]>(
  pods.status$.pipe(
    filter((s) => s.phase !== 'idle'),
    scan((log: readonly StatusEntry[], status: InformerStatus) => {
      const last = log.at(-1);
      const merge = last !== undefined && last.status.phase === status.phase && status.phase !== 'backingOff';
      const entry = { seq: merge ? last.seq : (last?.seq ?? 0) + 1, at: merge ? last.at : Date.now(), status };
      return [...(merge ? log.slice(0, -1) : log).slice(-11), entry];
    }, []),
  ),
);

/** A short, human description of a backoff error. */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { code?: unknown; reason?: unknown; name?: unknown; message?: unknown };
    if (typeof e.code === 'number') return `${e.code}${typeof e.reason === 'string' ? ` ${e.reason}` : ''}`;
    if (typeof e.message === 'string') return `${typeof e.name === 'string' ? `${e.name}: ` : ''}${e.message}`;
  }
  return String(error);
}
