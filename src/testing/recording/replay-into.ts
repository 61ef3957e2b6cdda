import { asyncScheduler, type Subscription } from 'rxjs';
import type { SimulatedApiServer } from '../server.ts';
import type { Recording } from './format.ts';
import { checkSpeed, type ReplayOptions } from './replay-list-watch.ts';
import { timelineOf, type TimelineStep } from './timeline.ts';

/**
 * Options of {@link replayInto}.
 *
 * @example
 * ```ts
 * import type { ServeReplayOptions } from 'rxkube/testing';
 * const bench: ServeReplayOptions = { speed: Infinity, startOnFirstWatch: true };
 * ```
 */
export interface ServeReplayOptions extends ReplayOptions {
  /**
   * Hold the changes back until a watch is open on the server, so that a consumer first lists
   * the recorded initial state and then receives every change live.
   * @defaultValue false
   */
  readonly startOnFirstWatch?: boolean;
}

/**
 * A recording being replayed into a simulated API server.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer, readRecording, replayInto } from 'rxkube/testing';
 * const server = await createSimulatedApiServer();
 * const replay = replayInto(server, await readRecording('pods.ndjson'), { speed: 1 });
 * console.log(`${server.url}${replay.path}`);
 * await replay.done;
 * ```
 */
export interface Replay {
  /** The qualified resource served (`pods`, `widgets.example.com`). */
  readonly resource: string;
  /** The collection's path on the server, all namespaces (`/api/v1/pods`). */
  readonly path: string;
  /** Changes to apply (watch events other than bookmarks, and relists). */
  readonly total: number;
  /** Changes applied so far. */
  readonly applied: number;
  /** The resourceVersion the server is at once every change is applied. */
  readonly finalResourceVersion: string;
  /** Resolves when every change is applied; rejects when one cannot be (see {@link SimulatedApiServer.applyRecorded}). */
  readonly done: Promise<void>;
  /** Stops applying changes; `done` resolves. */
  stop(): void;
}

/** Changes applied per turn of the event loop at full speed, so the server keeps answering. */
const BATCH = 256;

/**
 * Serves a recording from a simulated API server: the server's state becomes the recording's
 * first list at once, then each recorded change is committed at its recorded time — `d / speed`
 * ms after the start for a change recorded `d` ms after the recorder's first watch, or as fast as
 * the server can (in batches, between which it answers requests) for `Infinity`. Objects and
 * resourceVersions are served exactly as recorded, so any client — an informer, kubectl,
 * client-go — sees the recorded cluster, with every protocol feature of the simulated server
 * (pagination, selectors, watch resumption, bookmarks).
 *
 * The resource is registered when the server does not serve it yet (the header's kind and scope
 * are used). Recorded resourceVersions must be integers ahead of the server's current one — any
 * recording from kube-apiserver or a fresh simulated server is. Give the server a `historySize`
 * at least the number of changes if consumers may fall that far behind.
 *
 * @example
 * ```ts
 * import { informer, fetchListWatch } from 'rxkube';
 * import { createSimulatedApiServer, readRecording, replayInto } from 'rxkube/testing';
 * const recording = await readRecording('pods.ndjson.gz');
 * const server = await createSimulatedApiServer({ historySize: 100_000 });
 * const replay = replayInto(server, recording, { speed: 1 });
 * const pods = informer(fetchListWatch({ baseUrl: server.url, resource: replay.path }));
 * pods.reflections$.subscribe(({ snapshot }) => console.log(snapshot.size));
 * ```
 *
 * @param server - a running simulated API server.
 * @param recording - a recording (see {@link readRecording}).
 * @param options - pace, scheduler, and whether to wait for the first watch.
 * @returns the replay's handle.
 * @throws {@link RecordingFormatError} when the recording holds no complete list; `ApiError` when its list cannot be restored.
 */
export function replayInto(server: SimulatedApiServer, recording: Recording, options: ServeReplayOptions = {}): Replay {
  const timeline = timelineOf(recording);
  const speed = checkSpeed(options.speed);
  const scheduler = options.scheduler ?? asyncScheduler;
  const { group, version, plural } = recording.header.resource;
  const resource = group === '' ? plural : `${plural}.${group}`;
  ensureServed(server, recording, timeline.steps);
  server.restore(resource, timeline.initial.items, timeline.initial.resourceVersion);

  const steps = timeline.steps.filter((s) => !('event' in s) || s.event.type !== 'BOOKMARK');
  const finalResourceVersion = steps[steps.length - 1]?.rv ?? timeline.initial.resourceVersion;
  let applied = 0;
  let startedAt = 0;
  let timer: Subscription | undefined;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (error?: unknown): void => {
    timer?.unsubscribe();
    timer = undefined;
    if (error === undefined) settle?.resolve();
    else settle?.reject(error);
    settle = undefined;
  };
  const apply = (step: TimelineStep): void => {
    if ('reset' in step) server.restore(resource, step.reset, step.rv);
    else if (step.event.type !== 'BOOKMARK') server.applyRecorded(resource, step.event.type, step.event.object);
    applied += 1;
  };
  const run = (): void => {
    if (settle === undefined) return;
    try {
      const now = scheduler.now();
      let budget = BATCH;
      while (applied < steps.length && (speed === Infinity ? budget-- > 0 : startedAt + (steps[applied]!.t - timeline.t0) / speed <= now)) apply(steps[applied]!);
    } catch (error) {
      finish(error);
      return;
    }
    if (applied >= steps.length) {
      finish();
      return;
    }
    const wait = speed === Infinity ? 0 : Math.max(0, startedAt + (steps[applied]!.t - timeline.t0) / speed - scheduler.now());
    timer = scheduler.schedule(run, wait);
  };
  const start = (): void => {
    if (settle === undefined) return;
    if (options.startOnFirstWatch === true && server.openWatches === 0) {
      timer = scheduler.schedule(start, 2);
      return;
    }
    startedAt = scheduler.now();
    run();
  };
  start();

  return {
    resource,
    path: `${group === '' ? '/api' : `/apis/${group}`}/${version}/${plural}`,
    total: steps.length,
    get applied() {
      return applied;
    },
    finalResourceVersion,
    done,
    stop: () => finish(),
  };
}

/** Registers the recorded resource when the server does not serve it under its qualified name. */
function ensureServed(server: SimulatedApiServer, recording: Recording, steps: readonly TimelineStep[]): void {
  const { group, version, plural, kind, namespaced } = recording.header.resource;
  const qualified = group === '' ? plural : `${plural}.${group}`;
  try {
    server.list(qualified);
    return;
  } catch {
    // not served yet
  }
  const seen = steps.find((s) => 'event' in s && typeof s.event.object.kind === 'string');
  const seenKind = seen !== undefined && 'event' in seen ? (seen.event.object as { kind?: string }).kind : undefined;
  const fallback = plural.replace(/s$/, '').replace(/^./, (c) => c.toUpperCase());
  server.register({ group, version, plural, kind: kind ?? seenKind ?? fallback, namespaced: namespaced ?? true, listItemsIncludeTypeMeta: group !== '' });
}
