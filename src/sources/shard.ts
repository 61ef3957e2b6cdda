import { InvalidShardError } from '../model/errors.ts';
import type { KubeObject } from '../model/kube-object.ts';

/**
 * The metadata field a {@link Shard} hashes: `uid` spreads objects evenly; `namespace` keeps each
 * namespace whole on one shard (cluster-scoped objects have the empty namespace, so all land on
 * the shard holding the hash of `''`).
 *
 * @example
 * ```ts
 * import type { ShardField } from 'rxkube/shard';
 * const field: ShardField = 'namespace';
 * ```
 */
export type ShardField = 'uid' | 'namespace';

/**
 * A half-open range `[start, end)` of the 64-bit hash space, `0 <= start < end <= 2^64`.
 *
 * @example
 * ```ts
 * import type { ShardRange } from 'rxkube/shard';
 * const lowerHalf: ShardRange = { start: 0n, end: 2n ** 63n };
 * ```
 */
export interface ShardRange {
  /** Inclusive lower bound. */
  readonly start: bigint;
  /** Exclusive upper bound; at most `2n ** 64n`. */
  readonly end: bigint;
}

/**
 * A slice of a collection, as Kubernetes' sharded list and watch (KEP-5866, kube-apiserver 1.36
 * alpha, feature gate `ShardedListAndWatch`) defines it: the objects whose 64-bit FNV-1a hash of
 * `metadata.<field>` (see {@link shardHash}) falls in one of `ranges`. Membership never changes
 * for an object, since neither its uid nor its namespace can.
 *
 * @example
 * ```ts
 * import type { Shard } from 'rxkube/shard';
 * const firstOfTwo: Shard = { field: 'uid', ranges: [{ start: 0n, end: 2n ** 63n }] };
 * ```
 */
export interface Shard {
  /** The hashed field. */
  readonly field: ShardField;
  /** One or more ranges; an object in any of them is in the shard. */
  readonly ranges: readonly ShardRange[];
}

const HASH_SPACE = 1n << 64n;
const FIELDS: readonly ShardField[] = ['uid', 'namespace'];

/**
 * `count` shards of equal width that together cover the whole hash space: shard `i` is
 * `[i·2^64/count, (i+1)·2^64/count)`. Hand shard `i` to replica `i`.
 *
 * @example
 * ```ts
 * import { fetchListWatch } from 'rxkube';
 * import { equalShards } from 'rxkube/shard';
 * const mine = equalShards(4)[1]!; // replica 1 of 4
 * const pods = fetchListWatch({ baseUrl: '', resource: { version: 'v1', plural: 'pods' }, shard: mine });
 * ```
 *
 * @param count - number of shards, an integer from 1 to 2^16.
 * @param field - the hashed field.
 * @returns the shards, in hash order.
 * @throws InvalidShardError for a bad `count` or `field`.
 */
export function equalShards(count: number, field: ShardField = 'uid'): Shard[] {
  if (!Number.isInteger(count) || count < 1 || count > 65_536) throw new InvalidShardError(`shard count must be an integer from 1 to 65536, got ${count}`);
  checkField(field);
  const n = BigInt(count);
  const shards: Shard[] = [];
  for (let i = 0n; i < n; i++) shards.push({ field, ranges: [{ start: (i * HASH_SPACE) / n, end: ((i + 1n) * HASH_SPACE) / n }] });
  return shards;
}

/**
 * The `shardSelector` query parameter for a shard, exactly as kube-apiserver echoes it back in a
 * list's `metadata.shardInfo.selector`: `shardRange(object.metadata.uid, '0x…', '0x…')`, ranges
 * joined by ` || `, bounds as `0x` and 16 lower-case hex digits (`0x10000000000000000` for 2^64).
 *
 * @example
 * ```ts
 * import { shardSelector } from 'rxkube/shard';
 * shardSelector({ field: 'uid', ranges: [{ start: 0n, end: 2n ** 63n }] });
 * // "shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')"
 * ```
 *
 * @param shard - the shard.
 * @returns the selector text.
 * @throws InvalidShardError when the shard has no ranges, an unknown field, or a range outside `[0, 2^64)` or empty.
 */
export function shardSelector(shard: Shard): string {
  checkShard(shard);
  return shard.ranges.map((r) => `shardRange(object.metadata.${shard.field}, '${hexBound(r.start)}', '${hexBound(r.end)}')`).join(' || ');
}

