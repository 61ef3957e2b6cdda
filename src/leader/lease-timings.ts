/**
 * The timing rules a Lease holder's options must follow, shared by {@link leaderElection} and
 * {@link shardRing} (client-go's order: `leaseDurationMs > renewDeadlineMs > 1.2 × retryPeriodMs`).
 * Each check throws the error `invalid` makes from its message.
 */

/** client-go's JitterFactor: the margin of `renewDeadlineMs` over `retryPeriodMs`. @internal */
export const JITTER_FACTOR = 1.2;

/** The three durations of a Lease holder, in milliseconds. @internal */
export interface LeaseTimings {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/**
 * Each duration must be a positive finite number.
 *
 * @internal
 */
export function checkPositiveDurations(timings: LeaseTimings, invalid: (message: string) => Error): void {
  for (const [field, value] of [
    ['leaseDurationMs', timings.leaseDurationMs],
    ['renewDeadlineMs', timings.renewDeadlineMs],
    ['retryPeriodMs', timings.retryPeriodMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) throw invalid(`${field} must be a positive number, got ${value}`);
  }
}

/**
 * The lease lasts at least a second (the Lease stores whole seconds) and longer than the renew
 * deadline, which exceeds 1.2 retry periods. With `wholeSeconds`, the lease duration is compared as
 * written to the Lease (rounded down to whole seconds) rather than as given (client-go's check).
 *
 * @internal
 */
export function checkLeaseOrder(timings: LeaseTimings, invalid: (message: string) => Error, options: { readonly wholeSeconds: boolean }): void {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timings;
  if (leaseDurationMs < 1000) throw invalid(`leaseDurationMs must be at least 1000 (the Lease stores whole seconds), got ${leaseDurationMs}`);
  if (options.wholeSeconds) {
    if (Math.floor(leaseDurationMs / 1000) * 1000 <= renewDeadlineMs) throw invalid('leaseDurationMs (rounded down to whole seconds) must be greater than renewDeadlineMs');
  } else if (leaseDurationMs <= renewDeadlineMs) {
    throw invalid('leaseDurationMs must be greater than renewDeadlineMs');
  }
  if (renewDeadlineMs <= JITTER_FACTOR * retryPeriodMs) throw invalid('renewDeadlineMs must be greater than 1.2 × retryPeriodMs');
}
