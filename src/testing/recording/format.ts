import type { KubeObject, ObjectList, WatchEvent, WatchOptions } from '../../index.ts';

/** The value of {@link RecordingHeader.format}. */
export const RECORDING_FORMAT = 'rxkube-recording';

/**
 * The collection a recording was taken from. `kind` and `namespaced` let a replay serve it from a
 * simulated API server that does not know the resource.
 *
 * @example
 * ```ts
 * import type { RecordedResource } from 'rxkube/testing';
 * const pods: RecordedResource = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
 * ```
 */
export interface RecordedResource {
  /** API group; `''` for the core group. */
  readonly group: string;
  /** API version, e.g. `v1`. */
  readonly version: string;
  /** Lower-case plural, e.g. `pods`. */
  readonly plural: string;
  /** Kind of one object, when known (`Pod`). */
  readonly kind?: string;
  /** Whether objects live in namespaces, when known. @defaultValue true */
  readonly namespaced?: boolean;
}

/**
 * What a recording's redaction did: the header says it, so a reader knows which values are
 * placeholders.
 *
 * @example
 * ```ts
 * import type { RecordingRedaction } from 'rxkube/testing';
 * const defaults: RecordingRedaction = { secrets: true, annotations: ['kubectl.kubernetes.io/last-applied-configuration'] };
 * ```
 */
export interface RecordingRedaction {
  /** Whether Secret `data` and `stringData` values were replaced by placeholders. */
  readonly secrets: boolean;
  /** Annotations whose values were replaced by placeholders. */
  readonly annotations: readonly string[];
}

/**
 * The first line of a recording.
 *
 * @example
 * ```ts
 * import type { RecordingHeader } from 'rxkube/testing';
 * const header: RecordingHeader = {
 *   format: 'rxkube-recording', version: 1, startedAt: '2026-11-30T12:00:00.000Z',
 *   resource: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
 *   redaction: { secrets: true, annotations: ['kubectl.kubernetes.io/last-applied-configuration'] },
 * };
 * ```
 */
export interface RecordingHeader {
  /** Always `rxkube-recording`. */
  readonly format: typeof RECORDING_FORMAT;
  /** Format version; this reader understands 1. */
  readonly version: 1;
  /** Wall-clock time of `t = 0`, ISO 8601. */
  readonly startedAt: string;
  /** The collection recorded. */
  readonly resource: RecordedResource;
  /** The namespace, when the recording was restricted to one. */
  readonly namespace?: string;
  /** The label selector sent, if any. */
  readonly labelSelector?: string;
  /** The field selector sent, if any. */
  readonly fieldSelector?: string;
  /** Where it was recorded from (the server URL), for the reader. */
  readonly source?: string;
  /** What was redacted. */
  readonly redaction: RecordingRedaction;
}

/**
 * One line after the header. `t` is the arrival time in milliseconds since the start: when
 * rxkube's transport handed over the parsed page or event.
 *
 * - `list`: one list page as received (`metadata.continue` set on all but the last page);
 * - `watch`: a watch request was opened with these options;
 * - `event`: one watch event as received (`ERROR` events included);
 * - `end`: the last line: why the recording stopped and how many watch events it holds.
 *
 * @example
 * ```ts
 * import type { RecordingEntry } from 'rxkube/testing';
 * const entry: RecordingEntry = { t: 1532.25, event: { type: 'DELETED', object: { metadata: { name: 'a', namespace: 'ns', resourceVersion: '812' } } } };
 * ```
 */
export type RecordingEntry =
  | {
      /** Arrival time, ms since the start. */
      readonly t: number;
      /** One list page as received. */
      readonly list: ObjectList<KubeObject>;
    }
  | {
      /** When the request was opened, ms since the start. */
      readonly t: number;
      /** The watch request's options. */
      readonly watch: WatchOptions;
    }
  | {
      /** Arrival time, ms since the start. */
      readonly t: number;
      /** One watch event as received. */
      readonly event: WatchEvent<KubeObject>;
    }
  | {
      /** When the recording stopped, ms since the start. */
      readonly t: number;
      /** Why, and how many events it holds. */
      readonly end: RecordingEnd;
    };

/**
 * Why and how a recording ended.
 *
 * @example
 * ```ts
 * import type { RecordingEnd } from 'rxkube/testing';
 * const end: RecordingEnd = { reason: 'maxEvents', events: 1000 };
 * ```
 */
export interface RecordingEnd {
  /** `duration`, `maxEvents`, or `stopped` (the signal was aborted). */
  readonly reason: 'duration' | 'maxEvents' | 'stopped';
  /** Watch events recorded (`ADDED`, `MODIFIED`, `DELETED`; bookmarks and errors not counted). */
  readonly events: number;
}

/**
 * A recording in memory: its header and its entries, in order.
 *
 * @example
 * ```ts
 * import { readRecording } from 'rxkube/testing';
 * const recording = await readRecording('pods.ndjson.gz');
 * console.log(recording.header.resource.plural, recording.entries.length);
 * ```
 */
export interface Recording {
  /** The first line. */
  readonly header: RecordingHeader;
  /** Every later line. */
  readonly entries: readonly RecordingEntry[];
}

/**
 * A file that is not a readable rxkube recording: not NDJSON, no header, an unknown format or
 * version, or a line that is not an entry. Not retryable; the message names the line.
 *
 * @example
 * ```ts
 * import { parseRecording, RecordingFormatError } from 'rxkube/testing';
 * try {
 *   parseRecording('{"hello":1}\n');
 * } catch (e) {
 *   if (e instanceof RecordingFormatError) console.error(e.line, e.message);
 * }
 * ```
 */
export class RecordingFormatError extends Error {
  /** Always `'RecordingFormatError'`. */
  override readonly name = 'RecordingFormatError';
  /** The 1-based line at fault, when one is. */
  readonly line: number | undefined;

  /**
   * @param message - what is wrong.
   * @param line - the 1-based line at fault.
   */
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.line = line;
  }
}
