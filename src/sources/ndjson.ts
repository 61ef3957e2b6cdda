import { WatchStreamError } from '../model/errors.ts';
import { omitMember } from './omit-member.ts';
import { allocBytes, utf8Text } from './utf8-text.ts';

/** 16 MiB: well above the API server's default 3 MiB object limit (etcd's 1.5 MiB request limit, doubled, plus JSON overhead). */
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BLANK = /^\s*$/;

/**
 * Options of {@link parseNdjson} and {@link NdjsonDecoder}.
 *
 * @example
 * ```ts
 * import type { NdjsonOptions } from 'rxkube/wire';
 * const options: NdjsonOptions = { maxLineBytes: 4 * 1024 * 1024 };
 * ```
 */
export interface NdjsonOptions {
  /**
   * The longest line accepted, in bytes, excluding the newline (a `\r` before it counts). A longer line fails the
   * stream with `WatchStreamError('LineTooLong')` as soon as the limit is crossed, without
   * buffering the rest of it.
   *
   * @defaultValue `16 * 1024 * 1024` (16 MiB)
   */
  maxLineBytes?: number;
  /**
   * The key path of one member to remove from every line before it is parsed, e.g.
   * `['object', 'metadata', 'managedFields']`: the parsed values are built without it (see
   * {@link index.FetchListWatchOptions.omitManagedFields}). Lines without it are parsed as they are.
   *
   * @defaultValue none
   */
  omitMember?: readonly string[];
}

/**
 * An incremental newline-delimited JSON decoder: feed it byte chunks, it calls back with one parsed
 * value per complete line.
 *
 * Lines are found by scanning for the byte `0x0A`, which never occurs inside a multi-byte UTF-8
 * sequence, and each line is decoded once it is complete. A line that lies within one chunk is
 * decoded in place; a line spread over several chunks is copied exactly once, so a long line cut
 * into many small chunks costs O(length). `\r\n` terminators are accepted; blank lines are skipped.
 *
 * Errors are thrown from {@link NdjsonDecoder.write} / {@link NdjsonDecoder.end} as
 * {@link WatchStreamError}s whose message names the byte offset of the line, never its content.
 * After an error the decoder must not be used again.
 *
 * This is the building block of {@link parseNdjson} and of the watch transport; most users want
 * one of those.
 *
 * @example
 * ```ts
 * import { NdjsonDecoder } from 'rxkube/wire';
 * const decoder = new NdjsonDecoder();
 * const bytes = new TextEncoder().encode('{"a":1}\n{"a"');
 * decoder.write(bytes, (value) => console.log(value)); // logs { a: 1 }
 * decoder.write(new TextEncoder().encode(':2}\n'), (value) => console.log(value)); // logs { a: 2 }
 * decoder.end(); // no partial line left: does not throw
 * ```
 */
export class NdjsonDecoder {
  readonly #maxLineBytes: number;
  readonly #omit: readonly string[] | undefined;
  /** Pieces of the current, incomplete line (views into the caller's chunks: they must not be reused). */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Stream offset of the first byte of the current line. */
  #lineStart = 0;

