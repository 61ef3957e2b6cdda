import type { SchedulerAction, Subscription } from 'rxjs';
import type { KubeObject, Status } from '../index.ts';
import { contentType, negotiate, toPartial, withResourceVersion, type Representation } from './media.ts';
import { objectFilter } from './object-filter.ts';
import { parseResourceVersion, type ListWatchQuery } from './request-options.ts';
import { apiVersionOf, qualifiedResource, type ResourceDef } from './resource-def.ts';
import type { StoredEvent } from './resource-store.ts';
import type { CutMode, RoutedRequest, ServerState, WatchConnection } from './server-state.ts';
import { expired, notAcceptable, StatusResponse, tooLargeResourceVersion, tooOldResourceVersion, WATCH_TOO_OLD_MESSAGE } from './status.ts';

/** The annotation that marks the end of a streaming list's initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

const jsonCache = new WeakMap<object, string>();

function objectJson(obj: object): string {
  let s = jsonCache.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    if (Object.isFrozen(obj)) jsonCache.set(obj, s);
  }
  return s;
}

/** A wire event for `e` as seen through `keep` (leaving the selection is DELETED, entering ADDED), or `undefined`. */
export function convertEvent(e: StoredEvent, keep: (o: KubeObject) => boolean): { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject } | undefined {
  const cur = e.type !== 'DELETED' && keep(e.object);
  const prev = e.previous !== undefined && keep(e.previous);
  if (cur && prev) return { type: 'MODIFIED', object: e.object };
  if (cur) return { type: 'ADDED', object: e.object };
  if (prev) return { type: 'DELETED', object: e.type === 'DELETED' ? e.object : withResourceVersion(e.previous!, e.rv) };
  return undefined;
}

