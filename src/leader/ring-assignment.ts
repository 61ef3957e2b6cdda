import { equalShards, shardHash, type Shard, type ShardField, type ShardRange } from '../sources/shard.ts';

/**
 * The part of the hash space a ring member owns when `members` are the live members of the ring:
 * the members, sorted by identity (code-unit order, the same on every replica), split the 64-bit
 * hash space into equal adjacent ranges, and the member at index `i` of the sorted list owns range
 * `i` (see {@link equalShards}). A pure function: every replica that sees the same members
 * computes the same assignment, the ranges of all members are disjoint, and their union is the
 * whole space.
 *
 * Equal ranges, not consistent hashing: ranges stay contiguous (one `shardRange` per replica on
 * the wire) and balanced, at the cost of moving more keys when the membership changes (going from
 * N to N+1 members moves about half of them, where consistent hashing moves 1/(N+1)); the
 * handover rule of {@link shardRing} makes every move safe, so this only costs relists.
 *
 * @example
 * ```ts
 * import { ringAssignment } from 'rxkube/shard';
 * ringAssignment(['b', 'a', 'c'], 'b'); // { field: 'uid', ranges: [{ start: 2^64/3, end: 2·2^64/3 }] }
 * ringAssignment(['a', 'c'], 'b'); // undefined: b is not a member
 * ```
 *
 * @param members - the live members' identities, in any order; duplicates count once.
 * @param identity - the member whose share is wanted.
 * @param field - the hashed field of the shards.
 * @returns the member's shard, or `undefined` when `identity` is not among `members`.
 * @throws InvalidShardError for an unknown `field`, or more than 65 536 members.
 */
export function ringAssignment(members: readonly string[], identity: string, field: ShardField = 'uid'): Shard | undefined {
  const sorted = ringMembers(members);
  const index = sorted.indexOf(identity);
  if (index < 0) return undefined;
  return equalShards(sorted.length, field)[index];
}

/**
 * The canonical form of a ring's member list: distinct identities sorted in code-unit order.
 *
 * @internal
 */
export function ringMembers(members: readonly string[]): string[] {
  return [...new Set(members)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The epoch of a ring view: 16 hex digits of the FNV-1a hash of the sorted member identities. Every
 * replica that sees the same members computes the same epoch (the handover rule compares member
 * lists, not epochs, so a collision cannot break it).
 *
 * @internal
 */
export function ringEpoch(members: readonly string[]): string {
  return shardHash(ringMembers(members).join('\n'));
}

/**
 * The ranges of `from` that lie in none of `minus`, merged and sorted; `undefined` when nothing is
 * left. `minus` may use any field: ranges are compared as numbers.
 *
 * @internal
 */
export function shardDifference(from: Shard, minus: readonly Shard[]): Shard | undefined {
  let left: ShardRange[] = [...from.ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (const cut of minus.flatMap((s) => s.ranges)) {
    const next: ShardRange[] = [];
    for (const r of left) {
      if (cut.end <= r.start || cut.start >= r.end) {
        next.push(r);
        continue;
      }
      if (cut.start > r.start) next.push({ start: r.start, end: cut.start });
      if (cut.end < r.end) next.push({ start: cut.end, end: r.end });
    }
    left = next;
  }
  if (left.length === 0) return undefined;
  const merged: ShardRange[] = [];
  for (const r of left) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.end >= r.start) merged[merged.length - 1] = { start: last.start, end: r.end > last.end ? r.end : last.end };
    else merged.push(r);
  }
  return { field: from.field, ranges: merged };
}

/**
 * Whether two shards (or two absences of one) select the same objects: same field and the same
 * ranges after merging adjacent ones.
 *
 * @internal
 */
export function sameShard(a: Shard | undefined, b: Shard | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.field !== b.field) return false;
  const x = shardDifference(a, [])!.ranges;
  const y = shardDifference(b, [])!.ranges;
  return x.length === y.length && x.every((r, i) => r.start === y[i]!.start && r.end === y[i]!.end);
}

const WHOLE_SPACE: readonly ShardRange[] = [{ start: 0n, end: 1n << 64n }];

/**
 * The ranges of `a` that also lie in `b`; `undefined` when they do not overlap.
 *
 * @internal
 */
export function shardIntersection(a: Shard, b: Shard): Shard | undefined {
  const outsideB = shardDifference({ field: b.field, ranges: WHOLE_SPACE }, [b]);
  return outsideB === undefined ? shardDifference(a, []) : shardDifference(a, [outsideB]);
}

/**
 * The whole hash space as a shard over `field`.
 *
 * @internal
 */
export function wholeSpace(field: ShardField): Shard {
  return { field, ranges: WHOLE_SPACE };
}
