import { describe, expect, it } from 'vitest';
import { InvalidShardError } from '../../../src/model/errors.ts';
import { equalShards, parseShardSelector, shardHash, shardMembership, shardSelector, type Shard } from '../../../src/sources/shard.ts';
import { mulberry32 } from '../../../src/testing/prng.ts';

/** FNV-1a 64 written independently, straight from the definition, with BigInt. */
function referenceFnv1a64(value: string): string {
  const mask = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(value)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & mask;
  return h.toString(16).padStart(16, '0');
}

const TWO_64 = 1n << 64n;

describe('shardHash (64-bit FNV-1a)', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(shardHash('')).toBe('cbf29ce484222325');
    expect(shardHash('a')).toBe('af63dc4c8601ec8c');
    expect(shardHash('foobar')).toBe('85944171f73967e8');
  });

  it('matches the hash kube-apiserver v1.36.3 applied (uids seen in or out of the lower half)', () => {
    // Observed against the real server with ShardedListAndWatch=true: these uids were listed by
    // shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000') or not.
    expect(shardHash('a3897f75-2fb9-4073-b0aa-4c857a342d71')).toBe('677bbb8927e4beb5');
    expect(shardHash('0d7566a7-50c8-4dc4-b192-ff7584b4153f')).toBe('a2d46c974998a17b');
  });

  it('matches a BigInt reference on random strings, ASCII and not', () => {
    const rng = mulberry32(42);
    const alphabet = 'abcdef0123456789-xyzé€😀\u0000\u007f\u0080';
    for (let n = 0; n < 500; n++) {
      const chars = Array.from(alphabet);
      let s = '';
      const len = Math.floor(rng() * 40);
      for (let i = 0; i < len; i++) s += chars[Math.floor(rng() * chars.length)];
      expect(shardHash(s), JSON.stringify(s)).toBe(referenceFnv1a64(s));
    }
  });
});

describe('shardSelector and parseShardSelector', () => {
  it('formats as kube-apiserver echoes it', () => {
    expect(shardSelector({ field: 'uid', ranges: [{ start: 0n, end: 1n << 63n }] })).toBe("shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')");
    expect(shardSelector({ field: 'namespace', ranges: [{ start: 0n, end: 1n }, { start: 0xcn << 60n, end: TWO_64 }] })).toBe(
      "shardRange(object.metadata.namespace, '0x0000000000000000', '0x0000000000000001') || shardRange(object.metadata.namespace, '0xc000000000000000', '0x10000000000000000')",
    );
  });

  it('round-trips, and tolerates spacing', () => {
    for (const shard of [...equalShards(3), ...equalShards(5, 'namespace')]) expect(parseShardSelector(shardSelector(shard))).toEqual(shard);
    expect(parseShardSelector("shardRange( object.metadata.uid,'0x0000000000000000' ,'0x8000000000000000' )||shardRange(object.metadata.uid, '0x9000000000000000', '0x10000000000000000')")).toEqual({
      field: 'uid',
      ranges: [
        { start: 0n, end: 1n << 63n },
        { start: 0x9n << 60n, end: TWO_64 },
      ],
    });
  });

  it.each([
    ['', /empty/],
    ["shardRange(object.metadata.name, '0x0000000000000000', '0x8000000000000000')", /unsupported field path/],
    ["shardRange(object.metadata.uid, '0x0', '0x8000000000000000')", /16-digit/],
    ["shardRange(object.metadata.uid, '0x000000000000000A', '0x8000000000000000')", /lower-case/],
    ["shardRange(object.metadata.uid, '0x20000000000000000', '0x8000000000000000')", /hexStart/],
    ["shardRange(object.metadata.uid, '0x8000000000000000', '0x8000000000000000')", /less than end/],
    ["shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000') || shardRange(object.metadata.namespace, '0x0000000000000000', '0x8000000000000000')", /same field/],
    ["shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000') && true", /expected shardRange/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseShardSelector(text)).toThrow(InvalidShardError);
    expect(() => parseShardSelector(text)).toThrow(reason);
  });

  it.each<[string, Shard]>([
    ['no ranges', { field: 'uid', ranges: [] }],
    ['an unknown field', { field: 'name' as 'uid', ranges: [{ start: 0n, end: 1n }] }],
    ['an empty range', { field: 'uid', ranges: [{ start: 5n, end: 5n }] }],
    ['a negative start', { field: 'uid', ranges: [{ start: -1n, end: 5n }] }],
    ['an end beyond 2^64', { field: 'uid', ranges: [{ start: 0n, end: TWO_64 + 1n }] }],
    ['number bounds', { field: 'uid', ranges: [{ start: 0 as unknown as bigint, end: 5n }] }],
  ])('refuses a shard with %s', (_, shard) => {
    expect(() => shardSelector(shard)).toThrow(InvalidShardError);
    expect(() => shardMembership(shard)).toThrow(InvalidShardError);
  });
});

