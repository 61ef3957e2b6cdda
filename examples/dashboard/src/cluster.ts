/**
 * The dashboard's data: one pods informer over the same-origin API (`/api/v1/pods`), and the views
 * derived from it. Everything here is created once, at module scope, so every component binds to
 * the same sources (one list/watch for the page).
 */
import { bufferTime, filter, map, scan, skip } from 'rxjs';
import { fetchListWatch, informer, toExternalStore } from 'rxkube';
import type { InformerStatus } from 'rxkube';
import { NAMESPACE_INDEX } from './pod-board.ts';
import { namespaceOf, type Pod } from './pod.ts';

/** The informer. `baseUrl: ''`: the page's own origin, which proxies `/api` to the API server. */
export const pods = informer(fetchListWatch<Pod>({ baseUrl: '', resource: { version: 'v1', plural: 'pods' } }), {
  // A StrictMode remount or a hot reload must not relist 10,000 pods.
  keepAliveMs: 2_000,
  // Someone is looking at this page: reconnect sooner than client-go's controller defaults
  // (800 ms doubling to 30 s, reset after 2 min of health). Still one request per tab per wait.
  backoff: { initialMs: 500, capMs: 4_000, resetAfterMs: 15_000 },
  // The namespace filter reads a namespace's pods from this index: switching is O(its pods), no relist.
  indexes: { [NAMESPACE_INDEX]: namespaceOf },
});

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
