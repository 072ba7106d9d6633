/**
 * Clock times for people and for JSON: ISO 8601 in UTC ("2026-12-06T19:11:54.000Z").
 */

/** `ms` (milliseconds since the Unix epoch, as the system clock gives) as ISO 8601. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
