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

/** Runs task.contender (`reflect`, `reflect-unfrozen` or `join`) at N = task.n with task.m events. */
export function runInProcess(task: Task): Measurement {
  const pods = generatePods(task.n) as Obj[];
  const podUpdates = updates(pods, task.m, task.n + 1);
  const podEvents = new Subject<ListWatchEvent<Obj>>();
  let reflections = 0;
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
