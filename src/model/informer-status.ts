import type { RelistReason } from './list-watch-event.ts';

/**
 * The health of an informer, for readiness probes, progress bars and banners.
 *
 * - `idle`: nothing subscribed yet, or stopped (with `error` when the informer's pipeline failed);
 * - `listing`: the first list is in progress (`loaded` objects so far);
 * - `relisting`: a later list is in progress, the last snapshot is still served;
 * - `synced`: a list just completed;
 * - `watching`: a watch is open from `resourceVersion`;
 * - `backingOff`: waiting `delayMs` after `error` before the `next` request.
 *
 * `hasSynced` turns true after the first complete list, once its objects are in the store (an
 * informer's `getSnapshot()` returns them by the time `status$` says so), and never turns back
 * while the informer runs.
 *
 * @example
 * ```ts
 * import type { InformerStatus } from 'rxkube';
 * const ready = (s: InformerStatus) => s.hasSynced && s.phase !== 'backingOff';
 * ```
 */
export type InformerStatus =
  | {
      /** Nothing subscribed yet, or stopped. */
      readonly phase: 'idle';
      /** Whether a first list completed (never turns back to false while running). */
      readonly hasSynced: boolean;
      /**
       * Why the informer stopped, when it stopped because its pipeline failed (a user callback
       * such as an `onObjectError` hook threw) rather than because its last subscriber left.
       * Absent otherwise. The next subscriber starts the informer afresh.
       */
      readonly error?: unknown;
    }
  | {
      /** A (re)list is in progress. */
      readonly phase: 'listing' | 'relisting';
      /** Whether a first list completed. */
      readonly hasSynced: boolean;
      /** Why the loop lists. */
      readonly reason: RelistReason;
      /** Objects received so far. */
      readonly loaded: number;
      /** The server's estimate of objects still to come. */
      readonly remaining?: number;
      /** For a sharded source, who restricted the pages so far to the shard; see the `synced` phase. */
      readonly shardFilter?: 'server' | 'client';
    }
  | {
      /** A list just completed. */
      readonly phase: 'synced';
      /** Always true. */
      readonly hasSynced: true;
      /** The list's resourceVersion. */
      readonly resourceVersion: string;
      /** Objects listed. */
      readonly size: number;
      /**
       * For a sharded source (`fetchListWatch` with `shard`) and a paginated list: `'server'` when
       * the API server applied the shard selector to every page (it echoed it), `'client'` when
       * rxkube filtered at least one page itself (a server without `ShardedListAndWatch`).
       * Absent for unsharded sources and streaming lists (which carry no echo).
       */
      readonly shardFilter?: 'server' | 'client';
    }
  | {
      /** A watch is open. */
      readonly phase: 'watching';
      /** Whether a first list completed. */
      readonly hasSynced: boolean;
      /** Where the watch resumed, advanced by bookmarks. */
      readonly resourceVersion: string;
    }
  | {
      /** Waiting after a failure. */
      readonly phase: 'backingOff';
      /** Whether a first list completed. */
      readonly hasSynced: boolean;
      /** How long the wait is. */
      readonly delayMs: number;
      /** Consecutive failures, 1 for the first. */
      readonly attempt: number;
      /** What failed. */
      readonly error: unknown;
      /** What comes after the wait. */
      readonly next: 'relist' | 'rewatch';
    };