describe('equalShards', () => {
  it('splits the whole space into adjacent equal ranges', () => {
    const shards = equalShards(4);
    expect(shards.map((s) => shardSelector(s))).toEqual([
      "shardRange(object.metadata.uid, '0x0000000000000000', '0x4000000000000000')",
      "shardRange(object.metadata.uid, '0x4000000000000000', '0x8000000000000000')",
      "shardRange(object.metadata.uid, '0x8000000000000000', '0xc000000000000000')",
      "shardRange(object.metadata.uid, '0xc000000000000000', '0x10000000000000000')",
    ]);
    const seven = equalShards(7);
    expect(seven[0]!.ranges[0]!.start).toBe(0n);
    expect(seven[6]!.ranges[0]!.end).toBe(TWO_64);
    for (let i = 1; i < 7; i++) expect(seven[i]!.ranges[0]!.start).toBe(seven[i - 1]!.ranges[0]!.end);
  });

  it.each([0, -1, 1.5, 70_000])('refuses count %j', (count) => {
    expect(() => equalShards(count)).toThrow(InvalidShardError);
  });
});

describe('shardMembership', () => {
  const uid = 'a3897f75-2fb9-4073-b0aa-4c857a342d71';
  const hash = BigInt(`0x${referenceFnv1a64(uid)}`);
  const obj = { metadata: { name: 'x', namespace: 'team-a', uid } };

  it('is [start, end): in at start, out at end', () => {
    expect(shardMembership({ field: 'uid', ranges: [{ start: hash, end: hash + 1n }] })(obj)).toBe(true);
    expect(shardMembership({ field: 'uid', ranges: [{ start: hash - 1n, end: hash }] })(obj)).toBe(false);
    expect(shardMembership({ field: 'uid', ranges: [{ start: hash + 1n, end: TWO_64 }] })(obj)).toBe(false);
  });

  it('matches any of several ranges', () => {
    const member = shardMembership({ field: 'uid', ranges: [{ start: 0n, end: 1n }, { start: hash, end: TWO_64 }] });
    expect(member(obj)).toBe(true);
  });

  it('hashes the namespace, and the empty string when the field is absent', () => {
    const nsHash = BigInt(`0x${referenceFnv1a64('team-a')}`);
    expect(shardMembership({ field: 'namespace', ranges: [{ start: nsHash, end: nsHash + 1n }] })(obj)).toBe(true);
    const empty = BigInt(`0x${referenceFnv1a64('')}`);
    expect(shardMembership({ field: 'namespace', ranges: [{ start: empty, end: empty + 1n }] })({ metadata: { name: 'node-1' } })).toBe(true);
  });

  it('puts every object in exactly one of equalShards(n)', () => {
    const rng = mulberry32(3);
    for (const n of [1, 2, 3, 8]) {
      const members = equalShards(n).map(shardMembership);
      for (let i = 0; i < 200; i++) {
        const o = { metadata: { name: `o${i}`, uid: `${Math.floor(rng() * 2 ** 32).toString(16)}-${i}` } };
        expect(members.filter((m) => m(o)).length).toBe(1);
      }
    }
  });
});
