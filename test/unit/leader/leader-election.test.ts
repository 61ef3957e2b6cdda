import { defer, delay, Observable, of, takeWhile, throwError, VirtualAction, VirtualTimeScheduler, type ObservableInput, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/model/errors.ts';
import { leaderElection, type LeaderElectionOptions, type LeaderElectionStatus } from '../../../src/leader/leader-election.ts';
import { LeaderElectionOptionsError } from '../../../src/leader/leader-election-options-error.ts';
import type { Lease, LeaseSpec } from '../../../src/leader/lease.ts';
import type { LeaseClient } from '../../../src/leader/lease-client.ts';
import { microTime } from '../../../src/leader/micro-time.ts';

const NS = 'default';
const NAME = 'controller';

/**
 * An API server's Lease store in virtual time: resourceVersion-guarded updates (409 on a stale
 * version), 404 on a missing Lease, optional latency and injected failures, and a log of requests.
 */
class FakeLeases {
  lease: Lease | undefined;
  private version = 0;
  readonly log: string[] = [];
  /** When set, every request fails with this error. */
  failing: unknown = undefined;
  /** Runs between a `get` and the next write of the elector: another candidate's move. */
  beforeNextWrite: (() => void) | undefined;
  private readonly scheduler: VirtualTimeScheduler;
  private readonly latencyMs: number;
  constructor(scheduler: VirtualTimeScheduler, latencyMs = 0) {
    this.scheduler = scheduler;
    this.latencyMs = latencyMs;
  }

  /** Writes the Lease as another candidate (or kubectl) would, bumping the resourceVersion. */
  put(spec: LeaseSpec): void {
    this.lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: NAME, namespace: NS, resourceVersion: String(++this.version) }, spec };
  }

  client(identity: string): LeaseClient {
    const answer = <T>(verb: string, work: () => T): ObservableInput<T> => {
      const reply = defer(() => {
        this.log.push(`${this.scheduler.now()} ${identity} ${verb}`);
        if (this.failing !== undefined) return throwError(() => this.failing);
        return of(work());
      });
      return this.latencyMs > 0 ? reply.pipe(delay(this.latencyMs, this.scheduler)) : reply;
    };
    const write = (lease: Lease, create: boolean): Lease => {
      const hook = this.beforeNextWrite;
      this.beforeNextWrite = undefined;
      hook?.();
      if (create && this.lease !== undefined) throw new ApiError({ code: 409, reason: 'AlreadyExists' });
      if (!create && lease.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw new ApiError({ code: 409, reason: 'Conflict' });
      this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
      return this.lease;
    };
    return {
      get: () => answer('get', () => this.lease),
      create: (lease) => answer('create', () => write(lease, true)),
      update: (lease) => answer('update', () => write(lease, false)),
    };
  }
}

interface Run {
  readonly scheduler: VirtualTimeScheduler;
  readonly leases: FakeLeases;
  /** `time: leading/leader` for every emission of every candidate. */
  readonly statuses: string[];
  /** `statuses` plus `time identity: unsubscribed` lines, in time order. */
  readonly events: string[];
  readonly errors: unknown[];
  /** Subscribes a candidate at `at`, unsubscribes it at `until`. */
  candidate(identity: string, at: number, until: number, options?: Partial<LeaderElectionOptions>): void;
  /** Runs `fn` at virtual time `at`. */
  at(at: number, fn: () => void): void;
  flush(): void;
}

function setup(latencyMs = 0): Run {
  // Bounded, so a candidate that never stops cannot hang a failing test.
  const scheduler = new VirtualTimeScheduler(VirtualAction, 200_000);
  const leases = new FakeLeases(scheduler, latencyMs);
  const statuses: string[] = [];
  const events: string[] = [];
  const errors: unknown[] = [];
  const format = (identity: string, s: LeaderElectionStatus) => `${scheduler.now()} ${identity}: ${s.leading ? 'leading' : 'following'} ${s.leader ?? '-'}`;
  return {
    scheduler,
    leases,
    statuses,
    events,
    errors,
    candidate(identity, at, until, options = {}) {
      let sub: Subscription | undefined;
      scheduler.schedule(() => {
        sub = leaderElection(leases.client(identity), {
          namespace: NS,
          name: NAME,
          identity,
          jitterFactor: 0,
          scheduler,
          onError: (e) => errors.push(e),
          ...options,
        }).subscribe({ next: (s) => (statuses.push(format(identity, s)), events.push(format(identity, s))), error: (e: unknown) => statuses.push(`${scheduler.now()} ${identity}: error ${String(e)}`) });
      }, at);
      scheduler.schedule(() => {
        sub?.unsubscribe();
        events.push(`${scheduler.now()} ${identity}: unsubscribed`);
      }, until);
    },
    at(at, fn) {
      scheduler.schedule(fn, at);
    },
    flush() {
      scheduler.flush();
    },
  };
}

