/**
 * fast-check arbitraries of list/watch scripts — relists (paginated and streaming), duplicates,
 * deletes of unknown keys, bookmarks, abandoned lists — and the helpers to compare their deltas.
 * Shared by the property tests of reflect and of the store functions; the oracle they are checked
 * against is StoreModel (test/support/store-model.ts).
 */
import fc from 'fast-check';
import type { KubeObject } from '../../src/model/kube-object.ts';
import type { ListWatchEvent } from '../../src/model/list-watch-event.ts';
import type { Delta } from '../../src/model/reflection.ts';

export interface Obj extends KubeObject {
  readonly spec: { readonly v: number };
}

export const appOf = (o: Obj): string | undefined => o.metadata?.labels?.['app'];
export const NAMESPACES = ['n1', 'n2'];
export const APPS = ['x', 'y', 'z'];

export const objArb: fc.Arbitrary<Obj> = fc
  .record({
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    namespace: fc.constantFrom(...NAMESPACES),
    rv: fc.integer({ min: 1, max: 9 }).map(String),
    app: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
    v: fc.integer({ min: 0, max: 3 }),
  })
  .map(({ name, namespace, rv, app, v }) => ({
    metadata: { name, namespace, resourceVersion: rv, ...(app === undefined ? {} : { labels: { app } }) },
    spec: { v },
  }));

// Events are generated as plain data and turned into fresh objects for each run, because reflect
// freezes what it stores.
export const eventArb: fc.Arbitrary<ListWatchEvent<Obj>> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('list', 'stream').map((mode) => ({ type: 'LIST_START', reason: 'expired', mode }) as ListWatchEvent<Obj>) },
  { weight: 3, arbitrary: fc.array(objArb, { maxLength: 5 }).map((items) => ({ type: 'LIST_PAGE', items }) as ListWatchEvent<Obj>) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 99 }).map((rv) => ({ type: 'LIST_DONE', resourceVersion: `L${rv}` }) as ListWatchEvent<Obj>) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('ADDED', 'MODIFIED'), objArb).map(([type, object]) => ({ type, object }) as ListWatchEvent<Obj>) },
  { weight: 2, arbitrary: objArb.map((object) => ({ type: 'DELETED', object }) as ListWatchEvent<Obj>) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }).map((rv) => ({ type: 'BOOKMARK', object: { metadata: { resourceVersion: `B${rv}` } } }) as ListWatchEvent<Obj>) },
  { weight: 1, arbitrary: fc.constant({ type: 'WATCH_START', resourceVersion: '1' } as ListWatchEvent<Obj>) },
);

// Lists are usually well formed: a start, pages (and watch events when streaming), a done.
export const listArb: fc.Arbitrary<ListWatchEvent<Obj>[]> = fc
  .tuple(fc.constantFrom('list', 'stream'), fc.array(eventArb, { maxLength: 6 }), fc.integer({ min: 1, max: 99 }), fc.boolean())
  .map(([mode, inner, rv, finish]) => [
    { type: 'LIST_START', reason: 'expired', mode } as ListWatchEvent<Obj>,
    ...inner.filter((e) => e.type !== 'LIST_START' && e.type !== 'LIST_DONE'),
    ...(finish ? [{ type: 'LIST_DONE', resourceVersion: `L${rv}` } as ListWatchEvent<Obj>] : []),
  ]);

export const scriptArb = fc
  .tuple(listArb, fc.array(fc.oneof({ weight: 4, arbitrary: eventArb.map((e) => [e]) }, { weight: 1, arbitrary: listArb }), { maxLength: 25 }))
  .map(([first, rest]) => [...first, ...rest.flat()]);

export function fresh(events: ListWatchEvent<Obj>[]): ListWatchEvent<Obj>[] {
  return structuredClone(events);
}

export const keyOf = (o: KubeObject) => `${o.metadata!.namespace}/${o.metadata!.name}`;


/** `deltas` with a relist's `deleted` deltas (which come in no particular order) sorted by key. */
export const canonical = (deltas: readonly Delta<Obj>[]) => {
  // Deleted deltas of a relist come in no particular order; everything else is ordered.
  const deleted = deltas.filter((d) => d.type === 'deleted' && d.finalStateUnknown);
  const rest = deltas.filter((d) => !(d.type === 'deleted' && d.finalStateUnknown));
  return [...deleted.sort((a, b) => (a.key < b.key ? -1 : 1)), ...rest];
};
