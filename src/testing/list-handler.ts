import type { KubeObject } from '../index.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { sendJsonList } from './http-util.ts';
import { contentType, negotiate, toPartial, withoutTypeMeta } from './media.ts';
import { objectFilter } from './object-filter.ts';
import { parseResourceVersion, type ListWatchQuery } from './request-options.ts';
import { apiVersionOf, qualifiedResource } from './resource-def.ts';
import type { ResourceStore } from './resource-store.ts';
import type { RoutedRequest, ServerState } from './server-state.ts';
import { badRequest, CONTINUE_TOO_OLD_MESSAGE, expired, LIST_TOO_OLD_MESSAGE, notAcceptable, StatusResponse, tooLargeResourceVersion } from './status.ts';

/** A page as computed from a store, before representation. */
export interface ListPage {
  readonly resourceVersion: number;
  readonly items: readonly KubeObject[];
  readonly continueToken: string | undefined;
  readonly remainingItemCount: number | undefined;
}

async function waitForRevision(state: ServerState, rv: number): Promise<void> {
  if (rv <= state.clock.current) return;
  const reached = await state.clock.waitFor(rv, state.options.tooLargeResourceVersionWaitMs);
  if (!reached) throw new StatusResponse(tooLargeResourceVersion(rv, state.clock.current));
}

/**
 * Computes one list page with the apiserver's resourceVersion semantics (see the reference, §2.3):
 *
 * | RVM | limit | RV "" | RV "0" | RV X |
 * |---|---|---|---|---|
 * | – | no | latest | latest (cache) | not older than X (cache) |
 * | – | yes | latest, paginated | cache (one page) | **exact** X (410 if compacted) |
 * | NotOlderThan | ± | (422) | cache (one page) | not older than X (paginated) |
 * | Exact | ± | (422) | (422) | exact X |
 *
 * RV "0" answers come from the watch cache and ignore `limit` (kube-apiserver 1.36) unless
 * `paginateCachedLists` is set or the resource is in `uncachedResources`; "not older than X"
 * answers honour `limit` (1.36 serves them from cache snapshots, paginated). A consistent read
 * (RV unset) confirms the resource is current, which later bookmarks reflect. A continue token pins its
 * snapshot revision; a compacted one gives 410 Expired with a fresh token for the latest state.
 * X beyond the current revision waits `tooLargeResourceVersionWaitMs`, then 504.
 */
export async function computeListPage(state: ServerState, store: ResourceStore, namespace: string | undefined, q: ListWatchQuery): Promise<ListPage> {
  let snapshotRv: number;
  let start = namespace === undefined ? '' : `${namespace}/`;
  let limit = q.limit;
  if (q.continueToken !== '') {
    if (q.resourceVersion !== '' && q.resourceVersion !== '0') throw new StatusResponse(badRequest('specifying resource version is not allowed when using continue'));
    let pos;
    try {
      pos = decodeContinue(q.continueToken);
    } catch (e) {
      throw new StatusResponse(badRequest(`invalid continue token: ${(e as Error).message}`));
    }
    snapshotRv = pos.rv === -1 ? state.clock.current : pos.rv;
    if (snapshotRv < store.compactedRevision) {
      throw new StatusResponse(expired(CONTINUE_TOO_OLD_MESSAGE, encodeContinue({ rv: -1, start: pos.start })));
    }
    start = pos.start;
  } else if (q.resourceVersion === '') {
    snapshotRv = state.clock.current;
    store.observe(snapshotRv);
  } else if (q.resourceVersion === '0') {
    snapshotRv = state.clock.current;
    if (!state.options.paginateCachedLists && !state.options.uncachedResources.has(qualifiedResource(store.def))) limit = 0;
  } else {
    const x = parseResourceVersion(q.resourceVersion, 'list');
    const exact = q.resourceVersionMatch === 'Exact' || (q.resourceVersionMatch === '' && q.limit > 0);
    await waitForRevision(state, x);
    if (exact) {
      if (x < store.compactedRevision) throw new StatusResponse(expired(LIST_TOO_OLD_MESSAGE));
      snapshotRv = x;
    } else {
      snapshotRv = state.clock.current;
    }
  }
  const snapshot = store.stateAt(snapshotRv);
  if (snapshot === undefined) throw new StatusResponse(expired(LIST_TOO_OLD_MESSAGE));
  const keep = objectFilter(store.def, namespace, q);
  const prefix = namespace === undefined ? '' : `${namespace}/`;
  const keys = snapshot.keys;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  const items: KubeObject[] = [];
  let i = lo;
  let lastKey: string | undefined;
  for (; i < keys.length; i++) {
    const key = keys[i]!;
    if (!key.startsWith(prefix)) break;
    if (limit > 0 && items.length >= limit) break;
    lastKey = key;
    const obj = snapshot.get(key)!;
    if (keep(obj)) items.push(obj);
  }
  let remaining = 0;
  for (let j = i; j < keys.length && keys[j]!.startsWith(prefix); j++) remaining++;
  const more = limit > 0 && remaining > 0 && lastKey !== undefined;
  return {
    resourceVersion: snapshotRv,
    items,
    continueToken: more ? encodeContinue({ rv: snapshotRv, start: `${lastKey}\u0000` }) : undefined,
    remainingItemCount: more && !q.hasSelector ? remaining : undefined,
  };
}

/** Answers a LIST request (`GET` on a collection without `watch=true`). */
export async function handleList(state: ServerState, r: RoutedRequest, q: ListWatchQuery): Promise<void> {
  const rep = negotiate(r.req.headers.accept, true);
  if (rep === undefined) throw new StatusResponse(notAcceptable(r.req.headers.accept ?? ''));
  const page = await computeListPage(state, r.store, r.info.namespace, q);
  const def = r.store.def;
  const metadata: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
  if (page.continueToken !== undefined) metadata.continue = page.continueToken;
  if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
  if (q.shard !== undefined) metadata.shardInfo = { selector: q.shard.selector };
  // Streamed item by item: a resourceVersion=0 list ignores `limit`, so a body can be any size.
  if (rep.kind === 'metadata') {
    const version = rep.version;
    await sendJsonList(r.res, contentType(rep, true), { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${version}`, metadata }, page.items, (o) => toPartial(o, version));
  } else {
    await sendJsonList(r.res, contentType(rep, true), { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata }, page.items, def.listItemsIncludeTypeMeta === false ? withoutTypeMeta : undefined);
  }
}