describe('leaderElection', () => {
  it('acquires a free Lease by creating it, with the fields client-go writes', () => {
    const run = setup();
    run.candidate('a', 0, 1000);
    run.flush();
    expect(run.statuses).toEqual(['0 a: following -', '0 a: leading a']);
    expect(run.leases.log).toEqual(['0 a get', '0 a create', '1000 a update']);
    // The release at unsubscribe (1000) kept the transitions and cleared the holder.
    expect(run.leases.lease?.spec).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(1000), renewTime: microTime(1000), leaseTransitions: 0 });
  });

  it('writes holderIdentity, leaseDurationSeconds, acquireTime, renewTime and leaseTransitions on acquisition', () => {
    const run = setup();
    let created: LeaseSpec | undefined;
    run.candidate('a', 500, 1000, { releaseOnUnsubscribe: false });
    run.at(600, () => (created = run.leases.lease?.spec));
    run.flush();
    expect(created).toEqual({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: microTime(500), renewTime: microTime(500), leaseTransitions: 0 });
  });

  it('renews every retry period, over the resourceVersion it last wrote, keeping acquireTime', () => {
    const run = setup();
    run.candidate('a', 0, 6500, { releaseOnUnsubscribe: false });
    const seen: (LeaseSpec | undefined)[] = [];
    run.at(6100, () => seen.push(run.leases.lease?.spec));
    run.flush();
    expect(run.leases.log).toEqual(['0 a get', '0 a create', '2000 a update', '4000 a update', '6000 a update']);
    expect(seen[0]).toEqual({ holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: microTime(0), renewTime: microTime(6000), leaseTransitions: 0 });
    expect(run.leases.lease?.metadata?.resourceVersion).toBe('4');
    expect(run.statuses).toEqual(['0 a: following -', '0 a: leading a']);
  });

  it('keeps leading through renew failures shorter than the renew deadline', () => {
    const run = setup();
    run.candidate('a', 0, 30_000, { releaseOnUnsubscribe: false });
    run.at(3000, () => (run.leases.failing = new ApiError({ code: 503 })));
    run.at(11_000, () => (run.leases.failing = undefined)); // the round that began at 4000 ends at 14000
    run.flush();
    expect(run.statuses).toEqual(['0 a: following -', '0 a: leading a']);
    expect(run.errors.length).toBeGreaterThan(0);
  });

  it('steps down when renewals keep failing for the renew deadline, before the lease expires for others', () => {
    const run = setup();
    run.candidate('a', 0, 20_000, { releaseOnUnsubscribe: false });
    run.at(5000, () => (run.leases.failing = new ApiError({ code: 503 })));
    run.flush();
    // Last successful renewal at 4000; the round from 6000 gives up at 6000 + 10000.
    expect(run.statuses).toEqual(['0 a: following -', '0 a: leading a', '16000 a: following a']);
    // (Others may take over from 4000 + 15000 at the earliest, as they saw that renewal: after the step-down.)
  });

  it('takes over another holder\'s Lease once it has not changed for a lease duration on the local clock', () => {
    const run = setup();
    run.leases.put({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: microTime(0), renewTime: microTime(0), leaseTransitions: 3 });
    run.candidate('a', 1000, 40_000, { releaseOnUnsubscribe: false });
    run.flush();
    // First seen at 1000; valid until 16000; attempts every 2 s: 15000 too early, 17000 takes over.
    expect(run.statuses).toEqual(['1000 a: following -', '1000 a: following b', '17000 a: leading a']);
    expect(run.leases.lease?.spec).toMatchObject({ holderIdentity: 'a', leaseTransitions: 4, acquireTime: microTime(17_000) });
  });

  it('never steals a Lease that keeps being renewed, whatever the holder\'s clock says (skew within the lease)', () => {
    for (const skewMs of [-3_600_000, 3_600_000]) {
      const run = setup();
      const renewB = (t: number) => run.leases.put({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: microTime(skewMs), renewTime: microTime(t + skewMs), leaseTransitions: 0 });
      renewB(0);
      for (let t = 2000; t <= 60_000; t += 2000) run.at(t, () => renewB(t));
      run.candidate('a', 0, 60_000, { releaseOnUnsubscribe: false });
      run.flush();
      expect(run.statuses).toEqual(['0 a: following -', '0 a: following b']);
    }
  });

  it('takes over a Lease stamped in the future once it stops changing (remote timestamps are not compared)', () => {
    const run = setup();
    run.leases.put({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: microTime(3_600_000), renewTime: microTime(3_600_000), leaseTransitions: 0 });
    run.candidate('a', 0, 20_000, { releaseOnUnsubscribe: false });
    run.flush();
    expect(run.statuses).toEqual(['0 a: following -', '0 a: following b', '16000 a: leading a']);
  });

  it('is not leader when its acquiring update conflicts (409): someone else won', () => {
    const run = setup();
    run.leases.put({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 2 });
    // b writes the Lease between a's read and a's update.
    run.leases.beforeNextWrite = () => run.leases.put({ holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: microTime(0), acquireTime: microTime(0), leaseTransitions: 3 });
    run.candidate('a', 0, 10_000, { releaseOnUnsubscribe: false });
    run.flush();
    expect(run.statuses).toEqual(['0 a: following -', '2000 a: following b']);
    expect(run.errors).toMatchObject([{ code: 409 }]);
    expect(run.leases.lease?.spec?.holderIdentity).toBe('b');
  });

  it('steps down at once when a renewal conflicts and the Lease names another holder', () => {
    const run = setup();
    run.candidate('a', 0, 10_000);
    run.at(3000, () => run.leases.put({ holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: microTime(3000), acquireTime: microTime(3000), leaseTransitions: 1 }));
    run.flush();
    expect(run.statuses).toEqual(['0 a: following -', '0 a: leading a', '4000 a: following b']);
    expect(run.leases.log).toEqual(['0 a get', '0 a create', '2000 a update', '4000 a update', '4000 a get', '6000 a get', '8000 a get']);
    // Not the holder at unsubscribe: nothing is released, b keeps the Lease.
    expect(run.leases.lease?.spec?.holderIdentity).toBe('b');
  });

  it('releases the Lease on unsubscribe while leading, and a rival takes over at its next attempt', () => {
    const run = setup();
    run.candidate('a', 0, 5000);
    run.candidate('b', 100, 20_000, { releaseOnUnsubscribe: false });
    run.flush();
    expect(run.statuses).toEqual([
      '0 a: following -',
      '0 a: leading a',
      '100 b: following -',
      '100 b: following a',
      // a released at 5000; b's attempts run at 100 + 2000k: 6100 is the first after.
      '6100 b: leading b',
    ]);
    expect(run.leases.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, leaseDurationSeconds: 15 });
  });

  it('does not release when it does not lead, or when releaseOnUnsubscribe is false', () => {
    const run = setup();
    run.candidate('a', 0, 5000, { releaseOnUnsubscribe: false });
    run.candidate('b', 100, 3000);
    run.flush();
    expect(run.leases.log.filter((l) => l.includes('update'))).toEqual(['2000 a update', '4000 a update']);
    expect(run.leases.lease?.spec?.holderIdentity).toBe('a');
  });

  it('keeps exactly one leader among three candidates, with latency', () => {
    const run = setup(50);
    run.candidate('a', 0, 9000);
    run.candidate('b', 0, 60_000);
    run.candidate('c', 0, 60_000);
    // An outage longer than the renew deadline: the leader steps down, then someone leads again.
    run.at(20_000, () => (run.leases.failing = new ApiError({ code: 500 })));
    run.at(34_000, () => (run.leases.failing = undefined));
    run.flush();
    // statuses are in time order: replay them and count moments with two leaders.
    const leading = new Map<string, boolean>();
    let overlaps = 0;
    for (const line of run.events) {
      const [, id, state] = /^\d+ (\w+): (\w+)/.exec(line)!;
      leading.set(id!, state === 'leading');
      if ([...leading.values()].filter(Boolean).length > 1) overlaps++;
    }
    expect(overlaps).toBe(0);
    expect(run.statuses.filter((s) => s.includes(': leading')).length).toBeGreaterThanOrEqual(3);
  });

  it('stops campaigning, and releases, when the subscriber unsubscribes from inside next', () => {
    const run = setup(50);
    const seen: boolean[] = [];
    leaderElection(run.leases.client('a'), { namespace: NS, name: NAME, identity: 'a', jitterFactor: 0, scheduler: run.scheduler })
      .pipe(takeWhile((s) => !s.leading))
      .subscribe({ next: (s) => seen.push(s.leading) });
    run.flush();
    expect(seen).toEqual([false]);
    expect(run.leases.log).toEqual(['0 a get', '50 a create', '100 a update']);
    expect(run.leases.lease?.spec?.holderIdentity).toBe('');
  });

  it('errors the output when onError throws', () => {
    const run = setup();
    run.leases.failing = new ApiError({ code: 500 });
    run.candidate('a', 0, 1000, {
      onError: () => {
        throw new Error('logger broke');
      },
    });
    run.flush();
    expect(run.statuses).toEqual(['0 a: following -', '0 a: error Error: logger broke']);
  });

  it('rejects unsafe options with a LeaderElectionOptionsError', () => {
    const client = new FakeLeases(new VirtualTimeScheduler()).client('a');
    const base = { namespace: NS, name: NAME, identity: 'a' };
    expect(() => leaderElection(client, { ...base, identity: '' })).toThrow(LeaderElectionOptionsError);
    expect(() => leaderElection(client, { ...base, leaseDurationMs: 10_000 })).toThrow(/greater than renewDeadlineMs/);
    expect(() => leaderElection(client, { ...base, retryPeriodMs: 9000 })).toThrow(/1.2 × retryPeriodMs/);
    expect(() => leaderElection(client, { ...base, leaseDurationMs: 900, renewDeadlineMs: 500, retryPeriodMs: 100 })).toThrow(/at least 1000/);
    expect(() => leaderElection(client, { ...base, retryPeriodMs: Number.NaN })).toThrow(LeaderElectionOptionsError);
    expect(leaderElection(client, base)).toBeInstanceOf(Observable);
  });
});
