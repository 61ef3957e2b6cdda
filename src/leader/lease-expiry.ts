import type { LeaseSpec } from './lease.ts';

/**
 * Whether a Lease has expired: `leaseDurationSeconds` have passed on the local clock since this
 * process last saw it change (`changedAt`, local time). Remote timestamps are never compared with
 * the local clock, so clock skew between processes does not matter.
 *
 * @internal
 */
export function leaseExpired(spec: LeaseSpec | undefined, changedAt: number, now: number): boolean {
  return changedAt + (spec?.leaseDurationSeconds ?? 0) * 1000 <= now;
}
