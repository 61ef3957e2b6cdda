import { testScheduler } from '../../support/test-scheduler.ts';
import { describe, expect, it } from 'vitest';
import type { LeaderElectionStatus } from '../../../src/leader/leader-election.ts';
import { whileLeading } from '../../../src/leader/while-leading.ts';

const F: LeaderElectionStatus = { leading: false, leader: undefined };
const O: LeaderElectionStatus = { leading: false, leader: 'other' };
const L: LeaderElectionStatus = { leading: true, leader: 'me' };
const statuses = { f: F, o: O, l: L };

describe('whileLeading', () => {
  it('subscribes the work on acquisition and unsubscribes it on stepping down, for every term', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const election = hot('f-l---o--l---f-|', statuses);
      const work = cold('-a-b-c');
      expectObservable(election.pipe(whileLeading(() => work))).toBe('---a-b----a-b--|');
      expectSubscriptions(work.subscriptions).toBe(['--^---!', '---------^---!']);
    });
  });

  it('ignores status changes that keep leading (a new leader name while following, a repeated leading)', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const election = hot('f-l-l-o-f-', statuses);
      const work = cold('-a-b-c-d-e');
      expectObservable(election.pipe(whileLeading(() => work))).toBe('---a-b----');
      expectSubscriptions(work.subscriptions).toBe('--^---!');
    });
  });

  it('never leading: the work is never subscribed', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const election = hot('f--o--|', statuses);
      const work = cold('a');
      expectObservable(election.pipe(whileLeading(() => work))).toBe('------|');
      expectSubscriptions(work.subscriptions).toBe([]);
    });
  });

  it('an error of the work ends the election subscription too (and so releases the Lease)', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const election = hot('f-l-------', statuses);
      const work = cold('-a-#');
      expectObservable(election.pipe(whileLeading(() => work))).toBe('---a-#');
      expectSubscriptions(election.subscriptions).toBe('^----!');
    });
  });

  it('an election error is forwarded and stops the work', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const election = hot('f-l--#', statuses);
      const work = cold('-a-b-c');
      expectObservable(election.pipe(whileLeading(() => work))).toBe('---a-#');
      expectSubscriptions(work.subscriptions).toBe('--^--!');
    });
  });

  it('early unsubscribe stops the work, then the election', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const election = hot('f-l-------', statuses);
      const work = cold('-a-b-c');
      expectObservable(election.pipe(whileLeading(() => work)), '^---!').toBe('---a-');
      expectSubscriptions(work.subscriptions).toBe('--^-!');
      expectSubscriptions(election.subscriptions).toBe('^---!');
    });
  });

  it('a throwing work factory errors the output', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const election = hot('f-l-', statuses);
      const boom = new Error('factory');
      expectObservable(
        election.pipe(
          whileLeading(() => {
            throw boom;
          }),
        ),
      ).toBe('--#', undefined, boom);
    });
  });
});
