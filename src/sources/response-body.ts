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
  /** Stops reading and releases the connection; safe to call more than once, never throws. */
  cancel(): void;
}

const EMPTY: BodyReader = {
  read: () => Promise.resolve({ done: true, value: undefined }),
  cancel: () => undefined,
};

/**
 * Opens a reader on a body: `getReader()` for a web stream, the async iterator otherwise.
 *
 * @internal
 */
export function openBody(body: ResponseBody): BodyReader {
  if (body === null) return EMPTY;
  if (typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    let cancelled = false;
    return {
      read: () => reader.read() as Promise<IteratorResult<Uint8Array, unknown>>,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        reader.cancel().catch(() => undefined);
      },
    };
  }
  const iterator = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let cancelled = false;
  return {
    read: () => iterator.next(),
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      iterator.return?.().catch(() => undefined);
    },
  };
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
