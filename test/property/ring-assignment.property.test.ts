import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ringAssignment, ringEpoch, ringMembers, sameShard, shardDifference, shardIntersection } from '../../src/leader/ring-assignment.ts';
import { shardHash, shardMembership, type Shard, type ShardRange } from '../../src/sources/shard.ts';

const SPACE = 1n << 64n;
const identities = fc.uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/), { minLength: 1, maxLength: 40 });
const point = fc.bigInt({ min: 0n, max: SPACE - 1n });
const range: fc.Arbitrary<ShardRange> = fc.tuple(fc.bigInt({ min: 0n, max: SPACE }), fc.bigInt({ min: 0n, max: SPACE })).filter(([a, b]) => a !== b).map(([a, b]) => (a < b ? { start: a, end: b } : { start: b, end: a }));
const shard: fc.Arbitrary<Shard> = fc.array(range, { minLength: 1, maxLength: 5 }).map((ranges) => ({ field: 'uid', ranges }));
const contains = (s: Shard | undefined, x: bigint): boolean => s !== undefined && s.ranges.some((r) => r.start <= x && x < r.end);

describe('ringAssignment (property)', () => {
  it('the members\' shards are disjoint and their union is the whole space: every hash has exactly one owner', () => {
    fc.assert(
      fc.property(identities, fc.array(point, { minLength: 1, maxLength: 20 }), (members, points) => {
        const shards = members.map((m) => ringAssignment(members, m)!);
        for (const x of [0n, SPACE - 1n, ...points]) expect(shards.filter((s) => contains(s, x)).length).toBe(1);
        // Adjacent ranges in identity order tile [0, 2^64) with no gap.
        const sorted = ringMembers(members).map((m) => ringAssignment(members, m)!.ranges[0]!);
        expect(sorted[0]!.start).toBe(0n);
        expect(sorted[sorted.length - 1]!.end).toBe(SPACE);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBe(sorted[i - 1]!.end);
      }),
    );
  });

  it('is deterministic: independent of the order of the members and of duplicates; the epoch too', () => {
    fc.assert(
      fc.property(identities, fc.context(), (members, ctx) => {
        const shuffled = [...members].reverse().concat(members.slice(0, 2));
        ctx.log(String(shuffled));
        for (const m of members) expect(ringAssignment(shuffled, m)).toEqual(ringAssignment(members, m));
        expect(ringEpoch(shuffled)).toBe(ringEpoch(members));
      }),
    );
  });

  it('an object (by the hash of its uid) belongs to exactly one member\'s shard', () => {
    fc.assert(
      fc.property(identities, fc.uuid(), (members, uid) => {
        const owners = members.filter((m) => shardMembership(ringAssignment(members, m)!)({ metadata: { name: 'x', uid } }));
        expect(owners.length).toBe(1);
        expect(contains(ringAssignment(members, owners[0]!), BigInt(`0x${shardHash(uid)}`))).toBe(true);
      }),
    );
  });

  it('a non-member gets nothing', () => {
    fc.assert(
      fc.property(identities, (members) => {
        expect(ringAssignment(members.slice(1), members[0]!)).toBeUndefined();
      }),
    );
  });
});

describe('shardDifference and shardIntersection (property)', () => {
  it('agree with set difference and intersection point by point, and give merged sorted ranges', () => {
    fc.assert(
      fc.property(shard, fc.array(shard, { maxLength: 3 }), fc.array(point, { maxLength: 30 }), (a, minus, points) => {
        const diff = shardDifference(a, minus);
        const inter = minus[0] === undefined ? undefined : shardIntersection(a, minus[0]);
        const edges = [a, ...minus].flatMap((s) => s.ranges.flatMap((r) => [r.start, r.end - 1n, r.end])).filter((x) => x < SPACE);
        for (const x of [...points, ...edges]) {
          expect(contains(diff, x)).toBe(contains(a, x) && !minus.some((m) => contains(m, x)));
          if (minus[0] !== undefined) expect(contains(inter, x)).toBe(contains(a, x) && contains(minus[0], x));
        }
        for (const s of [diff, inter]) {
          if (s === undefined) continue;
          for (let i = 1; i < s.ranges.length; i++) expect(s.ranges[i]!.start).toBeGreaterThan(s.ranges[i - 1]!.end);
        }
        expect(sameShard(a, shardDifference(a, []))).toBe(true);
      }),
    );
  });
});
