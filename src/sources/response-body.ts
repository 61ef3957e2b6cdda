/**
 * A response body as {@link FetchResponse} carries it: a WHATWG stream (what `fetch` gives), an
 * async iterable of byte chunks (a Node.js `IncomingMessage`, which rxkube/kube passes through
 * without wrapping it in a web stream), or nothing.
 *
 * @example
 * ```ts
 * import type { ResponseBody } from 'rxkube';
 * const body: ResponseBody = new Response('{}').body;
 * ```
 */
export type ResponseBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;

/**
 * The part of a WHATWG `Response` that rxkube reads, so that a `Response` satisfies it and a
 * transport can also hand over its body as an async iterable of byte chunks instead of a web
 * stream: `kubeFetch` in `rxkube/kube` passes Node.js's `IncomingMessage` through unwrapped, which
 * saves the web-stream machinery on every chunk of a long watch.
 *
 * @example
 * ```ts
 * import type { FetchResponse } from 'rxkube';
 * const chunks = async function* () {
 *   yield new TextEncoder().encode('{"type":"ADDED","object":{}}\n');
 * };
 * const response: FetchResponse = { ok: true, status: 200, statusText: 'OK', headers: new Headers(), body: chunks() };
 * ```
 */
export interface FetchResponse {
  /** `true` for a 2xx status. */
  readonly ok: boolean;
  /** The HTTP status code. */
  readonly status: number;
  /** The HTTP reason phrase (may be empty, as over HTTP/2). */
  readonly statusText: string;
  /** The response headers; rxkube reads `Retry-After`. */
  readonly headers: Headers;
  /** The body: a web stream, an async iterable of chunks, or `null` for none. */
  readonly body: ResponseBody;
}

/**
 * One reader over either kind of {@link ResponseBody}.
 *
 * @internal
 */
export interface BodyReader {
  /** The next chunk, or `done` at the end of the body; rejects with the transport's error. */
  read(): Promise<IteratorResult<Uint8Array, unknown>>;
  /**
   * Calls `onChunk` with every remaining chunk, in order, synchronously as each arrives; resolves
   * at the end of the body (or once cancelled) and rejects with the transport's error or with
   * what `onChunk` threw (the body is then cancelled). Cheaper than a `read()` per chunk where the
   * body can push: a Node.js stream is read through its `'data'` events, without a promise per
   * chunk. Use either this or `read()`, not both.
   */
  forEach(onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** Stops reading and releases the connection; safe to call more than once, never throws. */
  cancel(): void;
}

/** The part of a Node.js `Readable` (an `IncomingMessage`) that a push-mode reader uses. */
interface PushStream {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  destroy(): unknown;
  pause(): unknown;
  readonly readableEnded?: boolean;
}

function isPushStream(body: object): body is PushStream {
  const b = body as Partial<PushStream>;
  return typeof b.on === 'function' && typeof b.removeListener === 'function' && typeof b.destroy === 'function' && typeof b.pause === 'function';
}

/** The error a Node.js stream that closed before its end is reported with, as `stream.finished` does. */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

/** Pulls every chunk with `read()`, for bodies that cannot push. */
async function pullEach(reader: Pick<BodyReader, 'read' | 'cancel'>, onChunk: (chunk: Uint8Array) => void, cancelled: () => boolean): Promise<void> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done || cancelled()) return;
    try {
      onChunk(value as Uint8Array);
    } catch (error) {
      reader.cancel();
      throw error;
    }
  }
}

const EMPTY: BodyReader = {
  read: () => Promise.resolve({ done: true, value: undefined }),
  forEach: () => Promise.resolve(),
  cancel: () => undefined,
};

/**
 * Opens a reader on a body: `getReader()` for a web stream; for an async iterable, its iterator,
 * and for `forEach` on a Node.js stream, its `'data'` events.
 *
 * @internal
 */
export function openBody(body: ResponseBody): BodyReader {
  if (body === null) return EMPTY;
  let cancelled = false;
  const isCancelled = (): boolean => cancelled;
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    const self: BodyReader = {
      read: () => reader.read() as Promise<IteratorResult<Uint8Array, unknown>>,
      forEach: (onChunk) => pullEach(self, onChunk, isCancelled),
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        reader.cancel().catch(() => undefined);
      },
    };
    return self;
  }
  const iterable = body as AsyncIterable<Uint8Array>;
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let stopPush: (() => void) | undefined;
  const self: BodyReader = {
    read: () => (iterator ??= iterable[Symbol.asyncIterator]()).next(),
    forEach: (onChunk) => {
      if (cancelled) return Promise.resolve();
      if (iterator !== undefined || !isPushStream(body)) return pullEach(self, onChunk, isCancelled);
      return new Promise<void>((resolve, reject) => {
        const stream = body;
        const finish = (error?: unknown): void => {
          stream.removeListener('data', onData);
          stream.removeListener('end', onEnd);
          stream.removeListener('error', onError);
          stream.removeListener('close', onClose);
          stopPush = undefined;
          if (error === undefined) resolve();
          else reject(error);
        };
        const onData = (chunk: Uint8Array): void => {
          try {
            onChunk(chunk);
          } catch (error) {
            finish(error);
            self.cancel();
          }
        };
        const onEnd = (): void => finish();
        const onError = (error: unknown): void => finish(error);
        // 'close' after 'end' is normal; before it, the body was cut short.
        const onClose = (): void => finish(stream.readableEnded === true ? undefined : prematureClose());
        stopPush = () => finish();
        stream.on('error', onError);
        stream.on('end', onEnd);
        stream.on('close', onClose);
        stream.on('data', onData);
      });
    },
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      if (stopPush !== undefined) {
        stopPush();
        (body as unknown as PushStream).destroy();
      } else if (iterator !== undefined) {
        iterator.return?.().catch(() => undefined);
      } else if (isPushStream(body)) {
        body.destroy();
      } else {
        iterable[Symbol.asyncIterator]().return?.().catch(() => undefined);
      }
    },
  };
  return self;
}

/**
 * Reads a whole (small) body as text: error pages and discovery documents. List bodies are never
 * read this way: `ListBodyDecoder` decodes them item by item.
 *
 * @internal
 */
export async function readBodyText(body: ResponseBody): Promise<string> {
  const reader = openBody(body);
  try {
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value as Uint8Array, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    reader.cancel();
  }
}
