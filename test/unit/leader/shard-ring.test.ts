import { defer, map, NEVER, timer, VirtualAction, VirtualTimeScheduler, type ObservableInput, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/model/errors.ts';
import type { Lease } from '../../../src/leader/lease.ts';
import { ringAssignment, shardIntersection } from '../../../src/leader/ring-assignment.ts';
import type { RingLeaseClient } from '../../../src/leader/ring-lease-client.ts';
import { RING_LABEL, RING_MEMBERS_ANNOTATION, shardRing, type RingAssignment, type ShardRingOptions } from '../../../src/leader/shard-ring.ts';
import { ShardRingOptionsError } from '../../../src/leader/shard-ring-options-error.ts';
import { shardSelector, type Shard } from '../../../src/sources/shard.ts';

const NS = 'default';
const RING = 'pods';
const TIMINGS = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 } as const;
const WHOLE: Shard = { field: 'uid', ranges: [{ start: 0n, end: 1n << 64n }] };

/** The API server's Leases in virtual time: guarded updates, label-selected lists, latency, partitions. */
class FakeLeases {
  readonly leases = new Map<string, Lease>();
  private version = 0;
  readonly log: string[] = [];
  /** Identities whose requests fail (a network partition) or never answer (a paused process). */
  readonly failing = new Set<string>();
  readonly hanging = new Set<string>();
  private readonly scheduler: VirtualTimeScheduler;
  private readonly latencyMs: number;
  constructor(scheduler: VirtualTimeScheduler, latencyMs = 10) {
    this.scheduler = scheduler;
    this.latencyMs = latencyMs;
  }

  /** Rewrites a Lease as another writer would (kubectl annotate): bumps the resourceVersion. */
  touch(name: string): void {
    const lease = this.leases.get(name)!;
    this.leases.set(name, { ...lease, metadata: { ...lease.metadata, annotations: { ...lease.metadata?.annotations, touched: 'yes' }, resourceVersion: String(++this.version) } });
  }

  client(identity: string): RingLeaseClient {
    const answer = <T>(verb: string, work: () => T): ObservableInput<T> =>
      defer(() => {
        this.log.push(`${this.scheduler.now()} ${identity} ${verb}`);
        if (this.hanging.has(identity)) return NEVER;
        // The server applies the request when it arrives, after the latency.
        return timer(this.latencyMs, this.scheduler).pipe(
          map(() => {
            if (this.failing.has(identity)) throw new ApiError({ code: 503, reason: 'ServiceUnavailable' });
            return work();
          }),
        );
      });
    const store = (lease: Lease): Lease => {
      const stored = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
      this.leases.set(lease.metadata!.name!, stored);
      return stored;
    };
    return {
      list: (_namespace, selector) =>
        answer('list', () => {
          const [key, value] = selector.split('=');
          return [...this.leases.values()].filter((l) => l.metadata?.labels?.[key!] === value);
        }),
      get: (_namespace, name) => answer('get', () => this.leases.get(name)),
      delete: (_namespace, name, resourceVersion) =>
        answer(`delete ${name}`, () => {
          const current = this.leases.get(name);
          if (current === undefined) throw new ApiError({ code: 404, reason: 'NotFound' });
          if (current.metadata?.resourceVersion !== resourceVersion) throw new ApiError({ code: 409, reason: 'Conflict' });
          this.leases.delete(name);
          return {};
        }),
      create: (lease) =>
        answer('create', () => {
          if (this.leases.has(lease.metadata!.name!)) throw new ApiError({ code: 409, reason: 'AlreadyExists' });
          return store(lease);
        }),
      update: (lease) =>
        answer('update', () => {
          const current = this.leases.get(lease.metadata!.name!);
          if (current === undefined) throw new ApiError({ code: 404, reason: 'NotFound' });
          if (current.metadata?.resourceVersion !== lease.metadata?.resourceVersion) throw new ApiError({ code: 409, reason: 'Conflict' });
          return store(lease);
        }),
    };
  }
}

interface Replica {
  readonly assignments: RingAssignment[];
  readonly errors: unknown[];
  latest(): RingAssignment | undefined;
  stop(): void;
}

/**
 * Replicas on one virtual clock, and the safety check after every emission of any of them: the
 * `ready` ranges of the running replicas never overlap.
 */
