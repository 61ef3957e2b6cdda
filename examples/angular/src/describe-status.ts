/** One line of text for an informer's status, as the status banners show it. */
import type { InformerStatus } from 'rxkube';

/**
 * The status as one line: the phase and what matters in it (reason and progress of a list, the
 * resourceVersion, the backoff's delay and next step).
 */
export function describeStatus(s: InformerStatus): string {
  switch (s.phase) {
    case 'idle':
      return 'idle';
    case 'listing':
    case 'relisting':
      return `${s.phase} (${s.reason}), ${s.loaded} loaded`;
    case 'synced':
      return `synced ${s.size} at ${s.resourceVersion}`;
    case 'watching':
      return `watching from ${s.resourceVersion}`;
    case 'backingOff':
      return `backing off ${s.delayMs} ms (attempt ${s.attempt}), then ${s.next}`;
  }
}
