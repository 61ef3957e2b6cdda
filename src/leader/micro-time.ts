/**
 * A `MicroTime` string (RFC 3339 with six fractional digits, as client-go writes Lease times) for
 * a time in milliseconds since the epoch.
 *
 * @internal
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
