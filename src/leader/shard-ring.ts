import { asyncScheduler, catchError, concatMap, first, map, Observable, of, type SchedulerLike, type Subscription } from 'rxjs';
import type { Shard, ShardField } from '../sources/shard.ts';
import type { Lease } from './lease.ts';
import { leaseExpired } from './lease-expiry.ts';
import { checkLeaseOrder, checkPositiveDurations, type LeaseTimings } from './lease-timings.ts';
import { microTime } from './micro-time.ts';
import { releaseInBackground } from './release-in-background.ts';
import { request } from './request.ts';
import { ringAssignment, ringEpoch, ringMembers, sameShard, shardDifference, shardIntersection, wholeSpace } from './ring-assignment.ts';
import type { RingLeaseClient } from './ring-lease-client.ts';
import { ShardRingOptionsError } from './shard-ring-options-error.ts';

/** The label that puts a Lease in a ring: `rxkube.io/ring=<ring>`. @internal */
export const RING_LABEL = 'rxkube.io/ring';
/** The annotation in which a member acknowledges the member list it acts on (identities joined by `,`). @internal */
export const RING_MEMBERS_ANNOTATION = 'rxkube.io/ring-members';

/** Options of {@link shardRing}. */
export interface ShardRingOptions {
  /** Namespace of the ring's Leases. */
  namespace: string;
  /**
   * The ring's name: the value of the `rxkube.io/ring` label on its Leases, and the prefix of each
   * member's Lease name (`<ring>-<identity>`). Lower-case letters, digits and `-`, at most 63.
   */
  ring: string;
  /**
   * This replica's identity, unique among the ring's live members (e.g. the pod name). Lower-case
   * letters, digits, `-` and `.`; `<ring>-<identity>` at most 253 characters.
   */
  identity: string;
  /** The hashed field of the shards; every member of a ring must use the same one. @defaultValue 'uid' */
  field?: ShardField;
  /**
   * How long others wait, after they last saw a member's Lease change, before they count it as
   * gone; written to the Lease in whole seconds. @defaultValue 15_000
   */
  leaseDurationMs?: number;
  /**
   * How long this replica keeps its assignment while renewals of its Lease fail; then it reports
   * no shard until a renewal succeeds. Less than `leaseDurationMs`, more than 1.2 × `retryPeriodMs`.
   * @defaultValue 10_000
   */
  renewDeadlineMs?: number;
  /** How often to renew this replica's Lease and list the ring. @defaultValue 2_000 */
  retryPeriodMs?: number;
  /**
   * On unsubscribe, mark this replica's Lease as released (no holder, no acknowledged members), so
   * the others take its range at their next round instead of after a lease duration.
   * @defaultValue true
   */
  releaseOnUnsubscribe?: boolean;
  /** Scheduler for every wait and for the local clock, so tests run in virtual time. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * Called with every failed Lease request, for your logger; failed requests are retried at the
   * next round. Runs inline; a throw errors the output.
   * @defaultValue undefined
   */
  onError?: (error: unknown) => void;
}

/**
 * What {@link shardRing} emits: this replica's view of the ring and its part of the hash space.
 *
 * @example
 * ```ts
 * import { shardSelector, type RingAssignment } from 'rxkube/shard';
 * const describe = (a: RingAssignment) => `epoch ${a.epoch}, ${a.members.length} members, reconciling ${a.ready ? shardSelector(a.ready) : 'nothing'}`;
 * ```
 */
export interface RingAssignment {
  /** The view's id: 16 hex digits of the FNV-1a hash of `members`, equal on every replica that sees the same members. */
  readonly epoch: string;
  /** The live members as this replica sees them (itself included while its Lease is held), sorted. */
  readonly members: readonly string[];
  /** This replica's range under `members` ({@link ringAssignment}); `undefined` when it is not a live member. */
  readonly shard: Shard | undefined;
  /**
   * The part of `shard` this replica may reconcile now: `shard` minus whatever another live member
   * may still be reconciling (the range of that member under the member list its Lease
   * acknowledges). Grows to `shard` once the previous owners acknowledged the view or expired;
   * shrinks at once when the view changes. `undefined` when empty.
   */
  readonly ready: Shard | undefined;
}

interface Config extends LeaseTimings {
  readonly namespace: string;
  readonly ring: string;
  readonly identity: string;
  readonly field: ShardField;
  readonly release: boolean;
  readonly scheduler: SchedulerLike;
  readonly onError: ((error: unknown) => void) | undefined;
}

