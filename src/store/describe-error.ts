const MAX_MESSAGE_CHARS = 300;

/**
 * One line describing an error, safe to log: its `name`, the API server's `code` and `reason`
 * when present, and its message with whitespace collapsed and cut at 300 characters. Nothing
 * else of the error is read, so a property holding a request (headers, a token) never leaks into
 * the text.
 *
 * @example
 * ```ts
 * import { ApiError } from 'rxkube';
 * import { describeError } from './describe-error.ts';
 * describeError(new ApiError({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' }));
 * // 'ApiError 404 NotFound: the server could not find the requested resource'
 * ```
 * @param error - anything thrown or emitted as an error.
 * @returns the description.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return clip(String(error));
  const e = error as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown };
  const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
  const detail = [
    typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : undefined,
    typeof e.reason === 'string' && e.reason !== '' ? e.reason : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  const message = typeof e.message === 'string' ? clip(e.message) : '';
  return `${name}${detail === '' ? '' : ` ${detail}`}${message === '' ? '' : `: ${message}`}`;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
}
