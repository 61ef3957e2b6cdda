import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { KubeObject, ListWatch, ObjectList, Status, WatchEvent, WatchOptions } from '../../index.ts';
import type { Recording } from './format.ts';
import { timelineOf, type TimelineStep } from './timeline.ts';

/**
 * Options of {@link replayListWatch} and {@link replayInto}.
 *
 * @example
 * ```ts
 * import type { ReplayOptions } from 'rxkube/testing';
 * const recordedPace: ReplayOptions = { speed: 1 };
 * const twiceAsFast: ReplayOptions = { speed: 2 };
 * const flatOut: ReplayOptions = { speed: Infinity };
 * ```
 */
export interface ReplayOptions {
  /**
   * Pace: `1` replays at the recorded pace, `2` twice as fast, `Infinity` as fast as the consumer
   * takes the events.
   * @defaultValue Infinity
   */
  readonly speed?: number;
  /**
   * Scheduler of the pacing timers; a `TestScheduler` or `VirtualTimeScheduler` replays in
   * virtual time.
   * @defaultValue asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

function keyOf(obj: KubeObject): string {
  const m = obj.metadata;
  return m?.namespace ? `${m.namespace}/${m.name ?? ''}` : m?.name ?? '';
}

const expired = (message: string): WatchEvent<KubeObject> => ({
  type: 'ERROR',
  object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Expired', code: 410 } as Status,
});

/** Checks a pace; shared with replayInto. @internal */
export function checkSpeed(speed: number | undefined): number {
  const s = speed ?? Infinity;
  if (!(s > 0)) throw new RangeError(`replay speed must be a positive number or Infinity, got ${String(speed)}`);
  return s;
}

/**
 * A recording as a {@link ListWatch}, in process (no HTTP): the same file drives a test with
 * deterministic fixtures from a real cluster, or a benchmark without a network.
 *
 * The recording's changes are released on a clock that starts at the first watch request: the
 * change recorded `d` ms after the recorder's first watch is released `d / speed` ms after it
 * (all at once for `Infinity`). Before that, lists see the recording's first list.
 *
 * - `list()` emits one page: the state at the last released change, sorted by key, at its
 *   resourceVersion (`limit` and `continue` are ignored: one page holds everything).
 * - `watch({ resourceVersion })` sends the changes after that resourceVersion as they are
 *   released, then stays open; an unknown resourceVersion gets an `ERROR` 410 event, as a
 *   compacted one does from a server. Without a resourceVersion (or `'0'`) it first sends the
 *   state as `ADDED` events; with `sendInitialEvents` also the `k8s.io/initial-events-end`
 *   bookmark.
 * - Where the recorder relisted (after a 410), a watch crossing that point gets an `ERROR` 410
 *   and the next list returns the relisted state.
 *
 * The recorded objects and resourceVersions are served exactly as recorded. Cold: nothing runs
 * until subscribed; unsubscribing cancels the pacing timer.
 *
 * @example
 * ```ts
 * import { informer } from 'rxkube';
 * import { readRecording, replayListWatch } from 'rxkube/testing';
 * const pods = informer(replayListWatch(await readRecording('pods.ndjson.gz'), { speed: 1 }));
 * pods.reflections$.subscribe(({ snapshot, deltas }) => console.log(snapshot.size, deltas.length));
 * ```
 *
 * @param recording - a recording (see {@link readRecording}).
 * @param options - pace and scheduler.
 * @returns the list and watch requests over the recording.
 * @throws {@link RecordingFormatError} when the recording holds no complete list.
 */
export function replayListWatch(recording: Recording, options: ReplayOptions = {}): ListWatch<KubeObject> {
  const timeline = timelineOf(recording);
  const speed = checkSpeed(options.speed);
  const scheduler = options.scheduler ?? asyncScheduler;
  const steps = timeline.steps;
  const positions = new Map<string, number>([[timeline.initial.resourceVersion, 0]]);
  steps.forEach((s, i) => positions.set(s.rv, i + 1));
  const state = new Map<string, KubeObject>();
  for (const item of timeline.initial.items) state.set(keyOf(item), item);
  let stateRv = timeline.initial.resourceVersion;
  let released = 0;
  let startedAt: number | undefined;

  const due = (i: number): number => startedAt === undefined ? Infinity : speed === Infinity ? startedAt : startedAt + (steps[i]!.t - timeline.t0) / speed;
  const apply = (step: TimelineStep): void => {
    if ('reset' in step) {
      state.clear();
      for (const item of step.reset) state.set(keyOf(item), item);
    } else if (step.event.type === 'DELETED') {
      state.delete(keyOf(step.event.object));
    } else if (step.event.type !== 'BOOKMARK') {
      state.set(keyOf(step.event.object), step.event.object);
    }
    stateRv = step.rv;
  };
  const advance = (): void => {
    const now = scheduler.now();
    while (released < steps.length && due(released) <= now) apply(steps[released++]!);
  };
  const items = (): KubeObject[] => [...state.keys()].sort().map((k) => state.get(k)!);

  return {
    list: () => new Observable<ObjectList<KubeObject>>((subscriber) => {
      advance();
      subscriber.next({ metadata: { resourceVersion: stateRv }, items: items() });
      subscriber.complete();
    }),
    watch: (watchOptions: WatchOptions) => new Observable<WatchEvent<KubeObject>>((subscriber) => {
      startedAt ??= scheduler.now();
      advance();
      const rv = watchOptions.resourceVersion;
      let pos: number;
      if (rv === undefined || rv === '' || rv === '0' || watchOptions.sendInitialEvents === true) {
        for (const object of items()) subscriber.next({ type: 'ADDED', object });
        if (watchOptions.sendInitialEvents === true) {
          subscriber.next({ type: 'BOOKMARK', object: { metadata: { resourceVersion: stateRv, annotations: { 'k8s.io/initial-events-end': 'true' } } } });
        }
        pos = released;
      } else {
        const found = positions.get(rv);
        if (found === undefined) {
          subscriber.next(expired(`too old resource version: ${rv}`));
          subscriber.complete();
          return undefined;
        }
        pos = found;
      }
      let timer: Subscription | undefined;
      const step = (): void => {
        advance();
        const now = scheduler.now();
        while (pos < steps.length && due(pos) <= now && !subscriber.closed) {
          const s = steps[pos++]!;
          if ('reset' in s) {
            subscriber.next(expired(`too old resource version: the recording relisted at ${s.rv}`));
            subscriber.complete();
            return;
          }
          subscriber.next(s.event as WatchEvent<KubeObject>);
        }
        if (pos < steps.length && !subscriber.closed) timer = scheduler.schedule(step, Math.max(0, due(pos) - now));
      };
      step();
      return () => timer?.unsubscribe();
    }),
  };
}