/**
 * Shard membership on Leases: this replica holds its own Lease in a named ring, lists the ring's
 * Leases, and splits the hash space with the live members (equal ranges in identity order, see
 * {@link ringAssignment}). A cold observable of this replica's {@link RingAssignment};
 * subscribing joins the ring, unsubscribing leaves it.
 *
 * Every round (each `retryPeriodMs`, and at once after the view changed):
 * 1. Renew this replica's Lease `<ring>-<identity>` (labelled `rxkube.io/ring=<ring>`), writing in
 *    the annotation `rxkube.io/ring-members` the member list it currently acts on — its
 *    acknowledgement. resourceVersion-guarded; a conflict is answered by reading and writing again.
 * 2. List the ring's Leases (a consistent read, after that write). A member is live while it has a
 *    holder and its Lease changed within its `leaseDurationSeconds` on the local clock (as in
 *    `leaderElection`: remote clocks are never read). This replica is live while its last
 *    successful renewal is less than `renewDeadlineMs` old.
 *    A live member deletes the Leases of members gone (resourceVersion-guarded), so the ring
 *    does not keep crashed members' Leases and a replica that starts later does not wait for them.
 * 3. If the live members differ from the view: adopt them as the view and shrink `ready` to the
 *    new `shard` at once (stop keys lost), emit, and start the next round now (to acknowledge).
 *    If they are the view, and the Lease acknowledges it: `ready` = `shard` minus the range each
 *    other live member owns under the member list its own Lease acknowledges.
 *
 * The handover rule that follows: **a key is never in two live replicas' `ready` at once.** A
 * replica writes its acknowledgement before it reads the others', and keeps a key in `ready` only
 * while its acknowledgement claims it; of two replicas that both want a key, the later writer reads
 * the earlier's claim and waits. A replica that cannot renew drops everything at `renewDeadlineMs`,
 * before any other counts it gone (`leaseDurationMs` after it last saw the Lease change). A key
 * is unowned for at most: a crashed owner's lease duration + two retry periods, plus, for the work
 * that follows `ready`, one relist — or two retry periods + one relist on a graceful leave or a join.
 * As for leader election, there is no fencing: a replica paused longer than the lease can still
 * act after the others took over, and requests already sent are not recalled.
 *
 * Emission contract: emits at subscription (not a member: no `shard`, no `ready`), then whenever
 * `members`, `shard` or `ready` changes. Never completes; never errors for a failed Lease request
 * (retried, passed to `onError`); errors only when `onError` throws. Unsubscribing cancels requests
 * in flight and, when this replica holds its Lease and `releaseOnUnsubscribe` is on, sends one
 * release (not awaited).
 *
 * @example
 * ```ts
 * import { fetchListWatch, informer, reconcile } from 'rxkube';
 * import { fetchLeaseClient } from 'rxkube/leader';
 * import { shardRing, whileOwning } from 'rxkube/shard';
 * const baseUrl = 'http://127.0.0.1:8001';
 * shardRing(fetchLeaseClient({ baseUrl }), { namespace: 'default', ring: 'pod-controller', identity: 'replica-1' })
 *   .pipe(whileOwning((shard) => informer(fetchListWatch({ baseUrl, resource: '/api/v1/pods', shard })).reflections$.pipe(reconcile(async (key) => console.log(key)))))
 *   .subscribe();
 * ```
 *
 * @param client - the Lease I/O, with `list` (see {@link RingLeaseClient}).
 * @param options - the ring, this replica's identity, the timings.
 * @returns a cold observable of this replica's assignment.
 * @throws {@link ShardRingOptionsError} for options that cannot give a safe ring.
 * @see {@link whileOwning} to run work on the `ready` range; {@link reshardedReflections} for a read view that follows `shard`.
 */