function setup(latencyMs = 10) {
  const scheduler = new VirtualTimeScheduler(VirtualAction, 120_000);
  const leases = new FakeLeases(scheduler, latencyMs);
  const ready = new Map<string, Shard | undefined>();
  const violations: string[] = [];
  const check = (): void => {
    const entries = [...ready].filter((e): e is [string, Shard] => e[1] !== undefined);
    for (let i = 0; i < entries.length; i++)
      for (let j = i + 1; j < entries.length; j++) {
        const overlap = shardIntersection(entries[i]![1], entries[j]![1]);
        if (overlap !== undefined) violations.push(`${scheduler.now()}: ${entries[i]![0]} and ${entries[j]![0]} both own ${shardSelector(overlap)}`);
      }
  };
  const replica = (identity: string, at: number, options: Partial<ShardRingOptions> = {}): Replica => {
    const assignments: RingAssignment[] = [];
    const errors: unknown[] = [];
    let sub: Subscription | undefined;
    scheduler.schedule(() => {
      sub = shardRing(leases.client(identity), { namespace: NS, ring: RING, identity, scheduler, onError: (e) => errors.push(e), ...TIMINGS, ...options }).subscribe((a) => {
        assignments.push(a);
        ready.set(identity, a.ready);
        check();
      });
    }, at - scheduler.now());
    return {
      assignments,
      errors,
      latest: () => assignments[assignments.length - 1],
      stop: () => {
        sub?.unsubscribe();
        ready.delete(identity);
      },
    };
  };
  /** Runs the clock to `t`. Every time in these tests is absolute virtual time. */
  const runUntil = (t: number): void => {
    scheduler.schedule(() => {}, t - scheduler.now());
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  return { scheduler, leases, replica, runUntil, violations, at: (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now()) };
}

describe('shardRing', () => {
  it('a lone replica joins: not a member at subscription, then the whole space, ready once its Lease acknowledges the view', () => {
    const run = setup();
    const a = run.replica('a', 0);
    run.runUntil(2000);
    expect(a.assignments[0]).toEqual({ epoch: expect.any(String), members: [], shard: undefined, ready: undefined });
    expect(a.assignments.map((x) => [x.members, x.shard && shardSelector(x.shard), x.ready && shardSelector(x.ready)])).toEqual([
      [[], undefined, undefined],
      [['a'], shardSelector(WHOLE), undefined],
      [['a'], shardSelector(WHOLE), shardSelector(WHOLE)],
    ]);
    const lease = run.leases.leases.get('pods-a')!;
    expect(lease.metadata?.labels).toEqual({ [RING_LABEL]: RING });
    expect(lease.metadata?.annotations).toEqual({ [RING_MEMBERS_ANNOTATION]: 'a' });
    expect(lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 3 });
    expect(a.errors).toEqual([]);
    // Round 1: get (no Lease yet), create, list; round 2 at once (the view changed): update, list.
    expect(run.leases.log.slice(0, 5).map((l) => l.split(' ').slice(2).join(' '))).toEqual(['get', 'create', 'list', 'update', 'list']);
  });

  it('three replicas split the space into disjoint ranges whose union is the whole space, and agree on the epoch', () => {
    const run = setup();
    const replicas = ['c', 'a', 'b'].map((id, i) => run.replica(id, i * 100));
    run.runUntil(5000);
    expect(run.violations).toEqual([]);
    const finals = replicas.map((r) => r.latest()!);
    expect(new Set(finals.map((f) => f.epoch)).size).toBe(1);
    for (const f of finals) expect(f.members).toEqual(['a', 'b', 'c']);
    expect(finals.map((f) => f.ready)).toEqual(['c', 'a', 'b'].map((id) => ringAssignment(['a', 'b', 'c'], id)));
  });

  it('a member joining: the others shrink at once, the newcomer gains each range only after its previous owner acknowledged', () => {
    const run = setup();
    const a = run.replica('a', 0);
    const b = run.replica('b', 0);
    run.runUntil(3000);
    expect(a.latest()!.ready).toEqual(ringAssignment(['a', 'b'], 'a'));
    const c = run.replica('c', 3000);
    run.runUntil(8000);
    expect(run.violations).toEqual([]);
    for (const [r, id] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) expect(r.latest()!.ready).toEqual(ringAssignment(['a', 'b', 'c'], id));
    // c saw the new view before it could reconcile any of it.
    expect(c.assignments.find((x) => x.shard !== undefined)?.ready).toBeUndefined();
  });

  it('a graceful leave releases the Lease: the others take its range within a few retry periods, not a lease duration', () => {
    const run = setup();
    const a = run.replica('a', 0);
    const b = run.replica('b', 0);
    run.runUntil(3000);
    b.stop();
    const before = a.assignments.length;
    run.runUntil(3000 + 2 * TIMINGS.retryPeriodMs + 100);
    expect(run.violations).toEqual([]);
    expect(a.latest()).toMatchObject({ members: ['a'], ready: WHOLE });
    expect(a.assignments.length).toBeGreaterThan(before);
    expect(run.leases.leases.get('pods-b')!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(run.leases.leases.get('pods-b')!.metadata?.annotations?.[RING_MEMBERS_ANNOTATION]).toBe('');
  });

  it('a crashed member (no release) counts as gone after its lease duration on the local clock; then its range moves', () => {
    const run = setup();
    const a = run.replica('a', 0);
    const b = run.replica('b', 0, { releaseOnUnsubscribe: false });
    run.runUntil(3000);
    b.stop();
    run.runUntil(3000 + TIMINGS.leaseDurationMs - 600);
    expect(a.latest()!.members).toEqual(['a', 'b']);
    run.runUntil(3000 + TIMINGS.leaseDurationMs + 3 * TIMINGS.retryPeriodMs);
    expect(a.latest()).toMatchObject({ members: ['a'], ready: WHOLE });
    expect(run.violations).toEqual([]);
  });

  it('a partitioned member keeps its range until its renew deadline, drops it before anyone counts it gone, and rejoins when healed', () => {
    const run = setup();
    const a = run.replica('a', 0);
    const b = run.replica('b', 0);
    run.runUntil(3000);
    expect(b.latest()!.ready).toEqual(ringAssignment(['a', 'b'], 'b'));
    run.leases.failing.add('b');
    run.runUntil(3000 + TIMINGS.renewDeadlineMs - 600);
    expect(b.latest()!.ready).toEqual(ringAssignment(['a', 'b'], 'b'));
    run.runUntil(3000 + TIMINGS.renewDeadlineMs + 100);
    expect(b.latest()).toMatchObject({ members: ['a'], shard: undefined, ready: undefined });
    run.runUntil(3000 + TIMINGS.leaseDurationMs + 3 * TIMINGS.retryPeriodMs);
    expect(a.latest()).toMatchObject({ members: ['a'], ready: WHOLE });
    expect(b.errors.length).toBeGreaterThan(0);
    run.leases.failing.delete('b');
    run.runUntil(12_000);
    expect(a.latest()!.ready).toEqual(ringAssignment(['a', 'b'], 'a'));
    expect(b.latest()!.ready).toEqual(ringAssignment(['a', 'b'], 'b'));
    expect(run.violations).toEqual([]);
  });

  it('a paused member (requests never answered) drops its range at the renew deadline, measured from when the last renewal was sent', () => {
    const run = setup();
    const a = run.replica('a', 0);
    const b = run.replica('b', 0);
    run.runUntil(3000);
    run.leases.hanging.add('b');
    run.runUntil(3000 + TIMINGS.renewDeadlineMs + 10);
    expect(b.latest()!.ready).toBeUndefined();
    run.runUntil(3000 + TIMINGS.leaseDurationMs + 3 * TIMINGS.retryPeriodMs);
    expect(a.latest()!.ready).toEqual(WHOLE);
    expect(run.violations).toEqual([]);
  });

  it('an update conflict (someone else wrote the Lease) is answered by reading and writing again, without dropping the range', () => {
    const run = setup();
    const a = run.replica('a', 0);
    run.runUntil(2000);
    const count = a.assignments.length;
    run.leases.touch('pods-a');
    run.runUntil(4000);
    expect(a.errors).toEqual([expect.objectContaining({ code: 409 })]);
    expect(a.assignments.length).toBe(count);
    expect(a.latest()!.ready).toEqual(WHOLE);
    expect(run.leases.leases.get('pods-a')!.metadata?.annotations).toEqual({ touched: 'yes', [RING_MEMBERS_ANNOTATION]: 'a' });
  });

  it('the live members delete a crashed member\'s Lease once it expired (guarded by its resourceVersion); losing that race is not an error', () => {
    const run = setup();
    const a = run.replica('a', 0);
    const b = run.replica('b', 0);
    const c = run.replica('c', 0, { releaseOnUnsubscribe: false });
    run.runUntil(3000);
    c.stop();
    run.runUntil(3000 + TIMINGS.leaseDurationMs - 600);
    expect(run.leases.leases.has('pods-c')).toBe(true);
    run.runUntil(3000 + TIMINGS.leaseDurationMs + 3 * TIMINGS.retryPeriodMs);
    expect(run.leases.leases.has('pods-c')).toBe(false);
    const deletes = run.leases.log.filter((l) => l.endsWith('delete pods-c'));
    expect(deletes.length).toBeGreaterThanOrEqual(1);
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect(run.violations).toEqual([]);
    // A new replica does not wait for c: it never sees c's Lease.
    const d = run.replica('d', 7000);
    run.runUntil(9000);
    expect(d.assignments.every((x) => !x.members.includes('c'))).toBe(true);
    expect(d.latest()).toMatchObject({ members: ['a', 'b', 'd'], ready: ringAssignment(['a', 'b', 'd'], 'd') });
  });

  it('treats a ring Lease without an acknowledgement as claiming everything, while it lives', () => {
    const run = setup();
    run.leases.leases.set('pods-x', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'pods-x', namespace: NS, labels: { [RING_LABEL]: RING }, resourceVersion: '0' }, spec: { holderIdentity: 'x', leaseDurationSeconds: 3 } });
    const a = run.replica('a', 0);
    run.runUntil(2000);
    expect(a.latest()).toMatchObject({ members: ['a', 'x'], shard: ringAssignment(['a', 'x'], 'a'), ready: undefined });
    run.runUntil(6000);
    // x never renewed: gone after its lease duration, and a owns everything.
    expect(a.latest()).toMatchObject({ members: ['a'], ready: WHOLE });
  });

  it('churn: joins, graceful leaves, crashes and partitions never give two live replicas the same key, and the ring converges', () => {
    const run = setup(25);
    const a = run.replica('a', 0);
    const b = run.replica('b', 200);
    const c = run.replica('c', 400, { releaseOnUnsubscribe: false });
    run.at(4000, () => c.stop());
    const d = run.replica('d', 5000);
    run.at(7000, () => run.leases.failing.add('a'));
    run.at(9000, () => b.stop());
    run.at(11_000, () => run.leases.failing.delete('a'));
    const e = run.replica('e', 11_500);
    run.runUntil(25_000);
    expect(run.violations).toEqual([]);
    const members = ['a', 'd', 'e'];
    for (const [r, id] of [[a, 'a'], [d, 'd'], [e, 'e']] as const) expect(r.latest()).toMatchObject({ members, ready: ringAssignment(members, id) });
  });

  it('validates its options with ShardRingOptionsError', () => {
    const scheduler = new VirtualTimeScheduler();
    const client = new FakeLeases(scheduler).client('a');
    const base = { namespace: NS, ring: RING, identity: 'a' };
    expect(() => shardRing(client, { ...base, ring: 'Pods' })).toThrow(ShardRingOptionsError);
    expect(() => shardRing(client, { ...base, identity: 'a,b' })).toThrow(ShardRingOptionsError);
    expect(() => shardRing(client, { ...base, namespace: '' })).toThrow(ShardRingOptionsError);
    expect(() => shardRing(client, { ...base, field: 'name' as 'uid' })).toThrow(ShardRingOptionsError);
    expect(() => shardRing(client, { ...base, leaseDurationMs: 2500, renewDeadlineMs: 2000 })).toThrow(/rounded down/);
    expect(() => shardRing(client, { ...base, renewDeadlineMs: 1000, retryPeriodMs: 1000 })).toThrow(/1.2/);
    expect(() => shardRing(client, { ...base, retryPeriodMs: -1 })).toThrow(/positive/);
  });

  it('errors when onError throws, and aborts its first request and sends nothing more after an early unsubscribe', () => {
    const run = setup();
    run.leases.failing.add('a');
    const seen: unknown[] = [];
    const sub = shardRing(run.leases.client('a'), { namespace: NS, ring: RING, identity: 'a', scheduler: run.scheduler, ...TIMINGS, onError: () => { throw new Error('logger broke'); } }).subscribe({ error: (e: unknown) => seen.push(e) });
    run.runUntil(1000);
    expect(seen).toEqual([new Error('logger broke')]);
    expect(sub.closed).toBe(true);
    const requests = run.leases.log.length;
    const early = shardRing(run.leases.client('b'), { namespace: NS, ring: RING, identity: 'b', scheduler: run.scheduler, ...TIMINGS }).subscribe();
    early.unsubscribe();
    run.runUntil(3000);
    expect(run.leases.log.slice(requests)).toEqual(['1000 b get']);
    expect(run.leases.leases.has('pods-b')).toBe(false);
  });
});
