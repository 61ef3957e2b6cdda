import { ApiError } from '../model/errors.ts';
import type { Status } from '../model/kube-object.ts';
import { isRecord } from '../model/is-record.ts';
import { openBody, type FetchResponse } from './response-body.ts';

/** Status documents are small; a proxy's HTML error page need not be read whole. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_SNIPPET_CHARS = 200;

/**
 * Builds the {@link ApiError} for a non-2xx response: the server's Status document when the body
 * is one, otherwise the code with a short, single-line snippet of the body. `retryAfterSeconds`
 * comes from the `Retry-After` header (delta-seconds or an HTTP date), else from the Status details.
 *
 * Reads at most 64 KiB of the body, then cancels it. Never looks at request headers, so
 * credentials cannot leak into the message.
 *
 * @internal
 */
export async function apiErrorFromResponse(response: FetchResponse, now: () => number = Date.now): Promise<ApiError> {
  const code = response.status;
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), now);
  const text = await readSome(response);
  let status: Status | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && (parsed['kind'] === 'Status' || typeof parsed['code'] === 'number' || typeof parsed['reason'] === 'string')) {
      status = parsed as Status;
    }
  } catch {
    // Not JSON: fall back to a snippet.
  }
  const init: ConstructorParameters<typeof ApiError>[0] = { code };
  if (retryAfterSeconds !== undefined) init.retryAfterSeconds = retryAfterSeconds;
  if (status !== undefined) {
    init.status = status;
    if (typeof status.message !== 'string' || status.message === '') init.message = `API server answered ${code} ${response.statusText}`.trimEnd();
  } else {
    const snippet = text.replace(/\s+/g, ' ').trim();
    const shown = snippet.length > MAX_SNIPPET_CHARS ? `${snippet.slice(0, MAX_SNIPPET_CHARS)}…` : snippet;
    init.message = `API server answered ${code} ${response.statusText}`.trimEnd() + (shown === '' ? '' : `: ${shown}`);
  }
  return new ApiError(init);
}

/**
 * `Retry-After` as seconds: delta-seconds, or an HTTP date relative to `now` (never negative).
 *
 * @internal
 */
export function parseRetryAfter(value: string | null, now: () => number = Date.now): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now()) / 1000));
}

async function readSome(response: FetchResponse): Promise<string> {
  const reader = openBody(response.body);
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const chunk = value as Uint8Array;
      bytes += chunk.length;
      text += decoder.decode(chunk, { stream: true });
    }
    return text;
  } catch {
    return text;
  } finally {
    reader.cancel();
  }
}