export function shardRing(client: RingLeaseClient, options: ShardRingOptions): Observable<RingAssignment> {
  const config = validate(options);
  return new Observable<RingAssignment>((subscriber) => {
    const { identity, scheduler, field, namespace } = config;
    const name = `${config.ring}-${identity}`;
    const selector = `${RING_LABEL}=${config.ring}`;
    /** This replica's Lease as last written: its resourceVersion guards the next write. */
    let own: Lease | undefined;
    /** The member list the Lease acknowledges, as last written successfully. */
    let acked: readonly string[] | undefined;
    /** Whether the last successful renewal is younger than the renew deadline. */
    let alive = false;
    let view: readonly string[] = [];
    let ready: Shard | undefined;
    /** Other members' Leases: what was last seen, and when (local time) it last changed. */
    const seen = new Map<string, { readonly raw: string; readonly at: number }>();
    let reported: RingAssignment | undefined;
    let timer: Subscription | undefined;
    let deadline: Subscription | undefined;
    let inFlight: Subscription | undefined;
    const deleting = new Set<string>();
    const collecting = new Set<Subscription>();

    const fail = (error: unknown): void => config.onError?.(error);
    const target = (): Shard | undefined => (alive ? ringAssignment(view, identity, field) : undefined);
    const report = (): void => {
      if (subscriber.closed) return;
      const shard = target();
      if (reported !== undefined && sameMembers(reported.members, view) && sameShard(reported.shard, shard) && sameShard(reported.ready, ready)) return;
      reported = { epoch: ringEpoch(view), members: view, shard, ready };
      subscriber.next(reported);
    };

    const leaseFor = (base: Lease | undefined, ack: readonly string[]): Lease => {
      const now = microTime(scheduler.now());
      const metadata = base?.metadata ?? { name, namespace };
      return {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          ...metadata,
          labels: { ...metadata.labels, [RING_LABEL]: config.ring },
          annotations: { ...metadata.annotations, [RING_MEMBERS_ANNOTATION]: ack.join(',') },
        },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: Math.floor(config.leaseDurationMs / 1000),
          acquireTime: base?.spec?.holderIdentity === identity ? (base.spec.acquireTime ?? now) : now,
          renewTime: now,
          leaseTransitions: (base?.spec?.leaseTransitions ?? 0) + (base !== undefined && base.spec?.holderIdentity !== identity ? 1 : 0),
        },
      };
    };

    /** Writes the Lease acknowledging `ack`: over the version last written, else after a read. */
    const renew = (ack: readonly string[]): Observable<boolean> => {
      const slow = request((signal) => client.get(namespace, name, signal)).pipe(
        first(),
        concatMap((current) =>
          current === undefined
            ? request((signal) => client.create(leaseFor(undefined, ack), signal))
            : request((signal) => client.update(leaseFor(current, ack), signal)),
        ),
        first(),
      );
      const write = own === undefined ? slow : request((signal) => client.update(leaseFor(own, ack), signal)).pipe(first(), catchError((error: unknown) => (fail(error), slow)));
      return write.pipe(
        map((written) => {
          own = written;
          return true;
        }),
        catchError((error: unknown) => (fail(error), of(false))),
      );
    };

    const lapse = (): void => {
      alive = false;
      ready = undefined;
      view = view.filter((member) => member !== identity);
      report();
    };

    const observe = (leases: readonly Lease[]): { members: string[]; claims: Shard[]; expired: Lease[] } => {
      const now = scheduler.now();
      const present = new Set<string>();
      const members: string[] = [];
      const claims: Shard[] = [];
      const expired: Lease[] = [];
      for (const lease of leases) {
        const leaseName = lease.metadata?.name;
        if (leaseName === undefined || leaseName === name) continue;
        present.add(leaseName);
        const ack = lease.metadata?.annotations?.[RING_MEMBERS_ANNOTATION];
        const raw = JSON.stringify([lease.spec ?? {}, ack ?? null]);
        const previous = seen.get(leaseName);
        const at = previous !== undefined && previous.raw === raw ? previous.at : now;
        if (previous === undefined || previous.raw !== raw) seen.set(leaseName, { raw, at });
        const holder = lease.spec?.holderIdentity;
        if (leaseExpired(lease.spec, at, now)) {
          expired.push(lease);
          continue;
        }
        if (!holder || holder === identity) continue;
        members.push(holder);
        // A Lease without an acknowledgement may be reconciling anything.
        const claim = ack === undefined ? wholeSpace(field) : ringAssignment(ack.split(',').filter((m) => m !== ''), holder, field);
        if (claim !== undefined) claims.push(claim);
      }
      for (const leaseName of [...seen.keys()]) if (!present.has(leaseName)) seen.delete(leaseName);
      return { members, claims, expired };
    };

    /** Deletes the Leases of members gone (crashed, or released), unless they changed since read. */
    const collect = (expired: readonly Lease[]): void => {
      for (const lease of expired) {
        const leaseName = lease.metadata!.name!;
        const version = lease.metadata?.resourceVersion;
        if (version === undefined || deleting.has(leaseName)) continue;
        let sub: Subscription | undefined;
        const done = (): void => {
          deleting.delete(leaseName);
          if (sub !== undefined) collecting.delete(sub);
          seen.delete(leaseName);
        };
        sub = request((signal) => client.delete(namespace, leaseName, version, signal)).subscribe({
          complete: done,
          error: (error: unknown) => {
            done();
            // Someone else deleted it, or its member came back: both fine.
            const code = (error as { code?: unknown } | null)?.code;
            if (code !== 404 && code !== 409) {
              try {
                fail(error);
              } catch (thrown) {
                subscriber.error(thrown);
              }
            }
          },
        });
        if (!sub.closed) {
          deleting.add(leaseName);
          collecting.add(sub);
        }
      }
    };

    const round = (): void => {
      if (subscriber.closed) return;
      const ack = view;
      const sentAt = scheduler.now();
      inFlight = renew(ack)
        .pipe(
          concatMap((wrote) =>
            request((signal) => client.list(namespace, selector, signal)).pipe(
              first(),
              map((leases) => ({ wrote, leases: leases as readonly Lease[] | undefined })),
              catchError((error: unknown) => (fail(error), of({ wrote, leases: undefined }))),
            ),
          ),
        )
        .subscribe({ next: ({ wrote, leases }) => settle(wrote ? ack : undefined, sentAt, leases), error: (error: unknown) => subscriber.error(error) });
    };

    const settle = (wroteAck: readonly string[] | undefined, sentAt: number, leases: readonly Lease[] | undefined): void => {
      // The others count from when they see the write, which is after it was sent.
      const left = sentAt + config.renewDeadlineMs - scheduler.now();
      if (wroteAck !== undefined && left > 0) {
        acked = wroteAck;
        alive = true;
        deadline?.unsubscribe();
        deadline = scheduler.schedule(lapse, left);
      }
      let next = config.retryPeriodMs;
      if (leases !== undefined) {
        const { members, claims, expired } = observe(leases);
        if (alive) collect(expired);
        const current = ringMembers(alive ? [...members, identity] : members);
        if (!sameMembers(current, view)) {
          view = current;
          const shard = target();
          ready = ready === undefined || shard === undefined ? undefined : shardIntersection(ready, shard);
          next = 0;
        } else if (alive && acked !== undefined && sameMembers(acked, view)) {
          const shard = target();
          ready = shard === undefined ? undefined : shardDifference(shard, claims);
        }
      }
      report();
      if (!subscriber.closed) timer = scheduler.schedule(round, next);
    };

    report();
    round();

    return () => {
      deadline?.unsubscribe();
      timer?.unsubscribe();
      inFlight?.unsubscribe();
      for (const sub of collecting) sub.unsubscribe();
      if (!config.release || !alive || own === undefined) return;
      const now = microTime(scheduler.now());
      const released: Lease = {
        ...own,
        metadata: { ...own.metadata, annotations: { ...own.metadata?.annotations, [RING_MEMBERS_ANNOTATION]: '' } },
        spec: { ...own.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
      };
      releaseInBackground(request((signal) => client.update(released, signal)), scheduler, config.renewDeadlineMs, fail);
    };
  });
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((member, i) => member === b[i]);
}

