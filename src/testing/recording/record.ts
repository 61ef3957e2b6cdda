import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { defer, tap, type Subscription } from 'rxjs';
import { listWatch, type KubeObject, type ListWatch, type ObjectList, type WatchEvent } from '../../index.ts';
import { RECORDING_FORMAT, type RecordedResource, type RecordingEnd, type RecordingEntry, type RecordingHeader } from './format.ts';
import { redactObject, resolveRedaction, type RedactionOptions } from './redact.ts';

/**
 * Options of {@link record}.
 *
 * @example
 * ```ts
 * import type { RecordOptions } from 'rxkube/testing';
 * const options: RecordOptions = { path: 'pods.ndjson.gz', resource: { group: '', version: 'v1', plural: 'pods' }, durationMs: 60_000 };
 * ```
 */
export interface RecordOptions {
  /** The file to write. */
  readonly path: string;
  /** The collection the source lists and watches, for the header and the replays. */
  readonly resource: RecordedResource;
  /**
   * Compress with gzip (node:zlib).
   * @defaultValue `true` when `path` ends in `.gz`
   */
  readonly gzip?: boolean;
  /**
   * Stop this long after the start.
   * @defaultValue no limit
   */
  readonly durationMs?: number;
  /**
   * Stop after this many watch events (`ADDED`, `MODIFIED`, `DELETED`).
   * @defaultValue no limit
   */
  readonly maxEvents?: number;
  /**
   * Stop when aborted. With no limit at all, this is the only way to stop.
   * @defaultValue none
   */
  readonly signal?: AbortSignal;
  /**
   * What to redact; by default Secret values and the last-applied annotation.
   * @defaultValue `{ secrets: true, annotations: ['kubectl.kubernetes.io/last-applied-configuration'] }`
   */
  readonly redact?: RedactionOptions;
  /**
   * Header fields that describe the source: server URL, namespace, selectors.
   * @defaultValue none
   */
  readonly describe?: Pick<RecordingHeader, 'source' | 'namespace' | 'labelSelector' | 'fieldSelector'>;
  /**
   * Called after every page and event, with the counts so far.
   * @defaultValue none
   */
  readonly onProgress?: (progress: RecordSummary) => void;
  /**
   * Reject when the first list fails instead of retrying with backoff (the list/watch loop's
   * choice): a wrong URL or credentials end the recording at once.
   * @defaultValue true
   */
  readonly failFast?: boolean;
}

/**
 * What {@link record} wrote.
 *
 * @example
 * ```ts
 * import type { RecordSummary } from 'rxkube/testing';
 * const s: RecordSummary = { path: 'pods.ndjson', pages: 2, objects: 812, events: 1000, durationMs: 61_000 };
 * ```
 */
