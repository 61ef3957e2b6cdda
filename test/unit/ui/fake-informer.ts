/**
 * Test doubles for the UI bindings: a tiny Informer over Subjects and a counted cold source of
 * reflections. They count subscriptions with defer/finalize, so tests can assert how many watches
 * a binding opened and whether it closed them.
 */
import { BehaviorSubject, concat, defer, finalize, map, of, Subject } from 'rxjs';
import type { Observable } from 'rxjs';
import type { Delta, Informer, InformerStatus, KubeObject, Reflection, Snapshot } from '../../../src/index.ts';

/** A frozen, Map-backed Snapshot (no indexes). */
export function fakeSnapshot<T>(entries: Iterable<readonly [string, T]>, resourceVersion: string): Snapshot<T> {
  const objects = new Map<string, T>(entries);
  return Object.freeze({
    resourceVersion,
    size: objects.size,
    get: (key: string) => objects.get(key),
    has: (key: string) => objects.has(key),
    keys: () => objects.keys(),
    values: () => objects.values(),
    entries: () => objects.entries(),
    byIndex: (): readonly T[] => {
      throw new Error('no index');
    },
    indexKeys: (): readonly string[] => [],
    indexValues: (): readonly string[] => [],
  });
}

/** Counts the subscriptions a source received. */
export interface SubscriptionCount {
  /** Subscriptions ever made. */
  total: number;
  /** Subscriptions not yet ended. */
  active: number;
}

function counted<V>(count: SubscriptionCount, source: () => Observable<V>): Observable<V> {
  return defer(() => {
    count.total++;
    count.active++;
    return source().pipe(
      finalize(() => {
        count.active--;
      }),
    );
  });
}

/** A pod-like object. */
export interface Pod extends KubeObject {
  readonly spec?: { readonly image?: string };
}

export function pod(name: string, resourceVersion: string, labels: Record<string, string> = {}, image = 'nginx'): Pod {
  return Object.freeze({ metadata: { name, namespace: 'default', resourceVersion, labels }, spec: { image } });
}

export const keyOf = (p: Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;

/** A controllable Informer<Pod>: the test drives lists, changes and status by hand. */
export class FakeInformer {
  /** Subscriptions to reflections$ / snapshot$ (the "watch"). */
  readonly watches: SubscriptionCount = { total: 0, active: 0 };
  /** Subscriptions to status$. */
  readonly statusSubscriptions: SubscriptionCount = { total: 0, active: 0 };
  readonly informer: Informer<Pod>;
  current: Snapshot<Pod> | undefined;
  private readonly changes = new Subject<Reflection<Pod>>();
  private readonly status = new BehaviorSubject<InformerStatus>({ phase: 'idle', hasSynced: false });
  private version = 0;

  constructor(initial?: readonly Pod[]) {
    if (initial) this.current = fakeSnapshot(initial.map((p) => [keyOf(p), p] as const), String(++this.version));
    const reflections$ = counted(this.watches, () => {
      const snapshot = this.current;
      const replay: Reflection<Pod>[] = snapshot
        ? [{ snapshot, deltas: [...snapshot.entries()].map(([key, object]) => ({ type: 'added', key, object })) }]
        : [];
      return concat(of(...replay), this.changes);
    });
    this.informer = Object.freeze({
      reflections$,
      snapshot$: reflections$.pipe(map((r) => r.snapshot)),
      status$: counted(this.statusSubscriptions, () => this.status),
      getSnapshot: () => (this.watches.active > 0 ? this.current : undefined),
      getStatus: () => this.status.value,
    });
  }

  /** Adds or replaces `p`, emitting a new snapshot. */
  apply(p: Pod): Snapshot<Pod> {
    const key = keyOf(p);
    const previous = this.current?.get(key);
    const delta: Delta<Pod> = previous ? { type: 'updated', key, object: p, previous } : { type: 'added', key, object: p };
    return this.emit([...(this.current?.entries() ?? [])].filter(([k]) => k !== key).concat([[key, p]]), [delta]);
  }

  /** Deletes the object under `key`, emitting a new snapshot. */
  delete(key: string): Snapshot<Pod> {
    const object = this.current?.get(key);
    if (!object) throw new Error(`no ${key}`);
    return this.emit([...(this.current?.entries() ?? [])].filter(([k]) => k !== key), [{ type: 'deleted', key, object }]);
  }

  /** Re-emits the current snapshot unchanged, as a resync does. */
  resync(): void {
    const snapshot = this.current;
    if (!snapshot) throw new Error('nothing listed');
    this.changes.next({ snapshot, deltas: [...snapshot.entries()].map(([key, object]) => ({ type: 'synced', key, object })) });
  }

  setStatus(status: InformerStatus): void {
    this.status.next(status);
  }

  private emit(entries: readonly (readonly [string, Pod])[], deltas: readonly Delta<Pod>[]): Snapshot<Pod> {
    const snapshot = fakeSnapshot(entries, String(++this.version));
    this.current = snapshot;
    this.changes.next({ snapshot, deltas });
    return snapshot;
  }
}

/** A cold, counted Observable of reflections, driven through `subject`. */
export function countedReflections(): { source$: Observable<Reflection<Pod>>; subject: Subject<Reflection<Pod>>; count: SubscriptionCount } {
  const subject = new Subject<Reflection<Pod>>();
  const count: SubscriptionCount = { total: 0, active: 0 };
  return { source$: counted(count, () => subject), subject, count };
}

/** A reflection adding `pods` to an empty store. */
export function reflectionOf(pods: readonly Pod[], resourceVersion: string): Reflection<Pod> {
  const snapshot = fakeSnapshot(pods.map((p) => [keyOf(p), p] as const), resourceVersion);
  return { snapshot, deltas: pods.map((p) => ({ type: 'added', key: keyOf(p), object: p })) };
}