const RING_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IDENTITY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function validate(options: ShardRingOptions): Config {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  const field = options.field ?? 'uid';
  if (typeof options.namespace !== 'string' || options.namespace === '') throw new ShardRingOptionsError('namespace must be a non-empty string');
  if (typeof options.ring !== 'string' || !RING_NAME.test(options.ring) || options.ring.length > 63) {
    throw new ShardRingOptionsError(`ring must be lower-case letters, digits and '-', at most 63 characters, got ${JSON.stringify(options.ring)}`);
  }
  if (typeof options.identity !== 'string' || !IDENTITY.test(options.identity) || options.ring.length + 1 + options.identity.length > 253) {
    throw new ShardRingOptionsError(`identity must be lower-case letters, digits, '-' and '.', with '<ring>-<identity>' at most 253 characters, got ${JSON.stringify(options.identity)}`);
  }
  if (field !== 'uid' && field !== 'namespace') throw new ShardRingOptionsError(`field must be 'uid' or 'namespace', got ${JSON.stringify(field)}`);
  const timings = { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
  const invalid = (message: string): Error => new ShardRingOptionsError(message);
  checkPositiveDurations(timings, invalid);
  // The others count the lease in the whole seconds written to it.
  checkLeaseOrder(timings, invalid, { wholeSeconds: true });
  return {
    namespace: options.namespace,
    ring: options.ring,
    identity: options.identity,
    field,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    release: options.releaseOnUnsubscribe ?? true,
    scheduler: options.scheduler ?? asyncScheduler,
    onError: options.onError,
  };
}
