import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { RingAssignment } from '../../../src/leader/shard-ring.ts';
import { whileOwning } from '../../../src/leader/while-owning.ts';
import type { Shard } from '../../../src/sources/shard.ts';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const HALF: Shard = { field: 'uid', ranges: [{ start: 0n, end: 1n << 63n }] };
const HALF_SPLIT: Shard = { field: 'uid', ranges: [{ start: 0n, end: 1n << 62n }, { start: 1n << 62n, end: 1n << 63n }] };
const QUARTER: Shard = { field: 'uid', ranges: [{ start: 0n, end: 1n << 62n }] };
const at = (ready: Shard | undefined, members = ['a', 'b']): RingAssignment => ({ epoch: members.join(), members, shard: HALF, ready });
const values = { n: at(undefined), h: at(HALF), s: at(HALF_SPLIT), m: at(HALF, ['a', 'b', 'c']), q: at(QUARTER) };

describe('whileOwning', () => {
  it('runs the work on each ready range, restarting it when ready changes and stopping it when ready is empty', () => {
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const ring = hot('n-h---q---n-h---|', values);
      const work = cold('-a-b-c|');
      const ranges: Shard[] = [];
      expectObservable(ring.pipe(whileOwning((ready) => (ranges.push(ready), work)))).toBe('---a-b-a-b---a-b-c|');
      expectSubscriptions(work.subscriptions).toBe(['--^---!', '------^---!', '------------^-----!']);
      ring.subscribe({ complete: () => expect(ranges).toEqual([HALF, QUARTER, HALF]) });
    });
  });

  it('ignores assignments whose ready range is the same set (new members, ranges split differently)', () => {
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const ring = hot('h-s-m-h-', values);
      const work = cold('-a-b-c-d-e');
      expectObservable(ring.pipe(whileOwning(() => work))).toBe('-a-b-c-d-e');
      expectSubscriptions(work.subscriptions).toBe('^');
    });
  });

  it('never ready: the work is never subscribed; an error of the work reaches the output and ends the ring subscription', () => {
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const idle = hot('n--n--|', values);
      const never = cold('a');
      expectObservable(idle.pipe(whileOwning(() => never))).toBe('------|');
      expectSubscriptions(never.subscriptions).toBe([]);
      const ring = hot('h-----', values);
      const failing = cold('--#');
      expectObservable(ring.pipe(whileOwning(() => failing))).toBe('--#');
      expectSubscriptions(ring.subscriptions).toBe('^-!');
    });
  });

  it('a throwing work factory errors the output; unsubscribing stops the work', () => {
    newScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const ring = hot('h---', values);
      expectObservable(ring.pipe(whileOwning(() => { throw new Error('bad'); }))).toBe('#', undefined, new Error('bad'));
      const work = cold('-a-b-c');
      expectObservable(hot('h-----', values).pipe(whileOwning(() => work)), '^--!').toBe('-a-');
      expectSubscriptions(work.subscriptions).toBe('^--!');
    });
  });
});
