import type { KubeObject } from '../../index.ts';
import { RecordingFormatError, type Recording } from './format.ts';

/** A change the replay releases at its time: a watch event, or a relist's new state. */
export type TimelineStep =
  | { readonly t: number; readonly rv: string; readonly event: { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: KubeObject } }
  | { readonly t: number; readonly rv: string; readonly reset: readonly KubeObject[] };

/** A recording as the replays see it: the first complete list, then the changes in order. */
export interface Timeline {
  /** The first complete list (all its pages). */
  readonly initial: { readonly items: readonly KubeObject[]; readonly resourceVersion: string };
  /** Watch events and later relists, in recorded order. */
  readonly steps: readonly TimelineStep[];
  /** The recorded time replays align with their start: the first watch request. */
  readonly t0: number;
}

/**
 * Turns a recording into a timeline: pages joined into lists (the first is the initial state,
 * later ones are resets), watch events kept with their resourceVersion, `ERROR` events dropped
 * (the reset after them stands for them).
 * @internal
 */
export function timelineOf(recording: Recording): Timeline {
  let initial: Timeline['initial'] | undefined;
  let pages: KubeObject[] | undefined;
  let t0: number | undefined;
  const steps: TimelineStep[] = [];
  for (const entry of recording.entries) {
    if ('list' in entry) {
      pages = [...(pages ?? []), ...entry.list.items];
      if (entry.list.metadata.continue !== undefined && entry.list.metadata.continue !== '') continue;
      if (initial === undefined) initial = { items: pages, resourceVersion: entry.list.metadata.resourceVersion };
      else steps.push({ t: entry.t, rv: entry.list.metadata.resourceVersion, reset: pages });
      pages = undefined;
    } else if ('watch' in entry) {
      if (initial !== undefined) t0 ??= entry.t;
    } else if ('event' in entry) {
      const e = entry.event;
      if (initial === undefined || e.type === 'ERROR') continue;
      const rv = e.object.metadata?.resourceVersion;
      if (typeof rv !== 'string') throw new RecordingFormatError(`a ${e.type} event at t=${entry.t} has no metadata.resourceVersion`);
      steps.push({ t: entry.t, rv, event: { type: e.type, object: e.object } });
    }
  }
  if (initial === undefined) throw new RecordingFormatError('the recording holds no complete list');
  return { initial, steps, t0: t0 ?? steps[0]?.t ?? 0 };
}

/** Number of changes (watch events other than bookmarks) in a timeline. @internal */
export function changeCount(timeline: Timeline): number {
  let n = 0;
  for (const s of timeline.steps) if ('event' in s && s.event.type !== 'BOOKMARK') n++;
  return n;
}
