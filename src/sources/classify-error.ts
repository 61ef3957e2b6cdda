import type { Status } from '../model/kube-object.ts';
import { WatchStalledError } from '../model/errors.ts';

/** The fields rxkube reads from an API error: any object with a numeric `code`. */
interface ApiErrorShape {
  readonly code: number;
  readonly reason?: string;
  readonly message?: string;
  readonly status?: Status;
}

const knownReasons = new Set([
  'Unauthorized', 'Forbidden', 'NotFound', 'AlreadyExists', 'Conflict', 'Gone', 'Invalid', 'ServerTimeout',
  'StoreReadError', 'Timeout', 'TooManyRequests', 'BadRequest', 'MethodNotAllowed', 'NotAcceptable',
  'RequestEntityTooLarge', 'UnsupportedMediaType', 'InternalError', 'Expired', 'ServiceUnavailable',
]);

/** Whether `error` came from the API server (has a numeric `code`). */
export function isApiErrorShape(error: unknown): error is ApiErrorShape {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number';
}

function reasonOf(error: ApiErrorShape): string | undefined {
  return error.reason ?? error.status?.reason;
}

/** 410: reason `Expired` or `Gone`, or code 410 with a reason client-go does not know. */
export function isExpired(error: unknown): boolean {
  if (!isApiErrorShape(error)) return false;
  const reason = reasonOf(error);
  if (reason === 'Expired' || reason === 'Gone') return true;
  return error.code === 410 && (reason === undefined || !knownReasons.has(reason));
}

/**
 * "Too large resource version": a Status cause `ResourceVersionTooLarge`, or (old servers) a 504
 * whose message says `Too large resource version`.
 */
export function isTooLargeResourceVersion(error: unknown): boolean {
  if (!isApiErrorShape(error)) return false;
  const causes = error.status?.details?.causes ?? [];
  if (causes.some((c) => c.reason === 'ResourceVersionTooLarge')) return true;
  if (error.code !== 504 && reasonOf(error) !== 'Timeout') return false;
  const text = 'Too large resource version';
  return causes.some((c) => c.message?.includes(text) === true) || (error.status?.message ?? error.message ?? '').includes(text);
}

/** 429, whatever the reason, or reason `TooManyRequests`. */
export function isTooManyRequests(error: unknown): boolean {
  return isApiErrorShape(error) && (error.code === 429 || reasonOf(error) === 'TooManyRequests');
}

/**
 * A dead connection: the watch went silent for longer than the stall limit ({@link WatchStalledError}).
 * Not a failing server, so no backoff: each attempt is already paced by the stall limit itself.
 */
export function isDeadConnection(error: unknown): error is WatchStalledError {
  return error instanceof WatchStalledError;
}
