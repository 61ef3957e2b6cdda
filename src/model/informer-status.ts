import type { RelistReason } from './list-watch-event.ts';

/**
 * The health of an informer, for readiness probes, progress bars and banners.
 *
 * - `idle`: nothing subscribed yet, or stopped;
 * - `listing`: the first list is in progress (`loaded` objects so far);
 * - `relisting`: a later list is in progress, the last snapshot is still served;
 * - `synced`: a list just completed;
 * - `watching`: a watch is open from `resourceVersion`;
 * - `backingOff`: waiting `delayMs` after `error` before the `next` request.
 *
 * `hasSynced` turns true after the first complete list and never turns back.
 *
 * @example
 * ```ts
 * import type { InformerStatus } from 'rxkube';
 * const ready = (s: InformerStatus) => s.hasSynced && s.phase !== 'backingOff';
 * ```
 */
export type InformerStatus =
  | { readonly phase: 'idle'; readonly hasSynced: boolean }
  | { readonly phase: 'listing' | 'relisting'; readonly hasSynced: boolean; readonly reason: RelistReason; readonly loaded: number; readonly remaining?: number }
  | { readonly phase: 'synced'; readonly hasSynced: true; readonly resourceVersion: string; readonly size: number }
  | { readonly phase: 'watching'; readonly hasSynced: boolean; readonly resourceVersion: string }
  | { readonly phase: 'backingOff'; readonly hasSynced: boolean; readonly delayMs: number; readonly attempt: number; readonly error: unknown; readonly next: 'relist' | 'rewatch' };
