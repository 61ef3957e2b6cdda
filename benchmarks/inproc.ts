/**
 * In-process scenarios (no HTTP, no parsing): the per-event cost of `reflect` and of a join, at
 * two collection sizes. Events are prepared before the clock starts; each carries a fresh top-level
 * object, `metadata` and `status` (what a status update changes) and shares every other subtree
 * with the stored version, so the timing is the store's work, not JSON.parse or deepFreeze's.
 */
import { Subject } from 'rxjs';
import type { KubeObject } from '../src/model/kube-object.ts';
import type { ListWatchEvent } from '../src/model/list-watch-event.ts';
import { reflect } from '../src/operators/reflect.ts';
import { join } from '../src/operators/join.ts';
import { generateNode, mulberry32 } from '../src/testing/index.ts';
import { generatePods, NODES, SEED } from './data.ts';
import type { Measurement, Task } from './protocol.ts';

type Obj = KubeObject & { metadata: Record<string, unknown>; status?: unknown };

function updates(objects: readonly Obj[], count: number, firstRv: number): Obj[] {
  const rng = mulberry32(SEED + 1);
  const out: Obj[] = [];
  for (let e = 0; e < count; e++) {
    const o = objects[Math.floor(rng() * objects.length)]!;
    out.push({ ...o, metadata: { ...o.metadata, resourceVersion: String(firstRv + e) }, status: { ...(o.status as object) } });
  }
  return out;
}

function list(events: Subject<ListWatchEvent<Obj>>, items: Obj[], rv: string): void {
  events.next({ type: 'LIST_START', reason: 'initial', mode: 'list' });
  events.next({ type: 'LIST_PAGE', items });
  events.next({ type: 'LIST_DONE', resourceVersion: rv });
}

/** Sends the first tenth of `objects` as warm-up, collects garbage, then times the rest. */
function timeEach(events: Subject<ListWatchEvent<Obj>>, objects: readonly Obj[]): number {
  const warm = Math.floor(objects.length / 10);
  for (let i = 0; i < warm; i++) events.next({ type: 'MODIFIED', object: objects[i]! });
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  for (let i = warm; i < objects.length; i++) events.next({ type: 'MODIFIED', object: objects[i]! });
  return ((performance.now() - started) * 1000) / (objects.length - warm);
}

/**
 * The control: the same events applied to a plain mutable `Map` (key `namespace/name`), behind the
 * same Subject. What its per-event cost gains from N = 1k to 100k comes from the memory hierarchy
 * and the garbage collector alone: the floor for "independent of the collection size".
 */
function mapFloor(task: Task, pods: readonly Obj[], podUpdates: readonly Obj[], podEvents: Subject<ListWatchEvent<Obj>>): Measurement {
  const map = new Map<string, Obj>();
  let applied = 0;
  const put = (o: Obj): void => {
    map.set(`${o.metadata.namespace as string}/${o.metadata.name as string}`, o);
  };
  const sub = podEvents.subscribe((e) => {
    if (e.type === 'LIST_PAGE') for (const o of e.items) put(o);
    else if (e.type === 'MODIFIED') {
      put(e.object);
      applied++;
    }
  });
  list(podEvents, pods as Obj[], String(task.n));
  const perEventUs = timeEach(podEvents, podUpdates);
  sub.unsubscribe();
  return { n: task.n, events: applied, size: map.size, perEventUs };
}

/**
 * The other control: the join rebuilt from scratch on every pod event, as a view that recomputes
 * per change does (a Map of the pods, then every pod matched to its node into fresh rows). Its
 * per-event cost is O(N): what `join` avoids. Timed over a few events only (one costs
 * milliseconds at 100k).
 */
function joinRecompute(task: Task, pods: readonly Obj[], podUpdates: readonly Obj[]): Measurement {
  const rng = mulberry32(SEED + 2);
  const nodes = new Map<string, Obj>();
  for (let i = 0; i < NODES; i++) {
    const node = generateNode(rng, i) as Obj;
    nodes.set(node.metadata.name as string, node);
  }
  const store = new Map<string, Obj>();
  const keyOf = (o: Obj): string => `${o.metadata.namespace as string}/${o.metadata.name as string}`;
  for (const p of pods) store.set(keyOf(p), p);
  let rows: { pod: Obj; node: Obj | undefined }[] = [];
  const rebuild = (): void => {
    rows = [];
    for (const pod of store.values()) {
      const nodeName = (pod as { spec?: { nodeName?: string } }).spec?.nodeName;
      rows.push({ pod, node: nodeName === undefined ? undefined : nodes.get(nodeName) });
    }
  };
  const count = Math.min(podUpdates.length, 200);
  const warm = Math.max(1, Math.floor(count / 10));
  for (let i = 0; i < warm; i++) {
    store.set(keyOf(podUpdates[i]!), podUpdates[i]!);
    rebuild();
  }
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  for (let i = warm; i < count; i++) {
    store.set(keyOf(podUpdates[i]!), podUpdates[i]!);
    rebuild();
  }
  const perEventUs = ((performance.now() - started) * 1000) / (count - warm);
  return { n: task.n, events: count, size: rows.length, perEventUs };
}

/**
 * Runs task.contender (`reflect`, `reflect-unfrozen`, `join`, or the controls `map-floor` and
 * `join-recompute`) at
 * N = task.n with task.m events.
 */
export function runInProcess(task: Task): Measurement {
  const pods = generatePods(task.n) as Obj[];
  const podUpdates = updates(pods, task.m, task.n + 1);
  const podEvents = new Subject<ListWatchEvent<Obj>>();
  let reflections = 0;
  if (task.contender === 'map-floor') return mapFloor(task, pods, podUpdates, podEvents);
  if (task.contender === 'join-recompute') return joinRecompute(task, pods, podUpdates);
  if (task.contender === 'join') {
    const rng = mulberry32(SEED + 2);
    const nodes = Array.from({ length: NODES }, (_, i) => generateNode(rng, i) as Obj);
    const nodeUpdates = updates(nodes, Math.min(task.m, 2000), 10 * (task.n + task.m));
    const nodeEvents = new Subject<ListWatchEvent<Obj>>();
    const sub = join(podEvents.pipe(reflect<Obj>()), nodeEvents.pipe(reflect<Obj>()), {
      leftKey: (pod) => (pod as { spec?: { nodeName?: string } }).spec?.nodeName,
      rightKey: (node) => node.metadata.name as string,
    }).subscribe(() => reflections++);
    list(podEvents, pods, String(task.n));
    list(nodeEvents, nodes, '1');
    const perEventUs = timeEach(podEvents, podUpdates);
    const perRightEventUs = timeEach(nodeEvents, nodeUpdates);
    sub.unsubscribe();
    return { n: task.n, events: reflections, perEventUs, perRightEventUs };
  }
  const sub = podEvents.pipe(reflect<Obj>({ freeze: task.contender === 'reflect' })).subscribe(() => reflections++);
  list(podEvents, pods, String(task.n));
  const perEventUs = timeEach(podEvents, podUpdates);
  sub.unsubscribe();
  return { n: task.n, events: reflections, perEventUs };
}
