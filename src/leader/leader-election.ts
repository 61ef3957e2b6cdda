import { asyncScheduler, catchError, concatMap, defer, first, map, Observable, of, type SchedulerLike, type Subscription } from 'rxjs';
import type { Lease, LeaseSpec } from './lease.ts';
import type { LeaseClient } from './lease-client.ts';
import { LeaderElectionOptionsError } from './leader-election-options-error.ts';
import { leaseExpired } from './lease-expiry.ts';
import { checkLeaseOrder, checkPositiveDurations, JITTER_FACTOR, type LeaseTimings } from './lease-timings.ts';
import { microTime } from './micro-time.ts';
import { releaseInBackground } from './release-in-background.ts';
import { request } from './request.ts';

/** Options of {@link leaderElection}. */
export interface LeaderElectionOptions {
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease (one per election, e.g. the controller's name). */
  name: string;
  /** This candidate's identity, unique among the candidates (e.g. the pod name plus a random suffix). */
  identity: string;
  /**
   * How long others wait, after they last saw the Lease change, before they take it over; written
   * to the Lease in whole seconds. client-go's LeaseDuration.
   * @defaultValue 15_000
   */
  leaseDurationMs?: number;
  /**
   * How long the leader keeps retrying a failed renewal before it stops leading. client-go's
   * RenewDeadline. Must be less than `leaseDurationMs` and more than 1.2 × `retryPeriodMs`.
   * @defaultValue 10_000
   */
  renewDeadlineMs?: number;
  /** How long to wait between attempts to acquire or renew. client-go's RetryPeriod. @defaultValue 2_000 */
  retryPeriodMs?: number;
  /**
   * Attempts to acquire wait `retryPeriodMs × (1 + random × jitterFactor)`, so candidates do not
   * move in lockstep (client-go's JitterFactor). Renewals are not jittered.
   * @defaultValue 1.2
   */
  jitterFactor?: number;
  /**
   * Give the Lease up when the subscription ends while leading, as client-go's ReleaseOnCancel:
   * the holder identity is cleared and `leaseDurationSeconds` set to 1, so another candidate takes
   * over at its next attempt instead of after a whole lease duration. Only safe when the work
   * guarded by the lease has stopped by then (it has, when it runs under {@link whileLeading}).
   * @defaultValue true
   */
  releaseOnUnsubscribe?: boolean;
  /** Scheduler for every wait and for the local clock, so tests run in virtual time. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * Called with every failed Lease request (a conflict, a network error, a 5xx …) and a failed
   * release, for your logger. A failed attempt is retried; this is not an error of the output.
   * Runs inline; a throw errors the output.
   * @defaultValue undefined
   */
  onError?: (error: unknown) => void;
}

/**
 * What {@link leaderElection} emits: whether this candidate leads, and who leads as last seen.
 *
 * @example
 * ```ts
 * import type { LeaderElectionStatus } from 'rxkube/leader';
 * const describe = (s: LeaderElectionStatus) => (s.leading ? 'leading' : `following ${s.leader ?? 'nobody'}`);
 * ```
 */
export interface LeaderElectionStatus {
  /** True from a successful acquisition until the candidate steps down or is unsubscribed. */
  readonly leading: boolean;
  /**
   * The holder identity of the Lease as last read or written (client-go's GetLeader), `undefined`
   * when nobody holds it. It can name a holder whose lease has already expired.
   */
  readonly leader: string | undefined;
}

interface Config extends LeaseTimings {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly jitterFactor: number;
  readonly release: boolean;
  readonly scheduler: SchedulerLike;
  readonly onError: ((error: unknown) => void) | undefined;
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics and defaults:
 * a cold observable of leadership; subscribing starts campaigning, unsubscribing stops and, when
 * leading, releases the Lease.
 *
 * The algorithm (client-go's `tools/leaderelection`):
 * 1. Acquire: every `retryPeriodMs` (jittered), read the Lease. If it does not exist, create it
 *    holding it. If another candidate holds it and its lease is still valid, wait. Otherwise
 *    replace it with this candidate as holder (`acquireTime` = `renewTime` = now,
 *    `leaseTransitions` + 1), guarded by the `resourceVersion` just read: a conflict means
 *    someone else won.
 * 2. Lead: every `retryPeriodMs`, renew (`renewTime` = now), first optimistically over the
 *    Lease this candidate last wrote, then, on failure, by reading it again. When renewals keep
 *    failing for `renewDeadlineMs`, or a read shows another holder, step down (emit
 *    `leading: false`), release if the Lease still names this candidate, and go back to 1.
 * 3. A lease is valid while `leaseDurationSeconds` have not passed on the local clock since this
 *    candidate last saw the Lease change. Remote timestamps are never compared with the local
 *    clock, so clock skew between candidates does not matter (a skew in clock rate does; keep
 *    `leaseDurationMs / renewDeadlineMs` above the rate ratio you want to tolerate).
 *
 * Emission contract: emits a {@link LeaderElectionStatus} at subscription (`leading: false`) and
 * then whenever `leading` or `leader` changes. Never completes by itself, and never errors for a
 * failed Lease request (those are retried and passed to `onError`); errors only when `onError`
 * throws. Unlike client-go's `Run`, stepping down does not end the election: the candidate
 * campaigns again. Unsubscribing cancels requests in flight and, when this candidate holds the
 * Lease and `releaseOnUnsubscribe` is on, sends one release request (not awaited; in Node.js its
 * pending request keeps the process alive until it is answered or `renewDeadlineMs` passes).
 *
 * Do not rely on it for fencing: as in client-go, a leader that is paused (a long GC, a stopped
 * VM) can still believe it leads after its lease expired elsewhere.
 *
 * @example
 * ```ts
 * import { leaderElection, whileLeading, fetchLeaseClient } from 'rxkube/leader';
 * import { interval } from 'rxjs';
 * const client = fetchLeaseClient({ baseUrl: 'http://127.0.0.1:8001' });
 * const sub = leaderElection(client, { namespace: 'default', name: 'my-controller', identity: crypto.randomUUID() })
 *   .pipe(whileLeading(() => interval(1000)))
 *   .subscribe((n) => console.log('leading, tick', n));
 * // later, on shutdown: sub.unsubscribe() stops the work and releases the Lease.
 * ```
 *
 * @param client - the Lease I/O (see {@link LeaseClient}).
 * @param options - the Lease, this candidate's identity and the timings.
 * @returns a cold observable of this candidate's leadership.
 * @throws {@link LeaderElectionOptionsError} for options that cannot give a safe election.
 * @see {@link whileLeading} to run a pipeline only while leading.
 */
export function leaderElection(client: LeaseClient, options: LeaderElectionOptions): Observable<LeaderElectionStatus> {
  const config = validate(options);
  return new Observable<LeaderElectionStatus>((subscriber) => {
    const { identity, scheduler } = config;
    /** The Lease last read or written: its resourceVersion guards the next update. */
    let lease: Lease | undefined;
    let observed: LeaseSpec | undefined;
    let observedRaw: string | undefined;
    /** Local time at which `observed` was last seen to change. */
    let observedAt = 0;
    let leading = false;
    let reported: LeaderElectionStatus | undefined;
    let timer: Subscription | undefined;
    let deadline: Subscription | undefined;
    let inFlight: Subscription | undefined;

    const report = (): void => {
      const leader = observed?.holderIdentity || undefined;
      if (reported !== undefined && reported.leading === leading && reported.leader === leader) return;
      reported = { leading, leader };
      subscriber.next(reported);
    };
    const fail = (error: unknown): void => {
      config.onError?.(error);
    };
    const isLeader = (): boolean => observed !== undefined && observed.holderIdentity === identity;
    const leaseValid = (now: number): boolean => !leaseExpired(observed, observedAt, now);
    const heldByOther = (): boolean => !!observed?.holderIdentity && observed.holderIdentity !== identity;

    const wrote = (written: Lease): true => {
      lease = written;
      observed = written.spec ?? {};
      observedRaw = JSON.stringify(observed);
      observedAt = scheduler.now();
      return true;
    };
    const saw = (current: Lease): void => {
      lease = current;
      const raw = JSON.stringify(current.spec ?? {});
      if (raw === observedRaw) return;
      observed = current.spec ?? {};
      observedRaw = raw;
      observedAt = scheduler.now();
    };
    const withSpec = (base: Lease, spec: LeaseSpec): Lease => ({ ...base, spec: { ...base.spec, ...spec } });

    const slowPath = (desired: LeaseSpec, now: number): Observable<boolean> =>
      request((signal) => client.get(config.namespace, config.name, signal)).pipe(
        first(),
        concatMap((current) => {
          if (current === undefined) {
            const created: Lease = {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name: config.name, namespace: config.namespace },
              spec: { ...desired, leaseTransitions: 0 },
            };
            return request((signal) => client.create(created, signal)).pipe(first(), map(wrote));
          }
          saw(current);
          if (heldByOther() && leaseValid(now)) return of(false);
          const transitions = current.spec?.leaseTransitions ?? 0;
          const spec: LeaseSpec = isLeader()
            ? { ...desired, acquireTime: current.spec?.acquireTime ?? desired.acquireTime, leaseTransitions: transitions }
            : { ...desired, leaseTransitions: transitions + 1 };
          return request((signal) => client.update(withSpec(current, spec), signal)).pipe(first(), map(wrote));
        }),
      );

    /** client-go's tryAcquireOrRenew: true when this candidate holds the Lease afterwards. */
    const tryAcquireOrRenew = (): Observable<boolean> =>
      defer(() => {
        const now = scheduler.now();
        const desired: LeaseSpec = {
          holderIdentity: identity,
          leaseDurationSeconds: Math.floor(config.leaseDurationMs / 1000),
          acquireTime: microTime(now),
          renewTime: microTime(now),
        };
        const slow = slowPath(desired, now).pipe(catchError((error: unknown) => (fail(error), of(false))));
        if (lease === undefined || !isLeader() || !leaseValid(now)) return slow;
        const renewed = withSpec(lease, { ...desired, acquireTime: observed?.acquireTime ?? desired.acquireTime, leaseTransitions: observed?.leaseTransitions ?? 0 });
        return request((signal) => client.update(renewed, signal)).pipe(
          first(),
          map(wrote),
          catchError((error: unknown) => (fail(error), slow)),
        );
      });

    // A subscriber may unsubscribe from inside `next` (take, takeWhile): nothing starts after that.
    const attempt = (then: (held: boolean) => void): void => {
      if (subscriber.closed) return;
      inFlight = tryAcquireOrRenew().subscribe({ next: then, error: (e: unknown) => subscriber.error(e) });
    };
    const wait = (work: () => void, ms: number): void => {
      if (subscriber.closed) return;
      timer = scheduler.schedule(work, ms);
    };

    const acquire = (): void => {
      attempt((held) => {
        if (held) {
          leading = true;
          report();
          wait(renewRound, config.retryPeriodMs);
          return;
        }
        report();
        wait(acquire, config.retryPeriodMs * (1 + Math.random() * config.jitterFactor));
      });
    };

    const renewRound = (): void => {
      deadline = scheduler.schedule(() => stepDown(), config.renewDeadlineMs);
      const tryOnce = (): void => {
        attempt((held) => {
          if (held) {
            deadline?.unsubscribe();
            report();
            wait(renewRound, config.retryPeriodMs);
          } else if (heldByOther()) {
            stepDown();
          } else {
            wait(tryOnce, config.retryPeriodMs);
          }
        });
      };
      tryOnce();
    };

    const stepDown = (): void => {
      deadline?.unsubscribe();
      timer?.unsubscribe();
      inFlight?.unsubscribe();
      leading = false;
      report();
      if (isLeader()) {
        inFlight = releaseLease().subscribe({ complete: () => wait(acquire, config.retryPeriodMs), error: (e: unknown) => subscriber.error(e) });
      } else {
        wait(acquire, config.retryPeriodMs);
      }
    };

    /** client-go's release: clear the holder, shorten the lease to 1 s, keep the transition count. */
    const releaseLease = (): Observable<never> =>
      defer(() => {
        if (lease === undefined) return of();
        const now = microTime(scheduler.now());
        const released = withSpec(lease, { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: observed?.leaseTransitions ?? 0 });
        return request((signal) => client.update(released, signal)).pipe(
          first(),
          concatMap((written) => (wrote(written), of())),
          catchError((error: unknown) => (fail(error), of<never>())),
        );
      });

    report();
    acquire();

    return () => {
      deadline?.unsubscribe();
      timer?.unsubscribe();
      inFlight?.unsubscribe();
      // releaseLease passes its own failure to onError; an error here is onError's throw, dropped.
      if (config.release && isLeader()) releaseInBackground(releaseLease(), scheduler, config.renewDeadlineMs);
    };
  });
}

function validate(options: LeaderElectionOptions): Config {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  const jitterFactor = options.jitterFactor ?? JITTER_FACTOR;
  for (const [field, value] of [
    ['namespace', options.namespace],
    ['name', options.name],
    ['identity', options.identity],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw new LeaderElectionOptionsError(`${field} must be a non-empty string`);
  }
  const timings = { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
  const invalid = (message: string): Error => new LeaderElectionOptionsError(message);
  checkPositiveDurations(timings, invalid);
  if (!Number.isFinite(jitterFactor) || jitterFactor < 0) throw new LeaderElectionOptionsError(`jitterFactor must be a non-negative number, got ${jitterFactor}`);
  // As client-go: the lease duration as given, not as written in whole seconds.
  checkLeaseOrder(timings, invalid, { wholeSeconds: false });
  return {
    namespace: options.namespace,
    name: options.name,
    identity: options.identity,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    jitterFactor,
    release: options.releaseOnUnsubscribe ?? true,
    scheduler: options.scheduler ?? asyncScheduler,
    onError: options.onError,
  };
}