function bookmarkObject(def: ResourceDef, rep: Representation, rv: number, initialEnd: boolean): KubeObject {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  if (rep.kind === 'metadata') return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${rep.version}`, metadata };
  return { kind: def.kind, apiVersion: apiVersionOf(def), metadata };
}

/**
 * Answers a WATCH request (`GET` on a collection with `watch=true`).
 *
 * 1. Options and selectors are validated first (422/400 as ordinary HTTP errors).
 * 2. Headers are flushed at once (200, chunked `application/json`).
 * 3. The start: `sendInitialEvents=true` → synthetic ADDED for the state (waiting for RV X first;
 *    504 as an ERROR event if never reached), then the annotated BOOKMARK if
 *    `allowWatchBookmarks=true`; RV unset/"0" (without `sendInitialEvents`) → synthetic ADDED;
 *    RV X → the retained events after X, or a single ERROR 410 event and the end of the stream
 *    when X was compacted.
 * 4. Live events, filtered per watcher (leaving the selection → DELETED with the previous state
 *    at the new RV, entering → ADDED); periodic bookmarks; `timeoutSeconds` ends the stream with
 *    no final event.
 */
export async function handleWatch(state: ServerState, r: RoutedRequest, q: ListWatchQuery): Promise<void> {
  const rep = negotiate(r.req.headers.accept, false);
  if (rep === undefined) throw new StatusResponse(notAcceptable(r.req.headers.accept ?? ''));
  const store = r.store;
  const def = store.def;
  const rvGiven = q.resourceVersion !== '' && q.resourceVersion !== '0';
  const requested = rvGiven ? parseResourceVersion(q.resourceVersion, 'watch') : undefined;
  const keep = objectFilter(def, r.info.namespace, q);
  const { res } = r;

  res.writeHead(200, { 'Content-Type': contentType(rep, false), 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  let stalled = false;
  let cut: CutMode | undefined;
  let split: number | undefined;
  let queue: Buffer[] | undefined;
  const timers: NodeJS.Timeout[] = [];
  const clocked: Subscription[] = [];
  const scheduler = state.options.scheduler;
  let unsubscribe: (() => void) | undefined;

  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    for (const t of timers) clearTimeout(t);
    for (const c of clocked) c.unsubscribe();
    unsubscribe?.();
    state.watches.delete(conn);
  };
  const rawWrite = (buf: Buffer | string): void => {
    if (closed || stalled || res.destroyed || res.writableEnded) return;
    if (queue !== undefined) queue.push(typeof buf === 'string' ? Buffer.from(buf) : buf);
    else res.write(buf);
  };
  const writeLine = (line: string): void => {
    if (closed || stalled) return;
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    if (cut !== undefined) {
      let at = Math.max(1, Math.floor(bytes.length / 2));
      if (cut === 'midChar') {
        const lead = bytes.findIndex((b) => b >= 0xc0);
        if (lead >= 0) at = lead + 1;
      }
      rawWrite(bytes.subarray(0, at));
      const destroyLater = setTimeout(() => { res.destroy(); cleanup(); }, 20);
      timers.push(destroyLater);
      stalled = true;
      return;
    }
    if (split !== undefined) {
      const lead = bytes.findIndex((b) => b >= 0xc0);
      const at = lead >= 0 ? lead + 1 : Math.max(1, Math.floor(bytes.length / 2));
      const delay = split;
      split = undefined;
      rawWrite(bytes.subarray(0, at));
      queue = [bytes.subarray(at)];
      timers.push(setTimeout(() => {
        const pending = queue ?? [];
        queue = undefined;
        for (const b of pending) rawWrite(b);
      }, delay));
      return;
    }
    rawWrite(bytes);
  };
  const emit = (type: string, object: KubeObject | Status): void => {
    const body = rep.kind === 'metadata' && type !== 'ERROR' ? toPartial(object as KubeObject, rep.version) : object;
    writeLine(`{"type":"${type}","object":${objectJson(body)}}`);
  };
  const end = (): void => {
    if (closed) return;
    if (queue !== undefined) {
      timers.push(setTimeout(end, 5));
      return;
    }
    cleanup();
    if (!res.writableEnded) res.end();
  };
  const conn: WatchConnection = {
    def,
    namespace: r.info.namespace,
    writeLine,
    writeRaw: (bytes) => rawWrite(typeof bytes === 'string' ? bytes : Buffer.from(bytes)),
    end,
    destroy: () => { cleanup(); res.destroy(); },
    stall: () => { stalled = true; },
    armCut: (mode) => { cut = mode; },
    armSplit: (delayMs) => { split = delayMs; },
  };
  state.watches.add(conn);
  res.on('close', cleanup);

  const timeoutMs = q.timeoutSeconds !== undefined
    ? q.timeoutSeconds * 1000
    : (state.options.minRequestTimeoutSeconds * (1 + Math.random())) * 1000;
  clocked.push(scheduler.schedule(end, timeoutMs));

  const errorAndEnd = (status: Status): void => {
    emit('ERROR', status);
    end();
  };

  let minRv = 0;
  if (q.sendInitialEvents === true && requested !== undefined && requested > state.clock.current) {
    const reached = await state.clock.waitFor(requested, state.options.tooLargeResourceVersionWaitMs);
    if (closed) return;
    if (!reached) return errorAndEnd(tooLargeResourceVersion(requested, state.clock.current));
  }
  // From here on everything is synchronous until subscribed, so no change can slip between.
  if (q.sendInitialEvents === true || (q.sendInitialEvents === undefined && requested === undefined)) {
    if (q.sendInitialEvents === true && requested === undefined) store.observe(state.clock.current);
    const current = store.stateAt(state.clock.current)!;
    for (const key of current.keys) {
      const obj = current.get(key)!;
      if (keep(obj)) emit('ADDED', obj);
    }
    if (q.sendInitialEvents === true && q.allowWatchBookmarks) emit('BOOKMARK', bookmarkObject(def, rep, state.clock.current, true));
    minRv = state.clock.current;
  } else if (requested === undefined) {
    minRv = state.clock.current;
  } else if (requested > state.clock.current) {
    minRv = requested;
  } else {
    const events = store.eventsAfter(requested);
    if (events === undefined) {
      return errorAndEnd(state.options.uncachedResources.has(qualifiedResource(def)) ? expired(WATCH_TOO_OLD_MESSAGE) : tooOldResourceVersion(requested, store.compactedRevision));
    }
    for (const e of events) {
      const w = convertEvent(e, keep);
      if (w !== undefined) emit(w.type, w.object);
    }
    minRv = state.clock.current;
  }
  // The last resourceVersion this watcher was sent (its start, then each event): kube-apiserver's
  // cacher drops bookmarks that would not move it forward.
  let sentRv = requested !== undefined && q.sendInitialEvents !== true ? Math.min(requested, minRv) : minRv;
  unsubscribe = store.subscribe((e) => {
    if (e.rv <= minRv) return;
    const w = convertEvent(e, keep);
    if (w !== undefined) {
      sentRv = e.rv;
      emit(w.type, w.object);
    }
  });
  if (q.allowWatchBookmarks) {
    const bookmark = (): void => {
      if (state.options.quietBookmarks) {
        // Keep-alive mode: every tick, at the global revision.
        if (state.clock.current >= minRv) emit('BOOKMARK', bookmarkObject(def, rep, state.clock.current, false));
        return;
      }
      const rv = Math.min(store.observedRevision, state.clock.current);
      if (rv > sentRv) {
        sentRv = rv;
        emit('BOOKMARK', bookmarkObject(def, rep, rv, false));
      }
    };
    const interval = state.options.bookmarkIntervalMs;
    clocked.push(scheduler.schedule(function (this: SchedulerAction<undefined>) {
      bookmark();
      this.schedule(undefined, interval);
    }, interval));
    // Like the cacher: one bookmark about 2 s before timeoutSeconds ends the watch.
    if (q.timeoutSeconds !== undefined && timeoutMs > 2000) clocked.push(scheduler.schedule(bookmark, timeoutMs - 2000));
  }
}