  /** @param options - limits; see {@link NdjsonOptions}. */
  constructor(options: NdjsonOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!(max > 0)) throw new RangeError(`maxLineBytes must be positive, got ${max}`);
    this.#maxLineBytes = max;
    this.#omit = options.omitMember;
  }

  /**
   * Consumes one chunk and calls `emit` once per complete line, in order.
   *
   * The decoder keeps references to the chunk's unterminated tail until the line completes, so the
   * caller must not overwrite a chunk after passing it (stream readers never do).
   *
   * @param chunk - the next bytes of the stream.
   * @param emit - called with each parsed value; an exception it throws propagates to the caller.
   * @throws {@link index.WatchStreamError} `MalformedJson` or `LineTooLong`.
   */
  write(chunk: Uint8Array, emit: (value: unknown) => void): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) break;
      const lineStart = this.#lineStart;
      if (this.#pendingBytes === 0) {
        this.#checkLength(newline - start);
        this.#lineStart += newline - start + 1;
        this.#emitLine(chunk, start, newline, lineStart, emit);
      } else {
        const line = this.#joinPending(chunk, start, newline);
        this.#checkLength(line.length);
        this.#lineStart += line.length + 1;
        this.#emitLine(line, 0, line.length, lineStart, emit);
      }
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = start === 0 ? chunk : chunk.subarray(start);
      this.#pendingBytes += rest.length;
      this.#pending.push(rest);
      this.#checkLength(this.#pendingBytes);
    }
  }

  /**
   * Declares the end of the stream.
   *
   * @throws {@link index.WatchStreamError} `Truncated` when the stream ended in the middle of a line
   * (anything but whitespace after the last newline).
   */
  end(): void {
    if (this.#pendingBytes === 0) return;
    const rest = this.#joinPending(new Uint8Array(0), 0, 0);
    if (BLANK.test(utf8Text(rest, 0, rest.length))) return;
    throw new WatchStreamError('Truncated', `stream ended in the middle of a line at byte ${this.#lineStart} (${rest.length} bytes without a newline)`);
  }

  /** The pending pieces followed by `last[start, end)`, copied into one array. */
  #joinPending(last: Uint8Array, start: number, end: number): Uint8Array {
    const line = allocBytes(this.#pendingBytes + end - start);
    let offset = 0;
    for (const piece of this.#pending) {
      line.set(piece, offset);
      offset += piece.length;
    }
    line.set(last.subarray(start, end), offset);
    this.#pending = [];
    this.#pendingBytes = 0;
    return line;
  }

  #checkLength(bytes: number): void {
    if (bytes > this.#maxLineBytes) {
      throw new WatchStreamError('LineTooLong', `line at byte ${this.#lineStart} exceeds ${this.#maxLineBytes} bytes`);
    }
  }

  #emitLine(bytes: Uint8Array, start: number, newline: number, lineStart: number, emit: (value: unknown) => void): void {
    const end = newline > start && bytes[newline - 1] === CARRIAGE_RETURN ? newline - 1 : newline;
    if (end === start) return;
    const text = utf8Text(bytes, start, end);
    let value: unknown;
    try {
      value = JSON.parse(this.#omit === undefined ? text : omitMember(text, this.#omit));
    } catch (cause) {
      if (BLANK.test(text)) return;
      throw new WatchStreamError('MalformedJson', `invalid JSON in line at byte ${lineStart} (${end - start} bytes)`, { cause });
    }
    emit(value);
  }
}

/**
 * Parses a newline-delimited JSON byte stream into values, one per line.
 *
 * Works on a WHATWG `ReadableStream<Uint8Array>` (a `fetch` response body) or any async iterable
 * of `Uint8Array` chunks (a Node.js `Readable`); chunk boundaries may fall anywhere, including
 * inside a multi-byte UTF-8 character. Blank lines are skipped. Values are not validated: see
 * {@link decodeWatchEvent} for watch events.
 *
 * Contract: yields each line's value in order and returns when the source ends after a newline (or
 * trailing whitespace). Throws {@link WatchStreamError} — `MalformedJson` for a line that is not
 * JSON, `LineTooLong` past {@link NdjsonOptions.maxLineBytes}, `Truncated` when the source ends
 * mid-line — and rethrows the source's own errors unchanged. Breaking out of the loop (or an
 * error) cancels the source: the stream's reader is cancelled, the iterator's `return()` is called.
 *
 * @example
 * ```ts
 * import { parseNdjson } from 'rxkube/wire';
 * const response = await fetch('http://127.0.0.1:8001/api/v1/pods?watch=true');
 * for await (const event of parseNdjson(response.body!)) console.log(event);
 * ```
 *
 * @param source - the byte stream.
 * @param options - limits; see {@link NdjsonOptions}.
 * @returns an async generator of parsed values.
 */
export async function* parseNdjson(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options?: NdjsonOptions,
): AsyncGenerator<unknown, void, undefined> {
  const decoder = new NdjsonDecoder(options);
  const values: unknown[] = [];
  const push = (value: unknown): void => {
    values.push(value);
  };
  for await (const chunk of chunksOf(source)) {
    decoder.write(chunk, push);
    // Yield outside write() so that a consumer that stops early leaves no half-parsed chunk behind.
    for (let i = 0; i < values.length; i++) yield values[i];
    values.length = 0;
  }
  decoder.end();
}

async function* chunksOf(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  if (!isReadableStream(source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function isReadableStream(source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}
