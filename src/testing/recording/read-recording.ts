import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { RECORDING_FORMAT, RecordingFormatError, type Recording, type RecordingEntry, type RecordingHeader } from './format.ts';

const entryKeys = ['list', 'watch', 'event', 'end'] as const;

function parseLine(line: string, n: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new RecordingFormatError('not valid JSON', n);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RecordingFormatError('not a JSON object', n);
  return value as Record<string, unknown>;
}

function checkEntry(value: Record<string, unknown>, n: number): RecordingEntry {
  if (typeof value['t'] !== 'number' || !Number.isFinite(value['t'])) throw new RecordingFormatError('entry without a numeric t', n);
  const kinds = entryKeys.filter((k) => k in value);
  if (kinds.length !== 1) throw new RecordingFormatError('entry must have exactly one of list, watch, event, end', n);
  const body = value[kinds[0]!];
  if (body === null || typeof body !== 'object') throw new RecordingFormatError(`${kinds[0]} is not an object`, n);
  if (kinds[0] === 'list') {
    const list = body as { metadata?: { resourceVersion?: unknown }; items?: unknown };
    if (typeof list.metadata?.resourceVersion !== 'string' || !Array.isArray(list.items)) throw new RecordingFormatError('list page without metadata.resourceVersion and items', n);
  }
  if (kinds[0] === 'event' && typeof (body as { type?: unknown }).type !== 'string') throw new RecordingFormatError('event without a type', n);
  return value as unknown as RecordingEntry;
}

/**
 * Parses a recording's text (NDJSON: the header line, then one entry per line).
 *
 * @example
 * ```ts
 * import { parseRecording } from 'rxkube/testing';
 * const r = parseRecording('{"format":"rxkube-recording","version":1,"startedAt":"2026-11-30T12:00:00Z","resource":{"group":"","version":"v1","plural":"pods"},"redaction":{"secrets":true,"annotations":[]}}\n');
 * r.entries.length; // 0
 * ```
 *
 * @param text - the whole file, uncompressed.
 * @returns the header and entries.
 * @throws {@link RecordingFormatError} for anything that is not a version-1 recording.
 */
export function parseRecording(text: string): Recording {
  const lines = text.split('\n');
  const first = lines[0]?.trim() ?? '';
  if (first === '') throw new RecordingFormatError('empty file: no header line');
  const header = parseLine(first, 1);
  if (header['format'] !== RECORDING_FORMAT) throw new RecordingFormatError(`not an rxkube recording (format ${JSON.stringify(header['format'])})`, 1);
  if (header['version'] !== 1) throw new RecordingFormatError(`unsupported recording version ${JSON.stringify(header['version'])}`, 1);
  const resource = header['resource'] as { plural?: unknown; version?: unknown } | undefined;
  if (typeof resource?.plural !== 'string' || typeof resource.version !== 'string') throw new RecordingFormatError('header without resource.plural and resource.version', 1);
  const entries: RecordingEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    entries.push(checkEntry(parseLine(line, i + 1), i + 1));
  }
  return { header: header as unknown as RecordingHeader, entries };
}

/**
 * Reads a recording written by {@link record} (plain or gzip-compressed, told apart by the gzip
 * magic bytes, not the name).
 *
 * @example
 * ```ts
 * import { readRecording } from 'rxkube/testing';
 * const { header, entries } = await readRecording('pods.ndjson.gz');
 * console.log(header.resource.plural, entries.length);
 * ```
 *
 * @param path - the file.
 * @returns the header and entries.
 * @throws {@link RecordingFormatError} for a file that is not a recording (also a broken gzip stream).
 */
export async function readRecording(path: string): Promise<Recording> {
  let bytes = await readFile(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new RecordingFormatError(`${path}: broken gzip stream (${cause instanceof Error ? cause.message : String(cause)})`);
    }
  }
  return parseRecording(bytes.toString('utf8'));
}
