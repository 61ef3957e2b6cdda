/**
 * Internal, not API: the one test every decoder of untrusted JSON starts with.
 *
 * @internal
 * @packageDocumentation
 */

/**
 * True for a plain JSON object: not `null`, not an array.
 *
 * @example
 * ```ts
 * import { isRecord } from './is-record.ts';
 * isRecord({ kind: 'Pod' }); // true
 * isRecord([]); // false
 * ```
 *
 * @internal
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
