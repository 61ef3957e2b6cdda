import type { InformerStatus } from '../model/informer-status.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ListWatchEvent } from '../model/list-watch-event.ts';

/**
 * The status before anything was subscribed.
 *
 * @example
 * ```ts
 * import { idleStatus } from './informer-status.ts';
 * idleStatus.phase; // 'idle'
 * ```
 */
export const idleStatus: InformerStatus = Object.freeze({ phase: 'idle', hasSynced: false });

/**
 * The informer status after one loop event: a pure reducer, so any stream of
 * {@link ListWatchEvent}s can be turned into a status stream with `scan(nextStatus, idleStatus)`.
 * Returns the same object when the event changes nothing (object events while watching), so
 * `distinctUntilChanged()` drops them.
 *
 * @example
 * ```ts
 * import { scan, distinctUntilChanged } from 'rxjs';
 * import { listWatch, type ListWatch } from 'rxkube';
 * import { nextStatus, idleStatus } from './informer-status.ts';
 * declare const source: ListWatch;
 * const status$ = listWatch(source).pipe(scan(nextStatus, idleStatus), distinctUntilChanged());
 * ```
 */
export function nextStatus<T extends KubeObject>(status: InformerStatus, event: ListWatchEvent<T>): InformerStatus {
  switch (event.type) {
    case 'LIST_START':
      return { phase: status.hasSynced ? 'relisting' : 'listing', hasSynced: status.hasSynced, reason: event.reason, loaded: 0 };
    case 'LIST_PAGE': {
      if (status.phase !== 'listing' && status.phase !== 'relisting') return status;
      const next: InformerStatus = event.remainingItemCount === undefined
        ? { ...status, loaded: status.loaded + event.items.length, remaining: undefined }
        : { ...status, loaded: status.loaded + event.items.length, remaining: event.remainingItemCount };
      if (event.shardFilter === undefined) return next;
      // One client-filtered page makes the whole list client-filtered.
      return { ...next, shardFilter: status.shardFilter === 'client' ? 'client' : event.shardFilter };
    }
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      if (status.phase !== 'listing' && status.phase !== 'relisting') return status;
      return { ...status, loaded: status.loaded + (event.type === 'DELETED' ? -1 : event.type === 'ADDED' ? 1 : 0) };
    case 'LIST_DONE': {
      const listing = status.phase === 'listing' || status.phase === 'relisting';
      const synced: InformerStatus = { phase: 'synced', hasSynced: true, resourceVersion: event.resourceVersion, size: listing ? status.loaded : 0 };
      return listing && status.shardFilter !== undefined ? { ...synced, shardFilter: status.shardFilter } : synced;
    }
    case 'WATCH_START':
      return { phase: 'watching', hasSynced: status.hasSynced, resourceVersion: event.resourceVersion };
    case 'BACKOFF':
      return { phase: 'backingOff', hasSynced: status.hasSynced, delayMs: event.delayMs, attempt: event.attempt, error: event.error, next: event.next };
    case 'BOOKMARK': {
      // Bookmarks change no object but advance where the watch would resume: shown while watching.
      const rv = event.object.metadata?.resourceVersion;
      return status.phase === 'watching' && rv !== undefined && rv !== status.resourceVersion ? { ...status, resourceVersion: rv } : status;
    }
  }
}
