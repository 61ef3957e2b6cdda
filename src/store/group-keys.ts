/**
 * Internal, not API: normalising the result of a multi-valued key function
 * (`string | readonly string[] | undefined | null`) to a duplicate-free array.
 *
 * @internal
 * @packageDocumentation
 */

import type { KeyResult } from '../model/derived-views.ts';

const NONE: readonly string[] = Object.freeze([]);

/** The distinct keys of a key function's result, in first-seen order. @internal */
export function keyList(result: KeyResult): readonly string[] {
  if (result === undefined || result === null) return NONE;
  if (typeof result === 'string') return [result];
  if (result.length < 2) return result;
  return result.length === new Set(result).size ? result : [...new Set(result)];
}
