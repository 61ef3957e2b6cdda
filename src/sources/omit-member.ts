import { QUOTE, BACKSLASH, COMMA, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, SPACE, TAB, LF, CR } from './json-chars.ts';

/**
 * Removes one member, found by its key path, from the text of a JSON object before it is parsed,
 * so that `JSON.parse` never builds it: cheaper than parsing it and far cheaper than `delete`
 * afterwards (which turns the object into a slow dictionary-mode object that every later read pays
 * for).
 *
 * The scan visits only the members on the way to the target: it reads each key, descends into
 * the one on the path, and jumps over other values (strings by `indexOf`, containers by bracket
 * matching). It stops at the target. Anything it does not understand (not an object, a path that
 * is absent or not an object, malformed text) returns the text unchanged, so `JSON.parse` sees
 * exactly what it would have seen and reports its own error. The removed member's own content is
 * only followed for nesting and strings, never validated: rxkube does not read what it omits.
 */


/**
 * The text of the object without the member at `path` (keys from the root), or `text` itself
 * when there is no such member or the text is not an object rxkube can scan.
 *
 * @example
 * ```ts
 * import { omitMember } from './omit-member.ts';
 * omitMember('{"metadata":{"name":"a","managedFields":[{}]}}', ['metadata', 'managedFields']);
 * // '{"metadata":{"name":"a"}}'
 * ```
 *
 * @internal
 */
export function omitMember(text: string, path: readonly string[]): string {
  let at = skipSpace(text, 0);
  for (let level = 0; level < path.length; level++) {
    if (text.charCodeAt(at) !== OPEN_BRACE) return text;
    const wanted = path[level]!;
    const last = level === path.length - 1;
    // Members of this object, until the wanted key.
    at = skipSpace(text, at + 1);
    if (text.charCodeAt(at) === CLOSE_BRACE) return text;
    let previousEnd = -1; // where the previous member's value ended (its comma follows), or -1 for the first member
    for (;;) {
      if (text.charCodeAt(at) !== QUOTE) return text;
      const keyStart = at;
      const keyEnd = stringEnd(text, at);
      if (keyEnd < 0) return text;
      at = skipSpace(text, keyEnd);
      if (text.charCodeAt(at) !== COLON) return text;
      const valueStart = skipSpace(text, at + 1);
      const matches = keyEnd - keyStart - 2 === wanted.length && text.startsWith(wanted, keyStart + 1);
      if (matches && !last) {
        at = valueStart;
        break;
      }
      const valueEnd = skipValue(text, valueStart);
      if (valueEnd < 0) return text;
      at = skipSpace(text, valueEnd);
      const next = text.charCodeAt(at);
      if (matches) {
        // Remove `,"key":value` after a previous member, else `"key":value,` before the next one.
        if (previousEnd >= 0) return text.slice(0, previousEnd) + text.slice(valueEnd);
        if (next === COMMA) return text.slice(0, keyStart) + text.slice(skipSpace(text, at + 1));
        if (next === CLOSE_BRACE) return text.slice(0, keyStart) + text.slice(at);
        return text;
      }
      if (next === CLOSE_BRACE) return text;
      if (next !== COMMA) return text;
      previousEnd = valueEnd;
      at = skipSpace(text, at + 1);
    }
  }
  return text;
}

function skipSpace(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return at;
    at++;
  }
}

/** The index just past the string that opens at `at` (a quote), or -1 if it never closes. */
function stringEnd(text: string, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    // The quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index just past the value that starts at `at`, or -1 for text rxkube cannot follow. */
function skipValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return stringEnd(text, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let end = at;
    for (;;) {
      const c = text.charCodeAt(end);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === SPACE || c === LF || c === CR || c === TAB || Number.isNaN(c)) break;
      end++;
    }
    return end === at ? -1 : end;
  }
  // A container: count nesting outside strings, jumping over each string with indexOf (faster
  // than a loop over its characters, even for the short keys managedFields is made of).
  let depth = 0;
  let i = at;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}