export interface RecordSummary {
  /** The file written. */
  readonly path: string;
  /** List pages recorded (relists included). */
  readonly pages: number;
  /** Objects in those pages. */
  readonly objects: number;
  /** Watch events recorded (bookmarks and errors not counted). */
  readonly events: number;
  /** Milliseconds from the start to the last entry. */
  readonly durationMs: number;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Records a collection's list/watch traffic to a file: runs rxkube's list-then-watch loop over
 * `source` and writes every list page and watch event as it arrives, with its arrival time, as
 * NDJSON (gzip-compressed for `.gz` paths). The format is described in the testing guide.
 *
 * Secrets are never written unless asked: by default the values of a Secret's `data` and
 * `stringData`, and the `kubectl.kubernetes.io/last-applied-configuration` annotation (which holds
 * a copy of applied Secrets), are replaced by same-length placeholders, and the header says so.
 *
 * The loop resumes and relists as an informer does; a relist appears in the file as a new list.
 * Resolves once the file is complete (the `end` line written and the file closed); rejects when
 * the first list fails and `failFast` is on (the file is then removed), or when the file cannot
 * be written.
 *
 * @example
 * ```ts
 * import { fetchListWatch } from 'rxkube';
 * import { record } from 'rxkube/testing';
 * const source = fetchListWatch({ baseUrl: 'http://127.0.0.1:8001', resource: { version: 'v1', plural: 'pods' } });
 * const summary = await record(source, { path: 'pods.ndjson.gz', resource: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' }, durationMs: 60_000 });
 * console.log(summary.events, 'events recorded');
 * ```
 *
 * @param source - the list and watch requests (e.g. `kubeListWatch` or `fetchListWatch`).
 * @param options - file, limits, redaction.
 * @returns what was written.
 */
export async function record(source: ListWatch<KubeObject>, options: RecordOptions): Promise<RecordSummary> {
  const redaction = resolveRedaction(options.redact);
  const file = createWriteStream(options.path);
  const gzip = options.gzip ?? options.path.endsWith('.gz');
  const sink: Writable = gzip ? createGzip() : file;
  if (gzip) sink.pipe(file);
  const header: RecordingHeader = {
    format: RECORDING_FORMAT,
    version: 1,
    startedAt: new Date().toISOString(),
    resource: options.resource,
    ...options.describe,
    redaction,
  };
  sink.write(`${JSON.stringify(header)}\n`);
  const started = performance.now();
  let pages = 0;
  let objects = 0;
  let events = 0;
  let last = 0;
  // `closed`: nothing more is written; `stopped`: finish() ran.
  let closed = false;
  let stopped = false;
  const summary = (): RecordSummary => ({ path: options.path, pages, objects, events, durationMs: round(last) });
  const write = (entry: RecordingEntry): void => {
    last = entry.t;
    sink.write(`${JSON.stringify(entry)}\n`);
  };
  const now = (): number => round(performance.now() - started);
  const redact = (obj: KubeObject): KubeObject => redactObject(obj, options.resource, redaction);

  return new Promise<RecordSummary>((resolve, reject) => {
    let subscription: Subscription | undefined;
    let timer: NodeJS.Timeout | undefined;
    let listed = false;
    const finish = (end: RecordingEnd | undefined, error?: unknown): void => {
      if (stopped) return;
      stopped = true;
      closed = true;
      subscription?.unsubscribe();
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (end !== undefined) write({ t: now(), end });
      sink.end();
      once(file, 'close').then(
        async () => {
          if (error === undefined) resolve(summary());
          else {
            // No half-written recording is left behind.
            await rm(options.path, { force: true });
            reject(error);
          }
        },
        reject,
      );
    };
    const onAbort = (): void => finish({ reason: 'stopped', events });
    file.on('error', (e) => {
      stopped = true;
      closed = true;
      subscription?.unsubscribe();
      clearTimeout(timer);
      reject(e);
    });

    const recorded: ListWatch<KubeObject> = {
      list: (listOptions) => source.list(listOptions).pipe(tap((page: ObjectList<KubeObject>) => {
        if (closed) return;
        pages += 1;
        objects += page.items.length;
        write({ t: now(), list: { metadata: page.metadata, items: page.items.map(redact) } });
        options.onProgress?.(summary());
      })),
      watch: (watchOptions) => defer(() => {
        if (!closed) write({ t: now(), watch: watchOptions });
        return source.watch(watchOptions).pipe(tap((event: WatchEvent<KubeObject>) => {
          if (closed) return;
          const counted = event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED';
          const stored = counted ? { type: event.type, object: redact(event.object) } : event;
          if (counted) events += 1;
          write({ t: now(), event: stored });
          options.onProgress?.(summary());
          if (counted && options.maxEvents !== undefined && events >= options.maxEvents) {
            // Not from inside the source's emission: unsubscribing there would abort the body mid-read.
            closed = true;
            queueMicrotask(() => finish({ reason: 'maxEvents', events }));
          }
        }));
      }),
    };

    if (options.signal?.aborted) {
      finish({ reason: 'stopped', events });
      return;
    }
    options.signal?.addEventListener('abort', onAbort);
    if (options.durationMs !== undefined) timer = setTimeout(() => finish({ reason: 'duration', events }), options.durationMs);
    subscription = listWatch(recorded).subscribe({
      next: (event) => {
        if (event.type === 'LIST_DONE') listed = true;
        if (event.type === 'BACKOFF' && !listed && (options.failFast ?? true)) {
          const error = event.error;
          queueMicrotask(() => finish(undefined, error));
        }
      },
      error: (error: unknown) => finish(undefined, error),
    });
  });
}
