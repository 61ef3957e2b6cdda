import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../../src/model/list-watch-event.ts';
import type { Delta, Reflection } from '../../../src/model/reflection.ts';

/** A test object: `ns/name` at `rv`, with an optional label and payload. */
export interface Obj extends KubeObject {
  readonly spec?: { readonly value?: number; readonly nested?: { readonly deep: number } };
}

export const obj = (name: string, rv: string, value?: number): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  spec: { value, nested: { deep: 1 } },
});

export const E = {
  start: (reason: 'initial' | 'expired' = 'initial', mode: 'list' | 'stream' = 'list'): ListWatchEvent<Obj> => ({ type: 'LIST_START', reason, mode }),
  page: (...items: Obj[]): ListWatchEvent<Obj> => ({ type: 'LIST_PAGE', items }),
  done: (resourceVersion: string): ListWatchEvent<Obj> => ({ type: 'LIST_DONE', resourceVersion }),
  added: (object: Obj): ListWatchEvent<Obj> => ({ type: 'ADDED', object }),
  modified: (object: Obj): ListWatchEvent<Obj> => ({ type: 'MODIFIED', object }),
  deleted: (object: Obj): ListWatchEvent<Obj> => ({ type: 'DELETED', object }),
  bookmark: (rv: string): ListWatchEvent<Obj> => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: rv } } }),
  watch: (resourceVersion: string): ListWatchEvent<Obj> => ({ type: 'WATCH_START', resourceVersion }),
  backoff: (): ListWatchEvent<Obj> => ({ type: 'BACKOFF', delayMs: 1000, attempt: 1, error: new Error('x'), next: 'relist' }),
};

const rv = (o: unknown): string => (o as KubeObject | undefined)?.metadata?.resourceVersion ?? '∅';

/** `added ns/a@1`, `updated ns/a@2<1`, `deleted ns/a@1?` (? = finalStateUnknown), `synced ns/a@1`. */
export function describeDelta(d: Delta<unknown>): string {
  const prev = d.previous === undefined ? '' : `<${rv(d.previous)}`;
  return `${d.type} ${d.key}@${rv(d.object)}${prev}${d.finalStateUnknown ? '?' : ''}`;
}

/** A plain, comparable summary of a Reflection. */
export function summarize(r: Reflection<unknown>): { rv: string; objects: Record<string, string>; deltas: string[] } {
  const objects: Record<string, string> = {};
  for (const [k, v] of [...r.snapshot.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) objects[k] = rv(v);
  return { rv: r.snapshot.resourceVersion, objects, deltas: r.deltas.map(describeDelta) };
}
