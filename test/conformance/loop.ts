/** Runs rxkube's list/watch loop + reflect against a driver and records what happened. */
import { tap, type Subscription } from 'rxjs';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import type { Delta, Reflection, Snapshot } from '../../src/model/reflection.ts';
import type { ListWatch } from '../../src/model/wire.ts';
import { reflect } from '../../src/operators/reflect.ts';
import { listWatch, type ListWatchOptions } from '../../src/sources/list-watch.ts';

export interface LoopRecord<T extends KubeObject> {
  readonly events: ListWatchEvent<T>[];
  readonly deltas: Delta<T>[];
  snapshot(): Snapshot<T> | undefined;
  stop(): void;
}

/** Starts the loop (fast backoff), recording events and deltas until `stop()`. */
export function runLoop<T extends KubeObject>(source: ListWatch<T>, options: ListWatchOptions = {}): LoopRecord<T> {
  const events: ListWatchEvent<T>[] = [];
  const deltas: Delta<T>[] = [];
  let last: Reflection<T> | undefined;
  const sub: Subscription = listWatch(source, { backoff: { initialMs: 50, capMs: 400 }, ...options })
    .pipe(
      tap((e) => events.push(e)),
      reflect<T>(),
    )
    .subscribe({
      next: (r) => {
        last = r;
        deltas.push(...r.deltas);
      },
      error: (e: unknown) => {
        throw e;
      },
    });
  return { events, deltas, snapshot: () => last?.snapshot, stop: () => sub.unsubscribe() };
}

/** Polls `cond` every 25 ms; a safety net against hangs, never a timing assertion. */
export async function waitFor(what: string, cond: () => boolean, maxMs = 20_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** name → data of a snapshot, sorted, for comparison with the server's list. */
export function contents(snapshot: Snapshot<KubeObject> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, obj] of [...(snapshot?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[key] = { rv: obj.metadata?.resourceVersion, data: (obj as { data?: unknown }).data };
  }
  return out;
}

/** The same for a list response's items. */
export function listContents(items: KubeObject[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const obj of [...items].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))) {
    out[`${obj.metadata?.namespace}/${obj.metadata?.name}`] = { rv: obj.metadata?.resourceVersion, data: (obj as { data?: unknown }).data };
  }
  return out;
}
