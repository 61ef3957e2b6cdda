/**
 * The server side of `rxkube bench`, on its own thread so that its work does not land in the
 * measured one: reads the recording, serves it from a simulated API server with
 * {@link replayInto} (changes held back until the first watch), and reports what it serves.
 * @internal
 * @packageDocumentation
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSimulatedApiServer, readRecording, replayInto } from '../../testing/index.ts';

/** What the worker is asked. @internal */
export interface ReplayWorkerData {
  readonly path: string;
  readonly speed: number;
}

/** What the worker answers first. @internal */
export interface ReplayWorkerReady {
  readonly type: 'ready';
  readonly url: string;
  readonly path: string;
  readonly resource: string;
  readonly objects: number;
  readonly changes: number;
  readonly finalResourceVersion: string;
  /** Milliseconds from the recorder's first watch to its last event. */
  readonly recordedMs: number;
}

const data = workerData as ReplayWorkerData;
const port = parentPort!;
try {
  const recording = await readRecording(data.path);
  const changes = recording.entries.filter((e) => 'event' in e || 'list' in e).length;
  const server = await createSimulatedApiServer({ historySize: changes + 1000, bookmarkIntervalMs: 3_600_000 });
  const replay = replayInto(server, recording, { speed: data.speed, startOnFirstWatch: true });
  const firstWatch = recording.entries.find((e) => 'watch' in e)?.t ?? 0;
  const lastEvent = recording.entries.findLast((e) => 'event' in e)?.t ?? firstWatch;
  const ready: ReplayWorkerReady = {
    type: 'ready',
    url: server.url,
    path: replay.path,
    resource: replay.resource,
    objects: server.list(replay.resource).items.length,
    changes: replay.total,
    finalResourceVersion: replay.finalResourceVersion,
    recordedMs: Math.max(0, lastEvent - firstWatch),
  };
  port.postMessage(ready);
  replay.done.catch((error: unknown) => port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
} catch (error) {
  port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
