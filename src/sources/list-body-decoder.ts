import { QUOTE, BACKSLASH, COMMA, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, SPACE, TAB, LF, CR } from './json-chars.ts';
import { omitMember } from './omit-member.ts';
import { WatchStreamError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';
import type { ObjectList } from '../model/wire.ts';
import { objectListPage, requireListMetadata } from './decode-object-list.ts';
import { objectMetaProblem } from './decode-watch-event.ts';

/** `c | 0x20` maps `[` to `{` and `]` to `}`: one comparison per bracket pair. */
const CASE_BIT = 0x20;

// Where the decoder is in the top-level object (`#state`).
const EXPECT_OBJECT = 0;
const EXPECT_FIRST_KEY = 1;
const EXPECT_KEY = 2;
const IN_KEY = 3;
const EXPECT_COLON = 4;
const EXPECT_VALUE = 5;
const IN_VALUE = 6;
const EXPECT_MEMBER_END = 7;
const EXPECT_FIRST_ITEM = 8;
const EXPECT_ITEM = 9;
const IN_ITEM = 10;
const EXPECT_ITEM_END = 11;
const DONE = 12;
/** An item whose end was guessed to lie in a later text: its text so far is kept, unscanned. */
const GUESSING = 13;

// What kind of value is being scanned (`#kind`).
const COMPOUND = 0;
const STRING = 1;
const SCALAR = 2;

const STREAM: TextDecodeOptions = { stream: true };
/** Characters of an item kept unscanned while waiting for its guessed end; a longer item is scanned. */
const MAX_UNSCANNED = 1 << 20;

/**
 * An incremental decoder of a list response body (`{"kind":…,"metadata":{…},"items":[…]}`): feed
 * it byte chunks as they arrive, then call {@link ListBodyDecoder.end} for the page.
 *
 * Each element of the top-level `items` array is found as its bytes arrive and parsed alone with
 * `JSON.parse`, then checked like {@link decodeObjectList} checks it; the other top-level members
 * (`metadata`, `kind`, …) are parsed as small values, in any order. The body is never held as one
 * string (V8 cannot make a string over ~512 MiB, and an API server answers a `resourceVersion=0`
 * list from its watch cache in one response, ignoring `limit`), so any response size decodes, and
 * parsing overlaps the transfer. Memory is the decoded items plus one chunk and one item.
 *
 * How: each chunk is decoded to text once (a streaming `TextDecoder`, so a multi-byte character
 * may be cut anywhere). Items of one list start alike (`{"metadata":{"name":`), so once two items
 * have shown their common start, an item's end is guessed as the next `,` + that start and the
 * guess is confirmed by `JSON.parse` of the slice alone (a slice that starts with `{` and parses
 * is exactly one object); otherwise, or when a guess fails, string contents are skipped with
 * `indexOf('"')` and brackets are counted between strings. Either way `JSON.parse` of the value
 * validates it, and the decoder checks the punctuation between values itself. An item cut by a
 * chunk boundary is joined from its pieces once it is complete, so a long item in many small
 * chunks costs O(length). Decoding 10k 5 KB pods costs about what `JSON.parse` of the whole body
 * as one string does (≈ 90 % of its throughput, counting the UTF-8 decoding it does not do).
 *
 * The result is what `decodeObjectList(JSON.parse(body))` returns for the same body. Duplicate
 * top-level keys: the last one wins, as in `JSON.parse`. Errors are {@link WatchStreamError}s,
 * thrown from `write` or `end`, whose messages name byte offsets (exact for valid UTF-8), never
 * content:
 * - `MalformedJson`: the body is not JSON, or something other than whitespace follows it;
 * - `Truncated`: the body ended before the top-level object closed;
 * - `InvalidEvent`: the body is not an object, has no `items` array (`null` counts as `[]`) or no
 *   string `metadata.resourceVersion`, or an item lacks string `metadata.name` and
 *   `metadata.resourceVersion`. A bad item fails as soon as it is read (even if a later duplicate
 *   `items` key would have replaced the array).
 *
 * After an error the decoder must not be used again.
 *
 * @example
 * ```ts
 * import { ListBodyDecoder } from 'rxkube/wire';
 * const decoder = new ListBodyDecoder();
 * const bytes = new TextEncoder().encode('{"kind":"PodList","items":[{"metadata":{"name":"a","resourceVersion":"5"}}],"metadata":{"resourceVersion":"7"}}');
 * decoder.write(bytes.subarray(0, 40));
 * decoder.write(bytes.subarray(40));
 * const page = decoder.end(); // { metadata: { resourceVersion: '7' }, items: [ { metadata: { name: 'a', … } } ] }
 * ```
 *
 * @typeParam T - the item type.
 * @see {@link index.fetchListWatch}, which decodes every list response with it.
 */
export class ListBodyDecoder<T extends KubeObject = KubeObject> {
  readonly #utf8 = new TextDecoder('utf-8');
  readonly #omit: readonly string[] | undefined;
  #state = EXPECT_OBJECT;
  #key = '';
  #metadata: unknown = undefined;
  #items: T[] | undefined = undefined;

  // The value being scanned: its kind, bracket depth, whether the scan is inside a string and
  // right after a backslash, where it starts in the current text, and its pieces from earlier texts.
  #kind = COMPOUND;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #valueStart = 0;
  #pieces: string[] = [];

  // Guessing where an item ends (see #guessItem): the first item's start, then `,` + the start
  // that the first two items share, or '' when not guessing; guesses confirmed and refuted.
  #firstItemStart: string | undefined = undefined;
  #guess = '';
  #learned = false;
  #hits = 0;
  #misses = 0;
  #unscanned = 0;
  #skipGuess = false;
  #ending = false;

  /**
   * @param options - `omitMember`: the key path, within each item, of one member to cut out of the
   * item's text before it is parsed (e.g. `['metadata', 'managedFields']`; see
   * {@link index.FetchListWatchOptions.omitManagedFields}).
   */
  constructor(options: { omitMember?: readonly string[] } = {}) {
    this.#omit = options.omitMember;
  }

  /** The item text as it is to be parsed. */
  #itemText(json: string): string {
    return this.#omit === undefined ? json : omitMember(json, this.#omit);
  }

  // Byte accounting, for error messages only.
  #text = '';
  #bytes = 0;
  #textStartByte = 0;
  #tailNeed = 0;
  #tailHave = 0;

  /**
   * Consumes the next bytes of the body; parses and checks every item they complete.
   *
   * @param chunk - the next bytes (the decoder does not keep a reference to them).
   * @throws {@link index.WatchStreamError} `MalformedJson` or `InvalidEvent`.
   */
  write(chunk: Uint8Array): void {
    const pendingIn = this.#tailHave;
    this.#trackUtf8Tail(chunk);
    this.#textStartByte = this.#bytes - pendingIn;
    this.#bytes += chunk.length;
    this.#consume(this.#utf8.decode(chunk, STREAM));
  }

  /**
   * Declares the end of the body and returns the page.
   *
   * @returns the list's items and metadata, as {@link decodeObjectList} returns them.
   * @throws {@link index.WatchStreamError} `Truncated`, `MalformedJson` or `InvalidEvent`.
   */
  end(): ObjectList<T> {
    const rest = this.#utf8.decode();
    this.#textStartByte = this.#bytes - this.#tailHave;
    this.#tailHave = 0;
    this.#ending = true;
    if (rest !== '' || this.#state === GUESSING) this.#consume(rest);
    if (this.#state !== DONE) {
      throw new WatchStreamError('Truncated', `list response ended at byte ${this.#bytes} before its top-level object closed`);
    }
    const metadata = this.#metadata;
    requireListMetadata(metadata);
    if (this.#items === undefined) throw new WatchStreamError('InvalidEvent', 'list response has no items array');
    return objectListPage(metadata, this.#items);
  }

  #consume(input: string): void {
    let text = input;
    let pos = 0;
    if (this.#state === GUESSING) {
      pos = this.#continueGuess(text);
      if (pos === text.length) return;
      if (pos < 0) {
        // Wrong guess: scan the item from its start, as one text with this one.
        const pieces = this.#pieces;
        const before = pieces.join('');
        pieces.length = 0;
        this.#textStartByte -= utf8Length(before, 0, before.length);
        text = before + text;
        pos = 0;
        this.#state = EXPECT_ITEM;
        this.#skipGuess = true;
      }
    }
    this.#text = text;
    const n = text.length;
    const state = this.#state;
    if (state === IN_ITEM || state === IN_VALUE || state === IN_KEY) {
      this.#valueStart = 0;
      const end = this.#scan(text, 0);
      if (end < 0) {
        if (n > 0) this.#pieces.push(text);
        return;
      }
      pos = this.#finishValue(text, end);
    }
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === SPACE || c === LF || c === CR || c === TAB) {
        pos++;
        continue;
      }
      switch (this.#state) {
        case EXPECT_ITEM_END:
          if (c === COMMA) this.#state = EXPECT_ITEM;
          else if (c === CLOSE_BRACKET) this.#state = EXPECT_MEMBER_END;
          else throw this.#malformed(pos, `expected ',' or ']' after list item ${this.#items!.length - 1}`);
          pos++;
          break;
        case EXPECT_ITEM:
          pos = this.#guess !== '' && c === OPEN_BRACE ? this.#guessItem(text, pos) : this.#startValue(text, pos, IN_ITEM);
          break;
        case EXPECT_FIRST_ITEM:
          if (c === CLOSE_BRACKET) {
            this.#state = EXPECT_MEMBER_END;
            pos++;
          } else {
            pos = this.#guess !== '' && c === OPEN_BRACE ? this.#guessItem(text, pos) : this.#startValue(text, pos, IN_ITEM);
          }
          break;
        case EXPECT_MEMBER_END:
          if (c === COMMA) this.#state = EXPECT_KEY;
          else if (c === CLOSE_BRACE) this.#state = DONE;
          else throw this.#malformed(pos, "expected ',' or '}' after a top-level member");
          pos++;
          break;
        case EXPECT_KEY:
          if (c !== QUOTE) throw this.#malformed(pos, 'expected a top-level key');
          pos = this.#startValue(text, pos, IN_KEY);
          break;
        case EXPECT_FIRST_KEY:
          if (c === CLOSE_BRACE) {
            this.#state = DONE;
            pos++;
          } else {
            if (c !== QUOTE) throw this.#malformed(pos, 'expected a top-level key');
            pos = this.#startValue(text, pos, IN_KEY);
          }
          break;
        case EXPECT_COLON:
          if (c !== COLON) throw this.#malformed(pos, "expected ':' after a top-level key");
          this.#state = EXPECT_VALUE;
          pos++;
          break;
        case EXPECT_VALUE:
          if (this.#key === 'items' && c === OPEN_BRACKET) {
            this.#items = [];
            this.#state = EXPECT_FIRST_ITEM;
            pos++;
          } else {
            pos = this.#startValue(text, pos, IN_VALUE);
          }
          break;
        case EXPECT_OBJECT:
          if (c === OPEN_BRACE) {
            this.#state = EXPECT_FIRST_KEY;
            pos++;
            break;
          }
          if (c === QUOTE || c === OPEN_BRACKET || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
            throw new WatchStreamError('InvalidEvent', 'list response is not an object');
          }
          throw this.#malformed(pos, 'expected a JSON object');
        case DONE:
          throw this.#malformed(pos, 'unexpected data after the top-level object');
        default:
          throw new Error(`ListBodyDecoder: unexpected state ${this.#state}`);
      }
    }
  }

  /**
   * Items of one list usually start alike (`{"metadata":{"name":`), so the item starting at `pos`
   * probably ends where the next `,` + that common start begins. The guess is confirmed by
   * `JSON.parse` of the slice: if the slice starting with `{` parses, it is exactly one object, so
   * the guess is right whatever follows (the JSON grammar fixes where an object ends). A wrong
   * guess costs a failed parse and falls back to scanning; too many wrong guesses stop guessing.
   * This skips the scan for every item that lies within one text.
   */
  #guessItem(text: string, pos: number): number {
    if (this.#skipGuess) {
      this.#skipGuess = false;
      return this.#startValue(text, pos, IN_ITEM);
    }
    const next = text.indexOf(this.#guess, pos + 1);
    if (next < 0 && this.#ending) return this.#startValue(text, pos, IN_ITEM);
    if (next < 0) {
      // The item probably runs into the next text: keep it unscanned until its guessed end.
      this.#state = GUESSING;
      this.#unscanned = text.length - pos;
      this.#pieces.push(pos === 0 ? text : text.slice(pos));
      return text.length;
    }
    let value: unknown;
    let parsed = true;
    try {
      value = JSON.parse(this.#itemText(text.slice(pos, next)));
    } catch {
      parsed = false;
    }
    if (parsed) {
      this.#hits++;
      this.#valueStart = pos;
      this.#acceptItem(value);
      return next;
    }
    if (++this.#misses > 16 && this.#misses * 4 > this.#hits) this.#guess = '';
    return this.#startValue(text, pos, IN_ITEM);
  }

  /**
   * Looks for the guessed end of the item kept by {@link #guessItem} in the next text. Returns
   * where to continue in `text` (`text.length` when all of it was kept too), or -1 when the guess
   * was wrong (or the body ends, or the item grows too long): then the item must be scanned.
   */
  #continueGuess(text: string): number {
    const pieces = this.#pieces;
    const next = text.indexOf(this.#guess);
    if (next >= 0) {
      pieces.push(text.slice(0, next));
      const json = pieces.join('');
      pieces.pop();
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(this.#itemText(json));
      } catch {
        parsed = false;
      }
      if (parsed) {
        this.#hits++;
        this.#text = text;
        this.#acceptItem(value);
        pieces.length = 0;
        return next;
      }
      if (++this.#misses > 16 && this.#misses * 4 > this.#hits) this.#guess = '';
      return -1;
    }
    if (this.#ending || this.#unscanned + text.length > MAX_UNSCANNED) return -1;
    if (text.length > 0) pieces.push(text);
    this.#unscanned += text.length;
    return text.length;
  }

  /** Learns the guess of {@link #guessItem} from the first two items' common start, cut after a key. */
  #learn(json: string): void {
    const start = json.slice(0, 64);
    const first = this.#firstItemStart;
    if (first === undefined) {
      this.#firstItemStart = start;
      return;
    }
    this.#learned = true;
    const max = Math.min(first.length, start.length);
    let common = 0;
    while (common < max && first.charCodeAt(common) === start.charCodeAt(common)) common++;
    const colon = first.lastIndexOf('":', common - 2);
    if (first.charCodeAt(0) === OPEN_BRACE && colon >= 10) this.#guess = `,${first.slice(0, colon + 2)}`;
  }

  /** Checks and keeps a parsed item that started at `#valueStart`. */
  #acceptItem(value: unknown): void {
    const items = this.#items!;
    const problem = objectMetaProblem(value, true);
    if (problem !== undefined) throw new WatchStreamError('InvalidEvent', `list item ${items.length} at byte ${this.#valueOffset()}: ${problem}`);
    items.push(value as T);
    this.#state = EXPECT_ITEM_END;
  }

  /** Starts the value at `pos`, scans as far as the text goes, and returns where to continue. */
  #startValue(text: string, pos: number, inState: number): number {
    const c = text.charCodeAt(pos);
    this.#state = inState;
    this.#valueStart = pos;
    this.#depth = 0;
    this.#escaped = false;
    let from = pos;
    if ((c | CASE_BIT) === OPEN_BRACE) {
      this.#kind = COMPOUND;
      this.#inString = false;
    } else if (c === QUOTE) {
      this.#kind = STRING;
      this.#inString = true;
      from = pos + 1;
    } else if (c === COMMA || c === COLON || (c | CASE_BIT) === CLOSE_BRACE) {
      throw this.#malformed(pos, 'expected a value');
    } else {
      this.#kind = SCALAR;
      this.#inString = false;
    }
    const end = this.#scan(text, from);
    if (end < 0) {
      this.#pieces.push(pos === 0 ? text : text.slice(pos));
      return text.length;
    }
    return this.#finishValue(text, end);
  }

  /**
   * Continues scanning the current value from `from`; returns the index just past its end, or -1
   * when the text ends first (the scan state is then saved for the next text).
   */
  #scan(text: string, from: number): number {
    const n = text.length;
    let i = from;
    if (this.#kind === SCALAR) {
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === COMMA || (c | CASE_BIT) === CLOSE_BRACE || c === SPACE || c === LF || c === CR || c === TAB) return i;
      }
      return -1;
    }
    if (this.#inString) {
      if (this.#escaped) {
        if (i >= n) return -1;
        this.#escaped = false;
        i++;
      }
      const close = this.#stringEnd(text, i);
      if (close < 0) return -1;
      this.#inString = false;
      if (this.#kind === STRING) return close + 1;
      i = close + 1;
    }
    let depth = this.#depth;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        const close = this.#stringEnd(text, i + 1);
        if (close < 0) {
          this.#inString = true;
          this.#depth = depth;
          return -1;
        }
        i = close;
      } else {
        const bracket = c | CASE_BIT;
        if (bracket === OPEN_BRACE) depth++;
        else if (bracket === CLOSE_BRACE && --depth === 0) return i + 1;
      }
    }
    this.#depth = depth;
    return -1;
  }

  /**
   * The index of the quote that closes the string whose contents continue at `from` (no escape
   * pending before `from`), or -1 when the text ends first; then `#escaped` says whether the text
   * ended right after an unpaired backslash.
   */
  #stringEnd(text: string, from: number): number {
    let close = text.indexOf('"', from);
    while (close > from && text.charCodeAt(close - 1) === BACKSLASH) {
      let run = 1;
      while (close - run > from && text.charCodeAt(close - run - 1) === BACKSLASH) run++;
      if ((run & 1) === 0) break;
      close = text.indexOf('"', close + 1);
    }
    if (close < 0) {
      let run = 0;
      while (text.length - run > from && text.charCodeAt(text.length - run - 1) === BACKSLASH) run++;
      this.#escaped = (run & 1) === 1;
    }
    return close;
  }

  /** Parses the value that ends at `end` in `text`, applies it, and returns `end`. */
  #finishValue(text: string, end: number): number {
    const pieces = this.#pieces;
    let json: string;
    if (pieces.length === 0) {
      json = text.slice(this.#valueStart, end);
    } else {
      pieces.push(text.slice(0, end));
      json = pieces.join('');
      pieces.pop();
    }
    let value: unknown;
    try {
      value = JSON.parse(this.#state === IN_ITEM ? this.#itemText(json) : json);
    } catch (cause) {
      const what = this.#state === IN_ITEM ? `list item ${this.#items!.length}` : this.#state === IN_KEY ? 'a top-level key' : 'a top-level member';
      throw new WatchStreamError('MalformedJson', `list response: invalid JSON in ${what} at byte ${this.#valueOffset()} (${json.length} characters)`, { cause });
    }
    switch (this.#state) {
      case IN_ITEM:
        this.#acceptItem(value);
        if (!this.#learned) this.#learn(json);
        break;
      case IN_KEY:
        this.#key = value as string;
        this.#state = EXPECT_COLON;
        break;
      default:
        if (this.#key === 'items') this.#items = value === null ? [] : undefined;
        else if (this.#key === 'metadata') this.#metadata = value;
        this.#state = EXPECT_MEMBER_END;
    }
    if (pieces.length !== 0) pieces.length = 0;
    return end;
  }

  #malformed(pos: number, what: string): WatchStreamError {
    return new WatchStreamError('MalformedJson', `list response: ${what} at byte ${this.#textStartByte + utf8Length(this.#text, 0, pos)}`);
  }

  /** The stream byte offset where the current value starts (its pieces are the ends of earlier texts). */
  #valueOffset(): number {
    const pieces = this.#pieces;
    if (pieces.length === 0) return this.#textStartByte + utf8Length(this.#text, 0, this.#valueStart);
    let before = 0;
    for (const piece of pieces) before += utf8Length(piece, 0, piece.length);
    return this.#textStartByte - before;
  }

  /**
   * Tracks how many bytes of an incomplete UTF-8 sequence end the stream so far (the streaming
   * `TextDecoder` holds them back), so that each text's first byte offset is known. Exact for
   * valid UTF-8: the lead byte of an incomplete sequence is among the last three bytes.
   */
  #trackUtf8Tail(chunk: Uint8Array): void {
    const n = chunk.length;
    let need = this.#tailNeed;
    let have = this.#tailHave;
    let i = 0;
    if (n > 3) {
      i = n - 3;
      need = 0;
      have = 0;
    }
    for (; i < n; i++) {
      const b = chunk[i]!;
      if (b < 0x80) {
        have = 0;
      } else if (b >= 0xc0) {
        need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        have = 1;
      } else if (have > 0 && ++have === need) {
        have = 0;
      }
    }
    this.#tailNeed = need;
    this.#tailHave = have;
  }
}

/** UTF-8 byte length of `text[from, to)`; a lone surrogate counts as U+FFFD (3 bytes). */
function utf8Length(text: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}