const RANGE = /^\s*shardRange\(\s*object\.metadata\.([A-Za-z]+)\s*,\s*'([^']*)'\s*,\s*'([^']*)'\s*\)\s*$/;

/**
 * Parses `shardSelector` text as kube-apiserver 1.36 accepts it: one or more
 * `shardRange(object.metadata.uid|namespace, '0x…', '0x…')` joined by `||`, all over the same
 * field, each bound `0x` and exactly 16 lower-case hex digits (or `0x10000000000000000`), start
 * below end. (The server parses it as CEL; this accepts the same texts except redundant
 * parentheses and double-quoted strings.)
 *
 * @example
 * ```ts
 * import { parseShardSelector } from 'rxkube/shard';
 * parseShardSelector("shardRange(object.metadata.namespace, '0x0000000000000000', '0x8000000000000000')");
 * // { field: 'namespace', ranges: [{ start: 0n, end: 9223372036854775808n }] }
 * ```
 *
 * @param text - the selector.
 * @returns the shard.
 * @throws InvalidShardError for anything else, with the reason.
 */
export function parseShardSelector(text: string): Shard {
  if (text.trim() === '') throw new InvalidShardError('empty shard selector is not allowed; omit the parameter for unfiltered lists');
  let field: ShardField | undefined;
  const ranges: ShardRange[] = [];
  for (const part of text.split('||')) {
    const m = RANGE.exec(part);
    if (m === null) throw new InvalidShardError(`expected shardRange(object.metadata.<field>, '0x…', '0x…'), got ${JSON.stringify(part.trim())}`);
    const f = m[1] as ShardField;
    if (!FIELDS.includes(f)) throw new InvalidShardError(`unsupported field path "object.metadata.${m[1]}"; supported: object.metadata.uid, object.metadata.namespace`);
    if (field !== undefined && f !== field) throw new InvalidShardError(`all shard ranges must use the same field, got "object.metadata.${field}" and "object.metadata.${f}"`);
    field = f;
    const range = { start: parseBound(m[2]!, 'hexStart'), end: parseBound(m[3]!, 'hexEnd') };
    if (range.start >= range.end) throw new InvalidShardError(`shard range start ${m[2]} must be less than end ${m[3]}`);
    ranges.push(range);
  }
  return { field: field!, ranges };
}

/**
 * The 64-bit FNV-1a hash of a string's UTF-8 bytes, as 16 lower-case hex digits: the hash
 * kube-apiserver's sharded list and watch applies to `metadata.uid` or `metadata.namespace`.
 *
 * @example
 * ```ts
 * import { shardHash } from 'rxkube/shard';
 * shardHash(''); // 'cbf29ce484222325' (the FNV-1a offset basis)
 * shardHash('a'); // 'af63dc4c8601ec8c'
 * ```
 *
 * @param value - the field's value.
 * @returns the hash in hex.
 */
export function shardHash(value: string): string {
  // Four 16-bit limbs, low first; the prime is 2^40 + 0x1b3, so h·p = h·0x1b3 + (h << 40).
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const bytes = /^[\x00-\x7f]*$/.test(value) ? undefined : new TextEncoder().encode(value);
  const length = bytes === undefined ? value.length : bytes.length;
  for (let i = 0; i < length; i++) {
    h0 ^= bytes === undefined ? value.charCodeAt(i) : bytes[i]!;
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

/**
 * A predicate telling whether an object belongs to a shard: what kube-apiserver applies with the
 * `ShardedListAndWatch` gate on, for filtering on the client when it is off. An object without
 * the field (no uid; a cluster-scoped object's namespace) hashes the empty string, as the server
 * does.
 *
 * @example
 * ```ts
 * import { equalShards, shardMembership } from 'rxkube/shard';
 * const [first] = equalShards(2);
 * const inFirst = shardMembership(first!);
 * inFirst({ metadata: { name: 'a', uid: '0d7566a7-50c8-4dc4-b192-ff7584b4153f' } }); // false (hash a2d4…)
 * ```
 *
 * @param shard - the shard.
 * @returns the membership test.
 * @throws InvalidShardError for an unusable shard (see {@link shardSelector}).
 */
export function shardMembership(shard: Shard): (object: KubeObject) => boolean {
  checkShard(shard);
  // Same-length lower-case hex strings compare like the numbers; 2^64 (17 digits) is above all.
  const bounds = shard.ranges.map((r) => [hexBound(r.start).slice(2), r.end === HASH_SPACE ? undefined : hexBound(r.end).slice(2)] as const);
  const field = shard.field;
  return (object) => {
    const value = object.metadata?.[field];
    const hash = shardHash(typeof value === 'string' ? value : '');
    for (const [start, end] of bounds) if (hash >= start && (end === undefined || hash < end)) return true;
    return false;
  };
}

function hex4(limb: number): string {
  return limb.toString(16).padStart(4, '0');
}

function hexBound(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`;
}

function parseBound(text: string, name: string): bigint {
  if (text === '0x10000000000000000') return HASH_SPACE;
  if (!/^0x[0-9a-f]{16}$/.test(text)) throw new InvalidShardError(`${name} must be a 0x-prefixed 16-digit lower-case hex value (or '0x10000000000000000'), got ${JSON.stringify(text)}`);
  return BigInt(text);
}

function checkField(field: string): void {
  if (!FIELDS.includes(field as ShardField)) throw new InvalidShardError(`shard field must be 'uid' or 'namespace', got ${JSON.stringify(field)}`);
}

function checkShard(shard: Shard): void {
  checkField(shard.field);
  if (shard.ranges.length === 0) throw new InvalidShardError('a shard needs at least one range');
  for (const { start, end } of shard.ranges) {
    if (typeof start !== 'bigint' || typeof end !== 'bigint' || start < 0n || end > HASH_SPACE || start >= end) {
      throw new InvalidShardError(`shard range must satisfy 0 <= start < end <= 2^64, got [${String(start)}, ${String(end)})`);
    }
  }
}
